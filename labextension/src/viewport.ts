/**
 * First views and centring. A deep graph fitted whole is an unreadable speck
 * (a 1,000-deep chain fits at zoom ~0.005), so when a fit would be too small to
 * read, the view starts at a readable zoom on the model inputs instead.
 *
 * Fits use bounds computed from the layout, not cytoscape's bounding boxes:
 * those measure every edge label, which takes about a second at 5,000 nodes.
 */

import type cytoscape from 'cytoscape';

import type { Positions } from './layout';

/**
 * Smallest rendered size (CSS px) of a node label that a first view or a "Fit"
 * may give: below it a learner cannot read the layer names.
 */
export const LABEL_FLOOR_PX = 8;

/** Below this zoom a fit is unreadable (the stylesheet's 12 px labels drawn at 8 px). */
export const MIN_FIT_ZOOM = LABEL_FLOOR_PX / 12;

/** Zoom of the first view when a fit is unreadable. */
export const READABLE_ZOOM = 0.9;

/** Largest zoom a fit may reach (a 2-node model should not fill the screen). */
export const MAX_FIT_ZOOM = 1.4;

/** Zoom at which the canvas is sized to the graph (labels at their own size). */
export const SIZING_ZOOM = 1;

/** Smallest height the canvas is given (the inspector beside it needs room). */
export const MIN_CANVAS_HEIGHT = 320;

/** Tallest canvas: past it the graph scrolls (drag) and zooms (Ctrl + wheel). */
export function maxCanvasHeight(windowHeight: number): number {
  return Math.round(Math.min(1000, Math.max(420, windowHeight * 0.85)));
}

/** The lowest zoom at which labels of `fontPx` still render at LABEL_FLOOR_PX. */
export function floorZoom(fontPx: number | null | undefined): number {
  if (!fontPx || !Number.isFinite(fontPx) || fontPx <= 0) {
    return MIN_FIT_ZOOM;
  }
  return LABEL_FLOOR_PX / fontPx;
}

const PADDING = 30;

/** An axis-aligned box in model coordinates. */
export interface IBounds {
  /** Left. */
  x1: number;
  /** Top. */
  y1: number;
  /** Right. */
  x2: number;
  /** Bottom. */
  y2: number;
}

/** Node sizes (width, height) by id. */
export type Sizes = Map<string, { w: number; h: number }>;

/** The box around some positioned nodes (all of them when `ids` is omitted). */
export function boundsOf(
  positions: Positions,
  sizes: Sizes,
  ids?: Iterable<string>
): IBounds | null {
  let box: IBounds | null = null;
  const keys = ids ?? positions.keys();
  for (const id of keys) {
    const p = positions.get(id);
    if (!p) {
      continue;
    }
    const s = sizes.get(id) ?? { w: 80, h: 40 };
    const x1 = p.x - s.w / 2;
    const y1 = p.y - s.h / 2;
    const x2 = p.x + s.w / 2;
    const y2 = p.y + s.h / 2;
    if (box === null) {
      box = { x1, y1, x2, y2 };
    } else {
      box.x1 = Math.min(box.x1, x1);
      box.y1 = Math.min(box.y1, y1);
      box.x2 = Math.max(box.x2, x2);
      box.y2 = Math.max(box.y2, y2);
    }
  }
  return box;
}

/**
 * The zoom that fits `box` in a `width` x `height` view, no closer than
 * MAX_FIT_ZOOM.
 */
export function fitZoom(box: IBounds, width: number, height: number, padding = PADDING): number {
  const w = Math.max(box.x2 - box.x1, 1);
  const h = Math.max(box.y2 - box.y1, 1);
  return Math.min((width - 2 * padding) / w, (height - 2 * padding) / h, MAX_FIT_ZOOM);
}

/**
 * The canvas height for a graph: its height at SIZING_ZOOM (or less when its
 * width needs less), between MIN_CANVAS_HEIGHT and `maxHeight`. A graph too
 * wide to be read at `floor` whole gets the room it would take at
 * READABLE_ZOOM, the zoom it opens at.
 */
export function canvasHeightFor(
  box: IBounds | null,
  width: number,
  maxHeight: number,
  floor = MIN_FIT_ZOOM
): number {
  if (box === null || width <= 2 * PADDING) {
    return Math.min(MIN_CANVAS_HEIGHT, maxHeight);
  }
  const w = Math.max(box.x2 - box.x1, 1);
  const h = Math.max(box.y2 - box.y1, 1);
  let zoom = Math.min(SIZING_ZOOM, (width - 2 * PADDING) / w);
  if (zoom < floor) {
    zoom = READABLE_ZOOM;
  }
  const wanted = Math.ceil(h * zoom + 2 * PADDING);
  return Math.max(Math.min(wanted, maxHeight), Math.min(MIN_CANVAS_HEIGHT, maxHeight));
}

/**
 * Fit a box in view, no closer than MAX_FIT_ZOOM and no farther than `floor`.
 * Returns whether the whole box is in view. When it is not, the view keeps
 * its centre as far as the box allows, so that it shows only the graph.
 */
export function fitBounds(
  cy: cytoscape.Core,
  box: IBounds | null,
  floor = 0,
  padding = PADDING
): boolean {
  if (box === null) {
    return true;
  }
  const width = cy.width();
  const height = cy.height();
  let zoom = fitZoom(box, width, height, padding);
  const whole = zoom >= floor;
  zoom = Math.max(zoom, floor);
  zoom = Math.max(Math.min(zoom, cy.maxZoom()), cy.minZoom());
  let cx = (box.x1 + box.x2) / 2;
  let cyMid = (box.y1 + box.y2) / 2;
  if (!whole) {
    // Model coordinates at the centre of the view now, kept inside the box.
    const pan = cy.pan();
    const z = cy.zoom();
    const halfW = (width / 2 - padding) / zoom;
    const halfH = (height / 2 - padding) / zoom;
    cx = clampCentre((width / 2 - pan.x) / z, box.x1, box.x2, halfW);
    cyMid = clampCentre((height / 2 - pan.y) / z, box.y1, box.y2, halfH);
  }
  cy.viewport({
    zoom,
    pan: { x: width / 2 - cx * zoom, y: height / 2 - cyMid * zoom }
  });
  return whole;
}

/** `c` moved so that [c - half, c + half] stays inside [lo, hi] (centred if wider). */
function clampCentre(c: number, lo: number, hi: number, half: number): number {
  if (hi - lo <= 2 * half) {
    return (lo + hi) / 2;
  }
  return Math.min(Math.max(c, lo + half), hi - half);
}

/**
 * The first view: a fit when it is readable (zoom >= `floor`); otherwise
 * READABLE_ZOOM with `anchor` (the model inputs) at the top (rankdir TB) or left
 * (LR) edge. A row of inputs wider than the view falls back to the first one.
 */
export function initialView(
  cy: cytoscape.Core,
  all: IBounds | null,
  anchors: ReadonlyArray<IBounds>,
  rankdir: 'TB' | 'LR',
  floor = MIN_FIT_ZOOM
): void {
  if (all === null) {
    return;
  }
  if (fitZoom(all, cy.width(), cy.height()) >= floor) {
    fitBounds(cy, all);
    return;
  }
  const zoom = Math.max(READABLE_ZOOM, floor);
  const width = cy.width();
  const height = cy.height();
  let box: IBounds = anchors.length > 0 ? union(anchors) : all;
  const tooWide =
    rankdir === 'TB' ? (box.x2 - box.x1) * zoom > width : (box.y2 - box.y1) * zoom > height;
  if (tooWide && anchors.length > 0) {
    box = anchors[0];
  }
  const cx = (box.x1 + box.x2) / 2;
  const cyMid = (box.y1 + box.y2) / 2;
  cy.viewport({
    zoom,
    pan:
      rankdir === 'TB'
        ? { x: width / 2 - cx * zoom, y: PADDING - box.y1 * zoom }
        : { x: PADDING - box.x1 * zoom, y: height / 2 - cyMid * zoom }
  });
}

/** The box around `boxes` (at least one). */
export function union(boxes: ReadonlyArray<IBounds>): IBounds {
  return boxes.reduce((a, b) => ({
    x1: Math.min(a.x1, b.x1),
    y1: Math.min(a.y1, b.y1),
    x2: Math.max(a.x2, b.x2),
    y2: Math.max(a.y2, b.y2)
  }));
}

/**
 * The pan that brings `box` (model coordinates) into a `width` x `height` view
 * at `zoom` with the least movement from `pan`; centred on `focus` (a box
 * inside it) when `box` is too big for the view. Null: already in view.
 */
export function panToShow(
  pan: { x: number; y: number },
  zoom: number,
  width: number,
  height: number,
  box: IBounds,
  focus: IBounds = box,
  margin = 10
): { x: number; y: number } | null {
  const axis = (p: number, size: number, lo: number, hi: number, flo: number, fhi: number) => {
    const a = lo * zoom + p;
    const b = hi * zoom + p;
    if (a >= margin && b <= size - margin) {
      return p;
    }
    if ((hi - lo) * zoom > size - 2 * margin) {
      return size / 2 - ((flo + fhi) / 2) * zoom;
    }
    return a < margin ? margin - lo * zoom : size - margin - hi * zoom;
  };
  const x = axis(pan.x, width, box.x1, box.x2, focus.x1, focus.x2);
  const y = axis(pan.y, height, box.y1, box.y2, focus.y1, focus.y2);
  return x === pan.x && y === pan.y ? null : { x, y };
}

/**
 * Bring a node and its neighbours into view with as little movement as
 * possible, zooming in to a readable level first when the view is zoomed out
 * below `floor`. When the neighbourhood is bigger than the view, the node is
 * centred.
 */
export function centreOn(
  cy: cytoscape.Core,
  node: cytoscape.CollectionReturnValue,
  floor = MIN_FIT_ZOOM
): void {
  if (node.empty()) {
    return;
  }
  const near = node.union(node.neighborhood('node'));
  const opts = { includeLabels: false, includeEdges: false, includeOverlays: false };
  const toBox = (b: cytoscape.BoundingBox12): IBounds => ({
    x1: b.x1,
    y1: b.y1,
    x2: b.x2,
    y2: b.y2
  });
  centreOnBoxes(cy, toBox(node.boundingBox(opts)), toBox(near.boundingBox(opts)), floor);
}

/**
 * {@link centreOn} by boxes in model coordinates: the node's, and the one
 * around it and its neighbours (a windowed view knows them from its layout).
 */
export function centreOnBoxes(
  cy: cytoscape.Core,
  node: IBounds,
  near: IBounds,
  floor = MIN_FIT_ZOOM
): void {
  if (cy.zoom() < floor) {
    cy.zoom(Math.max(READABLE_ZOOM, floor));
  }
  const pan = panToShow(cy.pan(), cy.zoom(), cy.width(), cy.height(), near, node);
  if (pan !== null) {
    cy.pan(pan);
  }
}

/**
 * Forget cytoscape's cached page position of its container. Cytoscape caches it
 * and listens for scrolls only on the ancestors its container had when it was
 * made, so after the notebook scrolls taps would miss.
 */
export function invalidateContainerPosition(cy: cytoscape.Core): void {
  // Checked on cytoscape 3.35: the canvas renderer keeps the cache in
  // containerBB and clears it in invalidateContainerClientCoordsCache().
  const renderer = (cy as unknown as { renderer?: () => unknown }).renderer?.() as
    { invalidateContainerClientCoordsCache?: () => void } | undefined;
  if (renderer?.invalidateContainerClientCoordsCache) {
    renderer.invalidateContainerClientCoordsCache();
  } else {
    cy.resize();
  }
}
