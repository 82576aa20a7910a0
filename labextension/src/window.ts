/**
 * Windowed drawing of big views. Cytoscape's canvas renderer spends time on
 * every element it holds, on every frame, wherever the element is: it computes
 * each element's bounding box to cull it. At 10,000 nodes that is ~100 ms a
 * frame and two frames a click. Our layout knows every position, so a big view
 * keeps only the elements near the viewport inside cytoscape and swaps them as
 * the view moves (GraphCanvas, canvas.ts). This module is the pure part: which
 * nodes and edges a box of the model needs. No DOM, no cytoscape.
 */

import type { Positions } from './layout';
import type { IBounds, Sizes } from './viewport';

/** A node of the view: its id and compound parent, if any. */
export interface IWindowNode {
  /** Node id. */
  id: string;
  /** Compound parent (an expanded container). */
  parent?: string;
}

/** An edge of the view. */
export interface IWindowEdge {
  /** Edge id. */
  id: string;
  /** Source node id. */
  source: string;
  /** Target node id. */
  target: string;
  /** How far a bent edge bows out of the straight line (model units). */
  bend?: number;
}

/** What a window holds. */
export interface IWindowSelection {
  /** Node ids, every parent before its children. */
  nodes: string[];
  /** Edge ids whose two ends are both held. */
  edges: string[];
}

/** Room around a container's members for its padding and label (model units). */
const CONTAINER_PAD = 30;

/**
 * How far around the viewport a window reaches, in viewport sizes on each side:
 * a pan within that distance needs no change inside cytoscape. Each element
 * newly held costs its styling and first draw (~0.3 ms): on the wide 10,000-layer
 * graph a search that jumps far took 220-355 ms at margin 1, 165-245 at 0.5,
 * 150-185 at 0.25 (standalone page, headless chromium).
 */
export const WINDOW_MARGIN = 0.5;

/** The viewport box grown by `margin` of its size on each side. */
export function windowAround(view: IBounds, margin = WINDOW_MARGIN): IBounds {
  const w = (view.x2 - view.x1) * margin;
  const h = (view.y2 - view.y1) * margin;
  return { x1: view.x1 - w, y1: view.y1 - h, x2: view.x2 + w, y2: view.y2 + h };
}

/** Whether `inner` lies inside `outer`. */
export function contains(outer: IBounds, inner: IBounds): boolean {
  return (
    inner.x1 >= outer.x1 && inner.y1 >= outer.y1 && inner.x2 <= outer.x2 && inner.y2 <= outer.y2
  );
}

function overlaps(a: IBounds, b: IBounds): boolean {
  return a.x1 <= b.x2 && b.x1 <= a.x2 && a.y1 <= b.y2 && b.y1 <= a.y2;
}

function grow(box: IBounds | null, other: IBounds): IBounds {
  if (box === null) {
    return { ...other };
  }
  box.x1 = Math.min(box.x1, other.x1);
  box.y1 = Math.min(box.y1, other.y1);
  box.x2 = Math.max(box.x2, other.x2);
  box.y2 = Math.max(box.y2, other.y2);
  return box;
}

/**
 * The nodes and edges of one laid-out view, by place. A top-level node is held
 * or not as a whole: an expanded container with all its members (cytoscape
 * draws a compound around the members it holds, so a partial one would shrink).
 */
export class WindowIndex {
  /**
   * `nodes` in drawing order (every parent before its children); `positions`
   * and `sizes` of the leaves, as laid out.
   */
  constructor(
    nodes: ReadonlyArray<IWindowNode>,
    edges: ReadonlyArray<IWindowEdge>,
    positions: Positions,
    sizes: Sizes
  ) {
    const parent = new Map<string, string>();
    for (const n of nodes) {
      if (n.parent !== undefined) {
        parent.set(n.id, n.parent);
      }
    }
    const topOf = (id: string): string => {
      let top = id;
      for (let p = parent.get(top); p !== undefined; p = parent.get(top)) {
        top = p;
      }
      return top;
    };
    for (const n of nodes) {
      const top = topOf(n.id);
      this._top.set(n.id, top);
      const members = this._members.get(top);
      if (members) {
        members.push(n.id);
      } else {
        this._members.set(top, [n.id]);
        this._tops.push(top);
      }
      const p = positions.get(n.id);
      if (p) {
        const s = sizes.get(n.id) ?? { w: 80, h: 40 };
        const box = { x1: p.x - s.w / 2, y1: p.y - s.h / 2, x2: p.x + s.w / 2, y2: p.y + s.h / 2 };
        this._boxes.set(n.id, box);
        this._centres.set(n.id, p);
      }
    }
    // A container's box: its members' boxes and room for its padding.
    for (const n of [...nodes].reverse()) {
      const box = this._boxes.get(n.id);
      let p = n.parent;
      while (box && p !== undefined) {
        const padded = {
          x1: box.x1 - CONTAINER_PAD,
          y1: box.y1 - CONTAINER_PAD,
          x2: box.x2 + CONTAINER_PAD,
          y2: box.y2 + CONTAINER_PAD
        };
        this._boxes.set(p, grow(this._boxes.get(p) ?? null, padded));
        p = parent.get(p);
      }
    }
    for (const [id, box] of this._boxes) {
      if (!this._centres.has(id)) {
        this._centres.set(id, { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 });
      }
    }
    this._edges = edges.slice();
    for (const e of edges) {
      for (const [a, b] of [
        [e.source, e.target],
        [e.target, e.source]
      ]) {
        const list = this._neighbours.get(a);
        if (list) {
          list.push(b);
        } else {
          this._neighbours.set(a, [b]);
        }
      }
    }
  }

  /** Nodes in the view. */
  get nodeCount(): number {
    return this._top.size;
  }

  /** Edges in the view. */
  get edgeCount(): number {
    return this._edges.length;
  }

  /** A node's box (a container: around its members), or null when unplaced. */
  box(id: string): IBounds | null {
    return this._boxes.get(id) ?? null;
  }

  /** The nodes joined to `id` by an edge. */
  neighbours(id: string): ReadonlyArray<string> {
    return this._neighbours.get(id) ?? [];
  }

  /**
   * What to hold for `box`: every top-level node (with its members) that
   * overlaps it, both ends of every edge that crosses it, and every edge
   * between two held nodes. `extra`: nodes held wherever they are.
   */
  select(box: IBounds, extra: Iterable<string> = []): IWindowSelection {
    const tops = new Set<string>();
    for (const top of this._tops) {
      const b = this._boxes.get(top);
      if (b === undefined || overlaps(b, box)) {
        tops.add(top);
      }
    }
    for (const e of this._edges) {
      const s = this._centres.get(e.source);
      const t = this._centres.get(e.target);
      if (!s || !t) {
        continue;
      }
      const pad = Math.abs(e.bend ?? 0);
      const span = {
        x1: Math.min(s.x, t.x) - pad,
        y1: Math.min(s.y, t.y) - pad,
        x2: Math.max(s.x, t.x) + pad,
        y2: Math.max(s.y, t.y) + pad
      };
      if (overlaps(span, box)) {
        tops.add(this._top.get(e.source) ?? e.source);
        tops.add(this._top.get(e.target) ?? e.target);
      }
    }
    for (const id of extra) {
      const top = this._top.get(id);
      if (top !== undefined) {
        tops.add(top);
      }
    }
    const nodes: string[] = [];
    const held = new Set<string>();
    for (const top of this._tops) {
      if (tops.has(top)) {
        for (const id of this._members.get(top)!) {
          nodes.push(id);
          held.add(id);
        }
      }
    }
    const edges = this._edges.filter(e => held.has(e.source) && held.has(e.target)).map(e => e.id);
    return { nodes, edges };
  }

  private _top = new Map<string, string>();
  private _tops: string[] = [];
  private _members = new Map<string, string[]>();
  private _boxes = new Map<string, IBounds>();
  private _centres = new Map<string, { x: number; y: number }>();
  private _edges: IWindowEdge[];
  private _neighbours = new Map<string, string[]>();
}

/** Node style properties that change a leaf's outer size (cytoscape's outerWidth). */
const SIZE_PROPERTY = /^(width|height|padding(-\w+)?|border-width|min-(width|height)(-bias-\w+)?)$/;

/**
 * Data fields that can change a leaf node's size under a stylesheet: those its
 * selectors test (`node[kind = "dense"]`) and those its size properties map
 * (`width: data(kvLabelWidth)`, `height: mapData(params, ...)`); a field only
 * a colour or the label text reads (`label: data(label)`) is not one.
 */
export function styleFields(
  rules: ReadonlyArray<{ selector: string; style: Record<string, unknown> }>
): string[] {
  const fields = new Set<string>();
  for (const rule of rules) {
    for (const m of rule.selector.matchAll(/\[\s*[!^]*\s*([A-Za-z_][\w-]*)/g)) {
      fields.add(m[1]);
    }
    for (const [property, value] of Object.entries(rule.style)) {
      if (!SIZE_PROPERTY.test(property)) {
        continue;
      }
      for (const m of String(value).matchAll(
        /(?:data|mapData|mapLayoutData)\(\s*([A-Za-z_][\w-]*)/g
      )) {
        fields.add(m[1]);
      }
    }
  }
  return [...fields].sort();
}

/**
 * The key under which two nodes get the same size from a stylesheet that reads
 * `fields`: their classes and those data fields.
 */
export function sizeKey(
  data: Record<string, unknown>,
  classes: string,
  fields: ReadonlyArray<string>
): string {
  const parts: unknown[] = [classes.split(/\s+/).filter(Boolean).sort().join(' ')];
  for (const f of fields) {
    parts.push(data[f] ?? null);
  }
  return JSON.stringify(parts);
}
