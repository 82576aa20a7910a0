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

/** Below this zoom a fit is unreadable, and the first view starts at the inputs. */
export const MIN_FIT_ZOOM = 0.75;

/** Zoom of the first view when a fit is unreadable. */
export const READABLE_ZOOM = 0.9;

/** Largest zoom a fit may reach (a 2-node model should not fill the screen). */
export const MAX_FIT_ZOOM = 1.4;

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

/** Fit a box in view, no closer than MAX_FIT_ZOOM. */
export function fitBounds(cy: cytoscape.Core, box: IBounds | null, padding = PADDING): void {
  if (box === null) {
    return;
  }
  const width = cy.width();
  const height = cy.height();
  const w = Math.max(box.x2 - box.x1, 1);
  const h = Math.max(box.y2 - box.y1, 1);
  let zoom = Math.min((width - 2 * padding) / w, (height - 2 * padding) / h, MAX_FIT_ZOOM);
  zoom = Math.max(Math.min(zoom, cy.maxZoom()), cy.minZoom());
  cy.viewport({
    zoom,
    pan: {
      x: width / 2 - ((box.x1 + box.x2) / 2) * zoom,
      y: height / 2 - ((box.y1 + box.y2) / 2) * zoom
    }
  });
}

/**
 * The first view: a fit when it is readable (zoom >= MIN_FIT_ZOOM); otherwise
 * READABLE_ZOOM with `anchor` (the model inputs) at the top (rankdir TB) or left
 * (LR) edge. A row of inputs wider than the view falls back to the first one.
 */
export function initialView(
  cy: cytoscape.Core,
  all: IBounds | null,
  anchors: ReadonlyArray<IBounds>,
  rankdir: 'TB' | 'LR'
): void {
  fitBounds(cy, all);
  if (cy.zoom() >= MIN_FIT_ZOOM || all === null) {
    return;
  }
  const zoom = READABLE_ZOOM;
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

function union(boxes: ReadonlyArray<IBounds>): IBounds {
  return boxes.reduce((a, b) => ({
    x1: Math.min(a.x1, b.x1),
    y1: Math.min(a.y1, b.y1),
    x2: Math.max(a.x2, b.x2),
    y2: Math.max(a.y2, b.y2)
  }));
}

/**
 * Bring a node into view: centre it, zooming in to a readable level first when
 * the view is zoomed far out.
 */
export function centreOn(cy: cytoscape.Core, node: cytoscape.CollectionReturnValue): void {
  if (node.empty()) {
    return;
  }
  if (cy.zoom() < MIN_FIT_ZOOM) {
    cy.zoom(READABLE_ZOOM);
  }
  cy.center(node);
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
