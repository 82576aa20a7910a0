import type cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';

import {
  canvasHeightFor,
  fitBounds,
  floorZoom,
  initialView,
  LABEL_FLOOR_PX,
  maxCanvasHeight,
  MIN_CANVAS_HEIGHT,
  panToShow,
  READABLE_ZOOM,
  type IBounds
} from '../viewport';

/** Just the viewport part of cytoscape. */
function fakeCy(width: number, height: number) {
  let zoom = 1;
  let pan = { x: 0, y: 0 };
  const cy = {
    width: () => width,
    height: () => height,
    zoom: () => zoom,
    pan: () => pan,
    minZoom: () => 0.01,
    maxZoom: () => 4,
    viewport: (v: { zoom: number; pan: { x: number; y: number } }) => {
      zoom = v.zoom;
      pan = v.pan;
    }
  };
  /** Where a model point is drawn. */
  const rendered = (x: number, y: number) => ({ x: x * zoom + pan.x, y: y * zoom + pan.y });
  return { cy: cy as unknown as cytoscape.Core, rendered };
}

/** A column of `n` nodes 48 high, 46 apart (a Sequential laid out top to bottom). */
function column(n: number): IBounds {
  return { x1: -60, y1: 0, x2: 60, y2: n * 48 + (n - 1) * 46 };
}

describe('the readable floor', () => {
  it('is the zoom at which labels render at LABEL_FLOOR_PX', () => {
    expect(floorZoom(12) * 12).toBeCloseTo(LABEL_FLOOR_PX);
    expect(floorZoom(null)).toBeCloseTo(8 / 12);
    expect(LABEL_FLOOR_PX).toBeGreaterThanOrEqual(8);
  });
});

describe('canvasHeightFor', () => {
  const floor = floorZoom(12);

  it('gives a 10-layer column the height it takes at zoom 1, not a fixed 520 px', () => {
    const box = column(11);
    const height = canvasHeightFor(box, 900, maxCanvasHeight(1200), floor);
    expect(height).toBeGreaterThanOrEqual(box.y2 - box.y1);
    const { cy, rendered } = fakeCy(900, height);
    initialView(cy, box, [], 'TB', floor);
    expect(cy.zoom()).toBeGreaterThanOrEqual(floor);
    expect(rendered(0, box.y1).y).toBeGreaterThanOrEqual(0);
    expect(rendered(0, box.y2).y).toBeLessThanOrEqual(height);
  });

  it('stops at the maximum, and keeps a minimum for tiny graphs', () => {
    expect(canvasHeightFor(column(200), 900, 700, floor)).toBe(700);
    expect(canvasHeightFor(column(1), 900, 700, floor)).toBe(MIN_CANVAS_HEIGHT);
    expect(canvasHeightFor(null, 900, 700, floor)).toBe(MIN_CANVAS_HEIGHT);
  });

  it('is shorter for a wide graph that fits by width', () => {
    const wide: IBounds = { x1: 0, y1: 0, x2: 1000, y2: 600 };
    const height = canvasHeightFor(wide, 900, 1000, floor);
    expect(height).toBe(Math.ceil(600 * (840 / 1000) + 60));
  });
});

describe('fitBounds with a floor', () => {
  const floor = floorZoom(12);

  it('fits a graph that is readable whole', () => {
    const { cy } = fakeCy(800, 600);
    expect(fitBounds(cy, column(5), floor)).toBe(true);
    expect(cy.zoom()).toBeGreaterThanOrEqual(floor);
  });

  it('never zooms below the floor; says the graph is not whole; stays on the graph', () => {
    const { cy, rendered } = fakeCy(800, 600);
    const box = column(60);
    expect(fitBounds(cy, box, floor)).toBe(false);
    expect(cy.zoom()).toBeCloseTo(floor);
    // the view starts where it was (the top here), inside the graph
    expect(rendered(0, box.y1).y).toBeLessThanOrEqual(40);
    expect(rendered(0, box.y1).y).toBeGreaterThan(0);
    // without a floor it is a speck, as "Fit" was before
    const { cy: old } = fakeCy(800, 600);
    fitBounds(old, box);
    expect(old.zoom() * 12).toBeLessThan(LABEL_FLOOR_PX);
  });
});

describe('initialView of a big graph', () => {
  it('opens on the inputs at a readable zoom', () => {
    const { cy, rendered } = fakeCy(800, 700);
    const box = column(300);
    const input: IBounds = { x1: -60, y1: 0, x2: 60, y2: 48 };
    initialView(cy, box, [input], 'TB', floorZoom(12));
    expect(cy.zoom()).toBe(READABLE_ZOOM);
    expect(rendered(0, 0).y).toBe(30);
  });
});

describe('panToShow', () => {
  const node: IBounds = { x1: 0, y1: 500, x2: 100, y2: 540 };
  const near: IBounds = { x1: 0, y1: 400, x2: 100, y2: 640 };

  it('leaves the view alone when the node and its neighbours are in it', () => {
    expect(panToShow({ x: 50, y: -300 }, 1, 800, 600, near, node)).toBeNull();
  });

  it('moves the least that brings them in', () => {
    const pan = panToShow({ x: 50, y: 0 }, 1, 800, 600, near, node)!;
    expect(pan.x).toBe(50);
    expect(640 + pan.y).toBe(590); // bottom at the margin
  });

  it('centres the node when its neighbourhood is bigger than the view', () => {
    const huge: IBounds = { x1: 0, y1: -2000, x2: 100, y2: 3000 };
    const pan = panToShow({ x: 0, y: 0 }, 1, 800, 600, huge, node)!;
    expect(520 + pan.y).toBe(300);
  });
});
