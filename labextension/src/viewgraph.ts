/**
 * Indexes over one view payload: containers, view parents, ancestors, per-container
 * layer and parameter counts, edges by endpoint. Built once per payload, read-only,
 * no DOM. Every walk is iterative: graphs reach thousands of nodes.
 */

import type { IBlock, IFinding, IGraphEdge, IGraphNode, IModelGraph, IViewPayload } from './types';
import { validatePayload } from './validate';

/** Parameter counts of a node or container. */
export interface IParamCounts {
  /** All parameters. */
  total: number;
  /** Trainable parameters. */
  trainable: number;
  /** Non-trainable parameters. */
  non_trainable: number;
}

export { VIEW_VERSION } from './validate';

/**
 * Check the envelope of a view payload; returns a message saying what is wrong,
 * or null when the renderer can read it (see `validatePayload` in validate.ts).
 */
export function checkPayload(payload: unknown): string | null {
  const result = validatePayload(payload, false);
  return result.ok ? null : result.message;
}

/** Read-only indexes over a view payload. */
export class ViewGraph {
  /**
   * Index a payload (checked with `checkPayload` first).
   */
  constructor(payload: IViewPayload) {
    this.payload = payload;
    this.graph = payload.graph;
    const nodes = this.graph.nodes;
    nodes.forEach((n, i) => {
      this._nodes.set(n.id, n);
      this._order.set(n.id, i);
    });
    (payload.blocks ?? []).forEach((b, i) => {
      if (!this._nodes.has(b.id)) {
        this._blocks.set(b.id, b);
        this._order.set(b.id, nodes.length + i);
      }
    });
    this._indexParents();
    this._indexEdges();
    this._indexCounts();
  }

  /** The payload this graph indexes. */
  readonly payload: IViewPayload;

  /** The ModelGraph inside the payload. */
  readonly graph: IModelGraph;

  /** Ids of all containers (blocks and nested models with children), in graph order. */
  get containers(): ReadonlyArray<string> {
    return this._containers;
  }

  /** Ids of all items (graph nodes, then blocks), in graph order. */
  get itemIds(): ReadonlyArray<string> {
    return this._items;
  }

  /** The graph node with this id, if any. */
  node(id: string): IGraphNode | undefined {
    return this._nodes.get(id);
  }

  /** The block with this id, if any. */
  block(id: string): IBlock | undefined {
    return this._blocks.get(id);
  }

  /** Whether the id names a graph node or a block. */
  has(id: string): boolean {
    return this._nodes.has(id) || this._blocks.has(id);
  }

  /** Whether the id names a container (block, or nested model with children). */
  isContainer(id: string): boolean {
    return this._containerSet.has(id);
  }

  /** Position of an item in graph order (nodes first, then blocks). */
  order(id: string): number {
    return this._order.get(id) ?? Number.MAX_SAFE_INTEGER;
  }

  /** The view parent of an item, or null at the top level. */
  parentOf(id: string): string | null {
    return this._parent.get(id) ?? null;
  }

  /** View ancestors of an item, innermost first. */
  ancestors(id: string): ReadonlyArray<string> {
    return this._ancestors.get(id) ?? [];
  }

  /** Direct view children of a container (or of the top level, for null). */
  children(id: string | null): ReadonlyArray<string> {
    return this._children.get(id) ?? [];
  }

  /** Whether `id` lies (strictly) inside container `container`. */
  isInside(id: string, container: string): boolean {
    return this.ancestors(id).includes(container);
  }

  /** Display name: a node's name, or a block's label. */
  nameOf(id: string): string {
    return this._nodes.get(id)?.name ?? this._blocks.get(id)?.label ?? id;
  }

  /** Edges into a node. */
  inEdges(id: string): ReadonlyArray<IGraphEdge> {
    return this._in.get(id) ?? [];
  }

  /** Edges out of a node. */
  outEdges(id: string): ReadonlyArray<IGraphEdge> {
    return this._out.get(id) ?? [];
  }

  /** Number of leaf layers inside a container (0 for a leaf). */
  layerCount(id: string): number {
    return this._layers.get(id) ?? 0;
  }

  /**
   * Parameter counts of a node or container. A nested model counts its own
   * params (shared weights once); a block adds up its members.
   */
  params(id: string): IParamCounts {
    const node = this._nodes.get(id);
    if (node) {
      const t = node.params.trainable;
      const nt = node.params.non_trainable;
      return { total: t + nt, trainable: t, non_trainable: nt };
    }
    const p = this._blockParams.get(id) ?? { trainable: 0, non_trainable: 0 };
    return {
      total: p.trainable + p.non_trainable,
      trainable: p.trainable,
      non_trainable: p.non_trainable
    };
  }

  /** The lint findings about a node (`payload.lint`), in payload order. */
  findingsOf(id: string): ReadonlyArray<IFinding> {
    return (this.payload.lint ?? []).filter(f => f.layer === id);
  }

  /** Why a node is marked (`payload.highlight`), or null. */
  highlightReason(id: string): string | null {
    const reason = this.payload.highlight?.[id];
    return typeof reason === 'string' ? reason : null;
  }

  /** Marked nodes inside a container (`payload.highlight`), in graph order. */
  highlightedInside(id: string): ReadonlyArray<string> {
    return this._marked.get(id) ?? [];
  }

  /** The full config of a node: {name, ...config_defaults[module.class], ...config}. */
  fullConfig(id: string): Record<string, unknown> | null {
    const node = this._nodes.get(id);
    if (!node || node.config === null) {
      return null;
    }
    const key = `${node.module ?? ''}.${node.class_name}`;
    const defaults = this.graph.config_defaults?.[key] ?? {};
    return { name: node.name, ...defaults, ...node.config };
  }

  private _indexParents(): void {
    const explicit = this.payload.parents ?? {};
    const candidates: Array<[string, string | null]> = [];
    for (const n of this.graph.nodes) {
      candidates.push([n.id, explicit[n.id] ?? n.parent ?? null]);
    }
    for (const b of this._blocks.values()) {
      candidates.push([b.id, explicit[b.id] ?? b.parent ?? null]);
    }
    for (const [id, parent] of candidates) {
      this._items.push(id);
      if (parent !== null && parent !== id && this.has(parent)) {
        this._parent.set(id, parent);
      }
    }
    // Bad data could hold a parent cycle: cut each where it closes, so that
    // every walk up the hierarchy ends.
    for (const id of this._items) {
      const path = new Set<string>([id]);
      let child = id;
      let p = this._parent.get(id);
      while (p !== undefined) {
        if (path.has(p)) {
          this._parent.delete(child);
          break;
        }
        path.add(p);
        child = p;
        p = this._parent.get(p);
      }
    }
    for (const id of this._items) {
      const chain: string[] = [];
      let p = this._parent.get(id);
      while (p !== undefined) {
        chain.push(p);
        p = this._parent.get(p);
      }
      this._ancestors.set(id, chain);
    }
    for (const id of this._items) {
      const parent = this._parent.get(id) ?? null;
      let list = this._children.get(parent);
      if (!list) {
        list = [];
        this._children.set(parent, list);
      }
      list.push(id);
      if (parent !== null) {
        this._containerSet.add(parent);
      }
    }
    for (const b of this._blocks.keys()) {
      this._containerSet.add(b);
    }
    this._containers = this._items.filter(id => this._containerSet.has(id));
    // Siblings in the order of their first layer, so a block sits where its
    // members are in the model (it helps dagre's ordering, and reads naturally).
    const first = new Map<string, number>();
    this.graph.nodes.forEach((n, i) => {
      for (const id of [n.id, ...this.ancestors(n.id)]) {
        if (!first.has(id)) {
          first.set(id, i);
        }
      }
    });
    const key = (id: string) => first.get(id) ?? this.order(id);
    for (const list of this._children.values()) {
      list.sort((a, b) => key(a) - key(b) || this.order(a) - this.order(b));
    }
  }

  private _indexEdges(): void {
    for (const e of this.graph.edges) {
      if (!this._nodes.has(e.source) || !this._nodes.has(e.target)) {
        continue;
      }
      const outs = this._out.get(e.source) ?? [];
      outs.push(e);
      this._out.set(e.source, outs);
      const ins = this._in.get(e.target) ?? [];
      ins.push(e);
      this._in.set(e.target, ins);
    }
  }

  private _indexCounts(): void {
    for (const id of this._items) {
      if (this.highlightReason(id) === null) {
        continue;
      }
      for (const a of this.ancestors(id)) {
        const list = this._marked.get(a) ?? [];
        list.push(id);
        this._marked.set(a, list);
      }
    }
    for (const n of this.graph.nodes) {
      const chain = this.ancestors(n.id);
      // A layer, as kerasviz counts it everywhere (kerasviz/view/elements.py
      // counts_as_layer): not an InputLayer, not a container.
      if (!this._containerSet.has(n.id) && n.kind !== 'input') {
        for (const a of chain) {
          this._layers.set(a, (this._layers.get(a) ?? 0) + 1);
        }
      }
      // A node's params count towards the blocks around it up to the nearest
      // enclosing nested model, which counts its own params.
      for (const a of chain) {
        if (this._nodes.has(a)) {
          break;
        }
        const p = this._blockParams.get(a) ?? { trainable: 0, non_trainable: 0 };
        p.trainable += n.params.trainable;
        p.non_trainable += n.params.non_trainable;
        this._blockParams.set(a, p);
      }
    }
  }

  private _nodes = new Map<string, IGraphNode>();
  private _blocks = new Map<string, IBlock>();
  private _order = new Map<string, number>();
  private _items: string[] = [];
  private _parent = new Map<string, string>();
  private _ancestors = new Map<string, string[]>();
  private _children = new Map<string | null, string[]>();
  private _containerSet = new Set<string>();
  private _containers: string[] = [];
  private _in = new Map<string, IGraphEdge[]>();
  private _out = new Map<string, IGraphEdge[]>();
  private _layers = new Map<string, number>();
  private _marked = new Map<string, string[]>();
  private _blockParams = new Map<string, { trainable: number; non_trainable: number }>();
}
