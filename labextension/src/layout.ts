/**
 * Where the visible nodes go: the one layout of every host (Python sends no
 * positions). Small views: dagre (layered, compound-aware). Views above
 * `options.dagre_max_nodes` visible nodes (dagre overflows the stack near 2,600
 * nodes of a deep chain, and costs ~0.7 s of a 1,000-node paint): a fast
 * iterative layered layout of our own, on the sizes the browser measured.
 * Benchmarked against positions computed in Python: benchmarks/bench_browser.py.
 * Pure: no DOM, no cytoscape.
 */

import dagre from '@dagrejs/dagre';

import { edgeShapeText, representative, type CollapsedState } from './elements';
import type { Shape } from './types';
import type { ViewGraph } from './viewgraph';

/** A node to place: a leaf, a collapsed container, or an expanded compound. */
export interface ILayoutNode {
  /** Cytoscape node id. */
  id: string;
  /** Width in model units (ignored for compounds). */
  width: number;
  /** Height in model units (ignored for compounds). */
  height: number;
  /** Compound parent, if any. */
  parent?: string;
  /** Whether this is an expanded container (its box follows its children). */
  compound?: boolean;
}

/** An edge between two placed nodes. */
export interface ILayoutEdge {
  /** Source node id. */
  source: string;
  /** Target node id. */
  target: string;
}

/** Centre positions of the non-compound nodes. */
export type Positions = Map<string, { x: number; y: number }>;

/** Which layout was used. */
export type LayoutStrategy = 'dagre' | 'dagre-flat' | 'layered';

/** A computed layout. */
export interface ILayoutResult {
  /** How it was made. */
  strategy: LayoutStrategy;
  /** Where each non-compound node goes. */
  positions: Positions;
}

/**
 * `options.dagre_max_nodes` of a payload without it. Python sends its
 * `kerasviz.view.payload.DAGRE_MAX_NODES`, the same 500.
 */
export const DEFAULT_DAGRE_MAX_NODES = 500;

/**
 * Hard ceiling on what dagre is handed, whatever the options say: dagre
 * recurses per rank and overflows the stack near 2,600 nodes of a deep chain.
 */
export const DAGRE_HARD_LIMIT = 2000;

const NODE_SEP = 30;
/** Gap between ranks when no shape labels are drawn. */
const RANK_SEP = 32;

/** Font size of the shape labels (the stylesheet's `edge.kv-shapes` rule). */
export const LABEL_FONT_SIZE = 9;
/**
 * Width of one label character, as a share of the font size: more than any
 * digit, parenthesis, comma or space takes in the usual sans-serif fonts, so
 * that an estimate is never short of the drawn label.
 */
const LABEL_CHAR_EM = 0.62;
/** Background padding and cytoscape's margin around a label, each side. */
const LABEL_PAD = 3;
/**
 * Free room between a shape label and the nodes either side of it along the
 * edge: the arrowhead (about 8 px long) and some air.
 */
export const LABEL_CLEARANCE = 16;

/** Width and height a shape label takes, estimated from its text (model units). */
export function labelSize(text: string): { w: number; h: number } {
  if (text === '') {
    return { w: 0, h: 0 };
  }
  return {
    w: Math.ceil(text.length * LABEL_FONT_SIZE * LABEL_CHAR_EM) + 2 * LABEL_PAD,
    h: Math.ceil(LABEL_FONT_SIZE * 1.3) + 2 * LABEL_PAD
  };
}

/**
 * The shape label of each laid-out edge (by index), as the elements write it
 * (`edgeShapeText`, elements.ts): the distinct shapes of the graph edges it
 * stands for.
 */
export function edgeLabels(
  vg: ViewGraph,
  collapsed: CollapsedState,
  edges: ReadonlyArray<ILayoutEdge>
): string[] {
  const shapes = new Map<string, Array<Shape | null>>();
  for (const e of vg.graph.edges) {
    const key = `${representative(vg, collapsed, e.source)}\u0000${representative(vg, collapsed, e.target)}`;
    const list = shapes.get(key) ?? [];
    list.push(e.shape);
    shapes.set(key, list);
  }
  return edges.map(e => edgeShapeText(shapes.get(`${e.source}\u0000${e.target}`) ?? []));
}

/** dagre, with compound nodes; throws on dagre errors. */
export function dagreLayout(
  nodes: ReadonlyArray<ILayoutNode>,
  edges: ReadonlyArray<ILayoutEdge>,
  rankdir: 'TB' | 'LR',
  compound = true,
  rankSep = RANK_SEP,
  labels?: ReadonlyArray<{ w: number; h: number }>
): Positions {
  const g = new dagre.graphlib.Graph({ compound, multigraph: false });
  g.setGraph({ rankdir, nodesep: NODE_SEP, ranksep: rankSep, edgesep: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) {
    if (n.compound) {
      if (compound) {
        g.setNode(n.id, {});
      }
    } else {
      g.setNode(n.id, { width: n.width, height: n.height });
    }
  }
  if (compound) {
    for (const n of nodes) {
      if (n.parent !== undefined && g.hasNode(n.parent)) {
        g.setParent(n.id, n.parent);
      }
    }
  }
  // An edge into a compound gets two ranks, so that the compound's label (drawn
  // above its box) and the edge's shape label do not sit on each other.
  const parentOf = new Map<string, string>();
  for (const n of nodes) {
    if (n.parent !== undefined) {
      parentOf.set(n.id, n.parent);
    }
  }
  const entersCompound = (source: string, target: string): boolean => {
    const around = new Set<string>();
    for (let p = parentOf.get(source); p !== undefined; p = parentOf.get(p)) {
      around.add(p);
    }
    const first = parentOf.get(target);
    return first !== undefined && !around.has(first);
  };
  // With labels, dagre gives each edge a rank of its own for its label, as
  // thick as the label is long along the edge, with rankSep / 2 either side.
  edges.forEach((e, i) => {
    if (g.hasNode(e.source) && g.hasNode(e.target) && e.source !== e.target) {
      const label = labels?.[i];
      g.setEdge(e.source, e.target, {
        ...(compound && entersCompound(e.source, e.target) ? { minlen: 2 } : {}),
        ...(label ? { width: label.w, height: label.h, labelpos: 'c' } : {})
      });
    }
  });
  dagre.layout(g);
  const positions: Positions = new Map();
  for (const n of nodes) {
    if (!n.compound) {
      const label = g.node(n.id) as { x: number; y: number };
      positions.set(n.id, { x: label.x, y: label.y });
    }
  }
  return positions;
}

/** Barycenter passes ordering the rows of the layered layout (down, up, ...). */
const ORDER_SWEEPS = 4;

/**
 * A layered layout for big graphs, iterative throughout: longest-path layers in
 * topological order (edges closing a cycle are ignored), ORDER_SWEEPS
 * barycenter passes to order each layer, then rows centred on x = 0, each as
 * thick as its thickest node and `rankSep` apart.
 */
export function layeredLayout(
  nodes: ReadonlyArray<ILayoutNode>,
  edges: ReadonlyArray<ILayoutEdge>,
  rankdir: 'TB' | 'LR',
  rankSep = RANK_SEP
): Positions {
  const leaves = nodes.filter(n => !n.compound);
  const index = new Map<string, number>();
  leaves.forEach((n, i) => index.set(n.id, i));
  const count = leaves.length;
  const preds: number[][] = Array.from({ length: count }, () => []);
  const succs: number[][] = Array.from({ length: count }, () => []);
  const indegree = new Array<number>(count).fill(0);
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined || s === t) {
      continue;
    }
    succs[s].push(t);
    preds[t].push(s);
    indegree[t]++;
  }
  // Kahn's algorithm; nodes stuck on a cycle are released in input order.
  const layer = new Array<number>(count).fill(0);
  const done = new Array<boolean>(count).fill(false);
  const queued = new Array<boolean>(count).fill(false);
  const queue: number[] = [];
  const enqueue = (v: number) => {
    queued[v] = true;
    queue.push(v);
  };
  for (let i = 0; i < count; i++) {
    if (indegree[i] === 0) {
      enqueue(i);
    }
  }
  let head = 0;
  let nextStuck = 0;
  for (let placed = 0; placed < count; placed++) {
    if (head >= queue.length) {
      while (queued[nextStuck]) {
        nextStuck++;
      }
      enqueue(nextStuck);
    }
    const v = queue[head++];
    done[v] = true;
    for (const u of preds[v]) {
      if (done[u] && u !== v) {
        layer[v] = Math.max(layer[v], layer[u] + 1);
      }
    }
    for (const w of succs[v]) {
      if (--indegree[w] === 0 && !queued[w]) {
        enqueue(w);
      }
    }
  }
  const layers: number[][] = [];
  for (const v of queue) {
    (layers[layer[v]] ??= []).push(v);
  }
  // Order each layer by the mean slot of its placed predecessors.
  const slot = new Array<number>(count).fill(0);
  for (const row of layers) {
    if (!row) {
      continue;
    }
    const key = row.map(v => {
      const ps = preds[v].filter(u => layer[u] < layer[v]);
      return ps.length ? ps.reduce((a, u) => a + slot[u], 0) / ps.length : Number.MAX_VALUE;
    });
    const order = row.map((_v, i) => i).sort((a, b) => key[a] - key[b] || a - b);
    order.forEach((i, k) => {
      slot[row[i]] = k;
    });
    row.splice(0, row.length, ...order.map(i => row[i]));
  }
  // Then barycenter sweeps up and down: each node moves towards the mean slot of
  // its neighbours in the rows already placed (fewer crossings).
  for (let sweep = 1; sweep < ORDER_SWEEPS; sweep++) {
    const down = sweep % 2 === 0;
    for (let k = 0; k < layers.length; k++) {
      const row = layers[down ? k : layers.length - 1 - k];
      if (!row) {
        continue;
      }
      const key = row.map(v => {
        const near = (down ? preds[v] : succs[v]).filter(u =>
          down ? layer[u] < layer[v] : layer[u] > layer[v]
        );
        return near.length ? near.reduce((a, u) => a + slot[u], 0) / near.length : slot[v];
      });
      const order = row.map((_v, i) => i).sort((a, b) => key[a] - key[b] || a - b);
      const sorted = order.map(i => row[i]);
      sorted.forEach((v, i) => {
        slot[v] = i;
      });
      row.splice(0, row.length, ...sorted);
    }
  }
  const positions: Positions = new Map();
  const horizontal = rankdir === 'LR';
  let depth = 0;
  for (const row of layers) {
    if (!row) {
      continue;
    }
    // Along the row: widths (TB) or heights (LR); across: the row's thickness.
    const along = (v: number) => (horizontal ? leaves[v].height : leaves[v].width);
    const across = Math.max(...row.map(v => (horizontal ? leaves[v].width : leaves[v].height)));
    const total = row.reduce((a, v) => a + along(v), 0) + NODE_SEP * (row.length - 1);
    let cursor = -total / 2;
    for (const v of row) {
      const centre = cursor + along(v) / 2;
      const c = depth + across / 2;
      positions.set(leaves[v].id, horizontal ? { x: c, y: centre } : { x: centre, y: c });
      cursor += along(v) + NODE_SEP;
    }
    depth += across + rankSep;
  }
  return positions;
}

/**
 * Whether a view of this many non-compound nodes is laid out by dagre; bigger
 * views get the layered layout.
 */
export function usesDagre(vg: ViewGraph, visible: number): boolean {
  const limit = Math.min(
    vg.payload.options?.dagre_max_nodes ?? DEFAULT_DAGRE_MAX_NODES,
    DAGRE_HARD_LIMIT
  );
  return visible <= limit;
}

/**
 * Lay out the visible nodes: dagre up to `options.dagre_max_nodes` (at most
 * DAGRE_HARD_LIMIT) non-compound nodes, else the layered layout. A dagre
 * failure falls back to dagre without compounds, then to the layered layout.
 * Either way the gap between two ranks holds the longest shape label along the
 * edges, with LABEL_CLEARANCE either side. (`payload.positions`, which older
 * payloads carry, are ignored.)
 */
export function computeLayout(
  vg: ViewGraph,
  collapsed: CollapsedState,
  nodes: ReadonlyArray<ILayoutNode>,
  edges: ReadonlyArray<ILayoutEdge>
): ILayoutResult {
  const rankdir = vg.payload.options?.rankdir === 'LR' ? 'LR' : 'TB';
  // A shape label sits at the middle of its edge: the gap between two ranks
  // holds it, along the edge (its width left to right, its height top to
  // bottom), with LABEL_CLEARANCE for the arrowhead and air on both sides.
  const shapes = vg.payload.options?.show_shapes !== false;
  const labels = shapes ? edgeLabels(vg, collapsed, edges).map(labelSize) : undefined;
  const longest = Math.max(0, ...(labels ?? []).map(l => (rankdir === 'LR' ? l.w : l.h)));
  const rankSep = labels ? 2 * LABEL_CLEARANCE : RANK_SEP;
  const layeredSep = labels ? longest + 2 * LABEL_CLEARANCE : RANK_SEP;
  const visible = nodes.reduce((a, n) => a + (n.compound ? 0 : 1), 0);
  if (usesDagre(vg, visible)) {
    const hasCompounds = nodes.some(n => n.compound);
    try {
      return {
        strategy: 'dagre',
        positions: dagreLayout(nodes, edges, rankdir, hasCompounds, rankSep, labels)
      };
    } catch {
      // dagre's compound ranking can fail on some nestings; leaves only then.
    }
    if (hasCompounds) {
      try {
        return {
          strategy: 'dagre-flat',
          positions: dagreLayout(nodes, edges, rankdir, false, rankSep, labels)
        };
      } catch {
        // Fall through to the layered layout.
      }
    }
  }
  return { strategy: 'layered', positions: layeredLayout(nodes, edges, rankdir, layeredSep) };
}

/**
 * Half the extent, across a bowed edge, that its shape label is given room for:
 * top to bottom a label lies across the edge (half its width; shapes of up to
 * about 17 characters), left to right along it (half its height).
 */
export const BENT_LABEL_HALF = { TB: 55, LR: 12 } as const;

/**
 * Edges drawn straight would run through other nodes when both ends sit in one
 * column (a residual connection around a chain). Returns, per such edge index,
 * how far to bow it out (a bezier control-point distance). The label sits at
 * the middle of the curve, half that distance from the column: far enough that
 * a label of `labelHalf` (half its extent across the edge) clears the column.
 */
export function bentEdges(
  positions: Positions,
  sizes: ReadonlyMap<string, { w: number; h: number }>,
  edges: ReadonlyArray<ILayoutEdge>,
  rankdir: 'TB' | 'LR',
  labelHalf: number = BENT_LABEL_HALF[rankdir]
): Map<number, number> {
  const horizontal = rankdir === 'LR';
  const along = (p: { x: number; y: number }) => (horizontal ? p.x : p.y);
  const across = (p: { x: number; y: number }) => (horizontal ? p.y : p.x);
  const thickness = (id: string) => {
    const size = sizes.get(id) ?? { w: 0, h: 0 };
    return horizontal ? size.h : size.w;
  };
  // Every node by its position along the layout direction, for range lookups.
  const sorted = [...positions.entries()]
    .map(([id, p]) => ({ id, along: along(p), across: across(p), half: thickness(id) / 2 }))
    .sort((a, b) => a.along - b.along);
  const firstAfter = (value: number): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].along <= value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  const bends = new Map<number, number>();
  edges.forEach((e, i) => {
    const s = positions.get(e.source);
    const t = positions.get(e.target);
    if (!s || !t) {
      return;
    }
    const line = across(s);
    if (Math.abs(line - across(t)) > Math.min(thickness(e.source), thickness(e.target)) / 2) {
      return;
    }
    const lo = Math.min(along(s), along(t));
    const hi = Math.max(along(s), along(t));
    for (let k = firstAfter(lo); k < sorted.length && sorted[k].along < hi; k++) {
      const n = sorted[k];
      if (n.id !== e.source && n.id !== e.target && Math.abs(n.across - line) < n.half + 4) {
        const column = Math.max(thickness(e.source), thickness(e.target), n.half * 2) / 2;
        bends.set(i, 2 * (column + labelHalf + 8));
        return;
      }
    }
  });
  return bends;
}
