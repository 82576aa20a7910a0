/**
 * Pure functions from a view payload to cytoscape element definitions, given the
 * set of collapsed containers, and the collapse/expand state transitions. No DOM,
 * no cytoscape instance: unit tested in src/__tests__/elements.test.ts.
 *
 * `buildElements` owns the drawing's element rules for every host (the live
 * widget, the JupyterLab MIME renderer, the standalone HTML): node ids, labels
 * (`(1 layer)`, `(N layers)`), kinds (`block`), parameter counts, classes, edge
 * ids (`e:source->target`), re-routing and merging. Python's exports
 * (`to_ipycytoscape`, Graphviz: kerasviz/export/cytoscape.py) follow them;
 * src/__tests__/export.test.ts checks the two agree on real models
 * (fixtures/export_elements.json, written by scripts/make_fixtures.py).
 */

import { formatShape } from './format';
import type { Shape } from './types';
import { ViewGraph } from './viewgraph';

export { formatCount, formatShape, formatShapes } from './format';
export { containerSummary, searchNodes } from './search';
export type { IContainerSummary, ISearchHit } from './search';

/** Which containers are shown collapsed (as one node). */
export type CollapsedState = ReadonlySet<string>;

/** Data of a cytoscape node made by `buildElements`. */
export interface INodeData {
  /** ModelGraph node id, block id, or nested-model node id. */
  id: string;
  /** Layer name, or block label. */
  name: string;
  /**
   * `name\nClassName`; a collapsed container `label\n(N layers)`; an expanded
   * one its label (a block) or `name (ClassName)` (a nested model), one line.
   */
  label: string;
  /** Layer family; `block` for a block. */
  kind: string;
  /** Python class name; `Block` for a block. */
  class_name: string;
  /** Total parameters (a container: of its members). */
  params: number;
  /** Leaf layers inside (containers only). */
  layers?: number;
  /** Compound parent (an expanded container), if any. */
  parent?: string;
}

/** Data of a cytoscape edge made by `buildElements`. */
export interface IEdgeData {
  /** Edge id (`e:` + source + `->` + target). */
  id: string;
  /** Visible source node. */
  source: string;
  /** Visible target node. */
  target: string;
  /** Keras-style shape text, several joined with " | ", or "". */
  shape: string;
  /** How many graph edges this edge stands for. */
  count: number;
}

/** A cytoscape element definition. */
export interface IElementDef {
  /** Element group. */
  group: 'nodes' | 'edges';
  /** Element data. */
  data: INodeData | IEdgeData;
  /** Space-separated classes. */
  classes: string;
}

/** The containers collapsed at first view: `payload.collapsed`, known ids only. */
export function initialCollapsed(vg: ViewGraph): CollapsedState {
  return new Set((vg.payload.collapsed ?? []).filter(id => vg.isContainer(id)));
}

/** The outermost collapsed container around `id`, or null if none. */
export function collapsedAncestor(
  vg: ViewGraph,
  collapsed: CollapsedState,
  id: string
): string | null {
  const chain = vg.ancestors(id);
  for (let i = chain.length - 1; i >= 0; i--) {
    if (collapsed.has(chain[i])) {
      return chain[i];
    }
  }
  return null;
}

/** The visible node that stands for `id`: itself, or its outermost collapsed container. */
export function representative(vg: ViewGraph, collapsed: CollapsedState, id: string): string {
  return collapsedAncestor(vg, collapsed, id) ?? id;
}

/** Collapse a container (no-op for anything else). */
export function collapse(vg: ViewGraph, state: CollapsedState, id: string): CollapsedState {
  if (!vg.isContainer(id) || state.has(id)) {
    return state;
  }
  return new Set(state).add(id);
}

/** Expand a container, and every collapsed container around it so it shows. */
export function expand(vg: ViewGraph, state: CollapsedState, id: string): CollapsedState {
  const next = new Set(state);
  next.delete(id);
  for (const a of vg.ancestors(id)) {
    next.delete(a);
  }
  return next;
}

/** Expand the collapsed containers around `id` (not `id` itself), so it shows. */
export function reveal(vg: ViewGraph, state: CollapsedState, id: string): CollapsedState {
  if (collapsedAncestor(vg, state, id) === null) {
    return state;
  }
  const next = new Set(state);
  for (const a of vg.ancestors(id)) {
    next.delete(a);
  }
  return next;
}

/** Collapse an expanded container, expand a collapsed one. */
export function toggle(vg: ViewGraph, state: CollapsedState, id: string): CollapsedState {
  return state.has(id) ? expand(vg, state, id) : collapse(vg, state, id);
}

/** Every container expanded. */
export function expandAll(): CollapsedState {
  return new Set();
}

/** Every container collapsed (inner ones too, so they open one level at a time). */
export function collapseAll(vg: ViewGraph): CollapsedState {
  return new Set(vg.containers);
}

/** Node classes every visible node of this id gets. */
function commonClasses(vg: ViewGraph, collapsed: CollapsedState, id: string): string[] {
  const classes: string[] = [];
  // A collapsed container is marked when it hides a marked node.
  if (
    vg.highlightReason(id) !== null ||
    (collapsed.has(id) && vg.highlightedInside(id).length > 0)
  ) {
    classes.push('kv-highlight');
  }
  const model = vg.graph.model;
  if (model.inputs.includes(id)) {
    classes.push('kv-input');
  }
  if (model.outputs.includes(id)) {
    classes.push('kv-output');
  }
  if (vg.node(id)?.error) {
    classes.push('kv-error');
  }
  if (!model.built) {
    classes.push('kv-unbuilt');
  }
  // A construction step's marks (a replay, an explained error) and lint badges.
  const mark = vg.payload.marks?.[id];
  if (mark !== undefined) {
    classes.push(`kv-mark-${mark}`);
  }
  if (vg.findingsOf(id).length > 0) {
    classes.push('kv-lint');
  }
  return classes;
}

function nodeElement(vg: ViewGraph, collapsed: CollapsedState, id: string): IElementDef {
  const node = vg.node(id);
  const block = vg.block(id);
  const name = vg.nameOf(id);
  const classes = commonClasses(vg, collapsed, id);
  let data: INodeData;
  if (vg.isContainer(id)) {
    const layers = vg.layerCount(id);
    const isCollapsed = collapsed.has(id);
    const className = block ? 'Block' : node!.class_name;
    let label: string;
    if (isCollapsed) {
      label = `${name}\n(${layers} ${layers === 1 ? 'layer' : 'layers'})`;
    } else {
      label = block ? name : `${name} (${className})`;
    }
    data = {
      id,
      name,
      label,
      kind: block ? 'block' : node!.kind,
      class_name: className,
      params: vg.params(id).total,
      layers
    };
    classes.push(isCollapsed ? 'kv-collapsed' : 'kv-container', block ? 'kv-block' : 'kv-model');
  } else {
    const n = node!;
    data = {
      id,
      name,
      label: `${name}\n${n.class_name}`,
      kind: n.kind,
      class_name: n.class_name,
      params: n.params.trainable + n.params.non_trainable
    };
  }
  const parent = vg.parentOf(id);
  if (parent !== null) {
    data.parent = parent;
  }
  return { group: 'nodes', data, classes: classes.join(' ') };
}

/** An aggregated edge lists at most this many distinct shapes, then "…". */
export const MAX_EDGE_SHAPES = 3;

/**
 * The shape label of an edge that stands for graph edges of these shapes: the
 * distinct known shapes (`formatShape`) in first-seen order joined by " | ", at
 * most MAX_EDGE_SHAPES then "…"; "" when no shape is known. The one rule for
 * edge labels: layout.ts sizes the gaps between ranks by it, and Python's
 * exports follow it (kerasviz/export/cytoscape.py `edge_shape_text`, checked
 * against this through fixtures/shape_text.json).
 */
export function edgeShapeText(shapes: ReadonlyArray<Shape | null | undefined>): string {
  const unique: string[] = [];
  for (const s of shapes) {
    if (s === null || s === undefined) {
      continue;
    }
    const text = formatShape(s);
    if (!unique.includes(text)) {
      unique.push(text);
    }
  }
  return unique.length > MAX_EDGE_SHAPES
    ? `${unique.slice(0, MAX_EDGE_SHAPES).join(' | ')} | …`
    : unique.join(' | ');
}

/**
 * The cytoscape elements of the payload when the containers in `collapsed` are
 * shown as single nodes. Parents come before their children. Edges run between
 * visible nodes (each endpoint re-routed to its outermost collapsed container);
 * edges inside one collapsed container are dropped, and parallel edges merged
 * into one with `count`.
 */
export function buildElements(vg: ViewGraph, collapsed: CollapsedState): IElementDef[] {
  const out: IElementDef[] = [];
  // Depth-first from the top level, so that every parent precedes its children.
  const stack: string[] = [...vg.children(null)].reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    out.push(nodeElement(vg, collapsed, id));
    if (vg.isContainer(id) && !collapsed.has(id)) {
      const kids = vg.children(id);
      for (let i = kids.length - 1; i >= 0; i--) {
        stack.push(kids[i]);
      }
    }
  }
  const showShapes = vg.payload.options?.show_shapes ?? true;
  const merged = new Map<string, { source: string; target: string; shapes: Array<Shape | null> }>();
  for (const e of vg.graph.edges) {
    if (!vg.node(e.source) || !vg.node(e.target)) {
      continue;
    }
    const source = representative(vg, collapsed, e.source);
    const target = representative(vg, collapsed, e.target);
    if (source === target) {
      continue;
    }
    const key = `${source}\u0000${target}`;
    const entry = merged.get(key);
    if (entry) {
      entry.shapes.push(e.shape);
    } else {
      merged.set(key, { source, target, shapes: [e.shape] });
    }
  }
  const usedIds = new Set<string>();
  for (const { source, target, shapes } of merged.values()) {
    let id = `e:${source}->${target}`;
    for (let k = 2; usedIds.has(id); k++) {
      id = `e:${source}->${target}#${k}`;
    }
    usedIds.add(id);
    // An edge into a node this step made (or the call that failed) is marked too.
    const mark = vg.payload.marks?.[target];
    const classes = [
      showShapes ? 'kv-shapes' : '',
      mark === 'new' || mark === 'failed' ? `kv-mark-${mark}` : ''
    ]
      .filter(c => c !== '')
      .join(' ');
    out.push({
      group: 'edges',
      data: { id, source, target, shape: edgeShapeText(shapes), count: shapes.length },
      classes
    });
  }
  return out;
}
