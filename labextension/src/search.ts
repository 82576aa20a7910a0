/**
 * Finding layers by name, and the facts shown for a container (layer count,
 * params, shapes at its boundary). Pure functions over a ViewGraph.
 */

import type { IGraphEdge, Shape } from './types';
import type { IParamCounts, ViewGraph } from './viewgraph';

/** One search result. */
export interface ISearchHit {
  /** Node, block or nested-model id. */
  id: string;
  /** 0: exact name (or id), 1: prefix, 2: substring. */
  rank: 0 | 1 | 2;
  /** Collapsed containers to expand (outermost first) so the hit shows. */
  expand: string[];
}

function matchRank(text: string, q: string): 0 | 1 | 2 | 3 {
  const t = text.toLowerCase();
  if (t === q) {
    return 0;
  }
  if (t.startsWith(q)) {
    return 1;
  }
  return t.includes(q) ? 2 : 3;
}

/**
 * Layers, blocks and nested models whose name (or id) contains `query`, case
 * insensitive, best first: exact before prefix before substring, then in graph
 * order. Each hit says which collapsed containers hide it.
 */
export function searchNodes(
  vg: ViewGraph,
  query: string,
  collapsed: ReadonlySet<string>
): ISearchHit[] {
  const q = query.trim().toLowerCase();
  if (q === '') {
    return [];
  }
  const hits: ISearchHit[] = [];
  for (const id of vg.itemIds) {
    const rank = Math.min(matchRank(vg.nameOf(id), q), matchRank(id, q));
    if (rank === 3) {
      continue;
    }
    const chain = vg.ancestors(id);
    const expand: string[] = [];
    for (let i = chain.length - 1; i >= 0; i--) {
      if (collapsed.has(chain[i])) {
        expand.push(chain[i]);
      }
    }
    hits.push({ id, rank: rank as 0 | 1 | 2, expand });
  }
  hits.sort((a, b) => a.rank - b.rank || vg.order(a.id) - vg.order(b.id));
  return hits;
}

/** The last search: its query, the match shown, and whether Enter asked for it. */
export interface ISearchState {
  /** The query as typed. */
  query: string;
  /** Index of the match shown. */
  index: number;
  /** Whether it came from Enter (not from typing). */
  entered: boolean;
}

/**
 * Which of `count` matches (best first) a search shows. Typing shows the best
 * (an exact name first); so does the first Enter on a query, even when typing
 * already showed it; each further Enter on the same query shows the next one,
 * round to the first again.
 */
export function searchIndex(
  last: ISearchState,
  query: string,
  enter: boolean,
  count: number
): number {
  if (count <= 0) {
    return 0;
  }
  if (enter && last.entered && last.query === query) {
    return (last.index + 1) % count;
  }
  return 0;
}

/** What the inspector shows for a container. */
export interface IContainerSummary {
  /** Leaf layers inside. */
  layers: number;
  /** Parameter counts. */
  params: IParamCounts;
  /** Shapes of the tensors entering it (one per distinct tensor). */
  inputShapes: Array<Shape | null>;
  /** Shapes of the tensors leaving it, model outputs included. */
  outputShapes: Array<Shape | null>;
}

function tensorKey(e: IGraphEdge): string {
  return `${e.source}\u0000${e.source_call ?? 0}\u0000${e.source_output}`;
}

/**
 * Layer count, params, and the shapes at the boundary of a container: the
 * distinct tensors that cross into it and out of it (a model output produced
 * inside counts as leaving). A nested model reports the shapes of its calls.
 */
export function containerSummary(vg: ViewGraph, id: string): IContainerSummary {
  const node = vg.node(id);
  const summary: IContainerSummary = {
    layers: vg.layerCount(id),
    params: vg.params(id),
    inputShapes: [],
    outputShapes: []
  };
  if (node && node.calls.length > 0) {
    for (const call of node.calls) {
      summary.inputShapes.push(...call.input_shapes);
      summary.outputShapes.push(...call.output_shapes);
    }
    return summary;
  }
  const inside = (x: string) => x === id || vg.isInside(x, id);
  const seenIn = new Set<string>();
  const seenOut = new Set<string>();
  for (const e of vg.graph.edges) {
    const s = inside(e.source);
    const t = inside(e.target);
    if (t && !s && !seenIn.has(tensorKey(e))) {
      seenIn.add(tensorKey(e));
      summary.inputShapes.push(e.shape);
    } else if (s && !t && !seenOut.has(tensorKey(e))) {
      seenOut.add(tensorKey(e));
      summary.outputShapes.push(e.shape);
    }
  }
  const model = vg.graph.model;
  model.outputs.forEach((out, i) => {
    const producedInside = inside(out);
    const consumed = vg.outEdges(out).some(e => !inside(e.target));
    if (producedInside && !consumed) {
      summary.outputShapes.push(model.output_shapes?.[i] ?? null);
    }
  });
  return summary;
}
