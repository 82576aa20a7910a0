/**
 * GraphCanvas: the cytoscape instance of one view. Elements from the collapsed
 * state, stylesheet with CSS variables resolved, layout, viewport, selection
 * and search marks. GraphView (graphview.ts) owns the state and the DOM around.
 */

import cytoscape from 'cytoscape';

import { CanvasHint, wheelHintText } from './chrome';
import * as E from './elements';
import { bentEdges, computeLayout, type LayoutStrategy, type Positions } from './layout';
import {
  BIG_VIEW_NODES,
  bigViewRules,
  type IRenderPlan,
  renderPlan,
  rendererOptions,
  webgl2Kind,
  webglUsable
} from './lod';
import { LABEL_HEIGHT, LABEL_WIDTH, LabelMeasurer, replaceLabelSizing } from './measure';
import {
  computedLookup,
  ownSelection,
  payloadStylesheet,
  resolveStylesheet,
  SELECTED_CLASS
} from './theme';
import type { IPaint } from './overlay';
import { contains, sizeKey, styleFields, WINDOW_MARGIN, WindowIndex, windowAround } from './window';
import type { ViewGraph } from './viewgraph';
import {
  boundsOf,
  canvasHeightFor,
  centreOn,
  centreOnBoxes,
  fitBounds,
  fitZoom,
  floorZoom,
  initialView,
  invalidateContainerPosition,
  maxCanvasHeight,
  READABLE_ZOOM,
  union,
  type IBounds,
  type Sizes
} from './viewport';

/** Edge data field: how far a `kv-bent` edge bows out. */
const BEND = 'kvBend';

/** How long after a jump (search, a link) a windowed view holds its surroundings too. */
const WIDEN_AFTER_MS = 150;

/** Pointer events before which cytoscape's cached container position is refreshed. */
const FRESH_POSITION_EVENTS = ['mouseover', 'mousedown', 'touchstart', 'wheel'] as const;

/** Said by "Fit" when the whole graph does not fit at a readable size. */
export const FIT_HINT =
  'Too big to fit at a readable size: drag to pan, Ctrl/⌘ + scroll to zoom out';

/** An element definition as GraphCanvas keeps it. */
type ElementDef = E.IElementDef & { pannable?: boolean; position?: { x: number; y: number } };

/** How many elements a view has, and how many of them cytoscape holds. */
export interface IElementCounts {
  /** Nodes of the view (its collapsed state). */
  nodes: number;
  /** Edges of the view. */
  edges: number;
  /** Nodes inside cytoscape (all of them unless the view is windowed). */
  heldNodes: number;
  /** Edges inside cytoscape. */
  heldEdges: number;
}

/** What the user did on the canvas. */
export interface ICanvasEvents {
  /** A node was tapped. */
  tapNode(id: string, isCollapsed: boolean): void;
  /** The background was tapped. */
  tapBackground(): void;
  /** A node was double-tapped: `container` is it (if expanded) or its parent. */
  doubleTap(container: string | null): void;
}

/**
 * Cytoscape for a plan. Once one view of the page drew with WebGL, cytoscape's
 * canvas renderer gives every later one a fourth canvas layer with a WebGL 2
 * context too (a flag left on its prototype), which only a WebGL view uses:
 * release it, or a notebook of many views would use up the browser's ~16
 * contexts and lose the big view's.
 */
function makeCytoscape(plan: IRenderPlan, options: cytoscape.CytoscapeOptions): cytoscape.Core {
  const cy = cytoscape(options);
  if (plan.renderer !== 'webgl') {
    type Internals = { data?: { canvases?: HTMLCanvasElement[]; contexts?: unknown[] } };
    const data = (cy as unknown as { renderer(): Internals }).renderer().data;
    const extra = data?.canvases?.[3];
    if (data?.canvases && data.contexts && extra) {
      const gl = data.contexts[3] as WebGL2RenderingContext | null;
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
      extra.remove();
      data.canvases.length = 3;
      data.contexts.length = 3;
    }
  }
  return cy;
}

/**
 * Node sizes for a windowed view's layout without styling every node:
 * cytoscape (headless) sizes one node per size key (window.ts `sizeKey`: its
 * classes and the data fields the stylesheet reads), and every node gets its
 * key's size. Selectors on the compound structure (`:parent`, `>`) are not
 * keyed: the nodes sized are leaves.
 */
export function probeSizes(
  style: cytoscape.StylesheetJson,
  nodes: ReadonlyArray<E.IElementDef>
): Sizes {
  const fields = styleFields(style as unknown as Parameters<typeof styleFields>[0]);
  const keyOf = new Map<string, string>();
  const probes = new Map<string, cytoscape.ElementDefinition>();
  for (const def of nodes) {
    const key = sizeKey(def.data as unknown as Record<string, unknown>, def.classes, fields);
    keyOf.set(def.data.id, key);
    if (!probes.has(key)) {
      const data: Record<string, unknown> = { ...def.data, id: `p${probes.size}` };
      delete data.parent;
      probes.set(key, { group: 'nodes', data, classes: def.classes });
    }
  }
  const probe = cytoscape({
    headless: true,
    styleEnabled: true,
    style,
    elements: [...probes.values()]
  });
  const byKey = new Map<string, { w: number; h: number }>();
  for (const [key, def] of probes) {
    const n = probe.getElementById(String(def.data.id));
    byKey.set(key, { w: Math.max(n.outerWidth(), 1), h: Math.max(n.outerHeight(), 1) });
  }
  probe.destroy();
  const sizes: Sizes = new Map();
  for (const [id, key] of keyOf) {
    sizes.set(id, byKey.get(key)!);
  }
  return sizes;
}

/** The cytoscape canvas of one view payload. */
export class GraphCanvas {
  /**
   * Make cytoscape in `container` (which must have a size), lay out and set
   * the first view. `styleRoot` is where CSS variables are read.
   */
  constructor(
    container: HTMLElement,
    vg: ViewGraph,
    collapsed: E.CollapsedState,
    styleRoot: Element,
    events: ICanvasEvents
  ) {
    this._vg = vg;
    this._collapsed = collapsed;
    this._styleRoot = styleRoot;
    // Chosen once, on every leaf the view can show (so opening blocks keeps it);
    // `window.kvRenderer` ('webgl' / 'canvas') overrides it for benchmarks.
    const force = (window as { kvRenderer?: unknown }).kvRenderer;
    const leaves = vg.graph.nodes.length;
    const webgl = leaves > BIG_VIEW_NODES && webglUsable(webgl2Kind(), force);
    this._plan = renderPlan(leaves, webgl);
    container.dataset.kvRenderer = this._plan.renderer;
    // A big view is windowed: cytoscape holds only what is near the viewport
    // (window.ts), and this class keeps every element's definition.
    this._windowed = this._plan.big;
    const style = this._resolvedStyle();
    this._style = style;
    this._styleKey = JSON.stringify(style);
    this._container = container;
    const elements = this._elements();
    // The plain wheel scrolls the page (as over an embedded map); Ctrl/⌘ + wheel
    // and pinch zoom. Cytoscape zooms on every wheel, so this listener, added
    // before cytoscape adds its own, lets it zoom only with the key down, and
    // the bubbling one turns zooming back on for touch pinches.
    container.addEventListener('wheel', this._onWheelCapture, { capture: true, passive: true });
    container.addEventListener('wheel', this._onWheelBubble, { passive: true });
    this._hint = new CanvasHint();
    this.cy = makeCytoscape(this._plan, {
      container,
      elements: this._windowed ? [] : elements,
      layout: { name: 'null' },
      style,
      minZoom: 0.01,
      maxZoom: 4,
      boxSelectionEnabled: false,
      // Positions carry the model's structure, so nodes are not dragged; and the
      // selection is the `kv-selected` class kept by setSelected. Both spare every
      // press and release a pass over all elements (grab bookkeeping, cytoscape's
      // own select/unselect) and a redraw: a click on 5,000 nodes did ~30 ms more.
      autoungrabify: true,
      autounselectify: true,
      ...rendererOptions(this._plan)
    });
    this._bind(events);
    // A scroll event arrives a frame after the scroll, so a click right after
    // one (or after the notebook re-laid itself out) would be mapped with the
    // old position: refresh it as the pointer arrives, before cytoscape reads it.
    for (const type of FRESH_POSITION_EVENTS) {
      container.addEventListener(type, this._invalidate, { capture: true, passive: true });
    }
    container.append(this._hint.node);
    this._layout();
    this._sizeToGraph(false);
    this.firstView();
  }

  /** The cytoscape instance. */
  readonly cy: cytoscape.Core;

  /** How the current layout was made. */
  get strategy(): LayoutStrategy {
    return this._strategy;
  }

  /** Milliseconds the last layout took (computeLayout and bent edges). */
  get layoutMs(): number {
    return this._layoutMs;
  }

  /** How cytoscape draws this view. */
  get renderer(): IRenderPlan['renderer'] {
    return this._plan.renderer;
  }

  /** Whether the user panned or zoomed since the last programmatic view. */
  get userMoved(): boolean {
    return this._userMoved;
  }

  /** Show another collapsed state: new elements, new layout, a readable view. */
  setCollapsed(collapsed: E.CollapsedState, focus: string | null): void {
    const cy = this.cy;
    this._collapsed = collapsed;
    const elements = this._elements();
    cy.batch(() => {
      cy.elements().remove();
      if (!this._windowed) {
        cy.add(elements);
      }
    });
    this._held = null;
    this._applyOverlay();
    this._layout();
    this._sizeToGraph(true);
    // Refit when the result is readable; else keep a readable zoom on the
    // container that changed (or start again at the inputs).
    const target = focus !== null ? (this._index?.box(focus) ?? null) : null;
    if (this._bounds && fitZoom(this._bounds, cy.width(), cy.height()) >= this._floor) {
      fitBounds(cy, this._bounds);
    } else if (target === null) {
      this.firstView();
    } else {
      const zoom = Math.max(READABLE_ZOOM, this._floor);
      cy.viewport({
        zoom,
        pan: {
          x: cy.width() / 2 - ((target.x1 + target.x2) / 2) * zoom,
          y: cy.height() / 2 - ((target.y1 + target.y2) / 2) * zoom
        }
      });
    }
    this._syncWindow(true);
  }

  /**
   * A fit when readable, else a readable zoom at the model inputs; then the
   * selected node and its neighbours are brought into view.
   */
  firstView(): void {
    const vg = this._vg;
    const rankdir = vg.payload.options?.rankdir === 'LR' ? 'LR' : 'TB';
    const anchors: IBounds[] = [];
    for (const id of vg.graph.model.inputs) {
      const rep = E.representative(vg, this._collapsed, id);
      const box = boundsOf(this._positions, this._sizes, [rep]);
      if (box) {
        anchors.push(box);
      }
    }
    initialView(this.cy, this._bounds, anchors, rankdir, this._floor);
    if (this._selectedId !== null) {
      this.centre(this._selectedId);
    }
    this._syncWindow(true);
    this._userMoved = false;
  }

  /**
   * Fit the whole graph, but never below the readable zoom: then fit what
   * can be read, around the current view, and say so. Returns whether the
   * whole graph is in view.
   */
  fit(): boolean {
    const whole = fitBounds(this.cy, this._bounds, this._floor);
    this._syncWindow(false);
    if (whole) {
      this._hint.hide();
    } else {
      this._hint.show(FIT_HINT, 5000);
    }
    this._userMoved = false;
    return whole;
  }

  /** Bring a node and its neighbours into view (zooming in when far out). */
  centre(id: string): void {
    const index = this._index;
    if (!this._windowed || index === null) {
      centreOn(this.cy, this.cy.getElementById(id), this._floor);
      return;
    }
    // Windowed: the node and its neighbours may not be inside cytoscape yet.
    const box = index.box(id);
    if (box === null) {
      return;
    }
    const boxes = [box];
    for (const other of index.neighbours(id)) {
      const b = index.box(other);
      if (b) {
        boxes.push(b);
      }
    }
    const near = union(boxes);
    // A jump holds only the viewport at first (fewer new elements to style
    // before the next frame), and its surroundings a moment later.
    this._jumping = true;
    try {
      centreOnBoxes(this.cy, box, near, this._floor);
      this._syncWindow(false, 0);
    } finally {
      this._jumping = false;
    }
  }

  /** The view's elements, and how many cytoscape holds. */
  get elementCounts(): IElementCounts {
    let nodes = 0;
    for (const def of this._defs.values()) {
      nodes += def.group === 'nodes' ? 1 : 0;
    }
    return {
      nodes,
      edges: this._defs.size - nodes,
      heldNodes: this.cy.nodes().length,
      heldEdges: this.cy.edges().length
    };
  }

  /** The lowest zoom at which node labels are readable (LABEL_FLOOR_PX). */
  get readableZoom(): number {
    return this._floor;
  }

  /** The canvas hint (wheel and fit messages). */
  get hint(): CanvasHint {
    return this._hint;
  }

  /** Mark the selected node (null: none). */
  setSelected(id: string | null): void {
    const cy = this.cy;
    const before = this._selectedId;
    cy.batch(() => {
      if (before !== null) {
        this._mark(before, [], [SELECTED_CLASS]);
      }
      if (id !== null) {
        this._mark(id, [SELECTED_CLASS], []);
      }
    });
    this._selectedId = id;
  }

  /**
   * Paint the nodes by an overlay: each visible node with a paint gets its fill
   * and label colour (`kv-overlay`), the others fade (`kv-overlay-none`); null
   * takes the overlay off. Kept across collapse and expand.
   */
  setOverlay(paint: ReadonlyMap<string, IPaint> | null): void {
    this._paint = paint;
    this._applyOverlay();
  }

  private _applyOverlay(): void {
    const paint = this._paint;
    const off = ['kv-overlay', 'kv-overlay-none'];
    this.cy.batch(() => {
      for (const def of this._defs.values()) {
        if (def.group !== 'nodes') {
          continue;
        }
        const id = def.data.id;
        if (paint === null || this._parents.has(id)) {
          // no overlay; or an open container: its members carry the colours
          this._mark(id, [], off);
          continue;
        }
        const p = paint.get(id);
        if (p) {
          this._mark(id, ['kv-overlay'], ['kv-overlay-none'], { kvOverlay: p.fill, kvInk: p.ink });
        } else {
          this._mark(id, ['kv-overlay-none'], ['kv-overlay']);
        }
      }
    });
  }

  /** Mark search hits with `kv-match`. */
  setMatches(ids: ReadonlyArray<string>): void {
    this.cy.batch(() => {
      for (const id of this._matchIds) {
        this._mark(id, [], ['kv-match']);
      }
      for (const id of ids) {
        this._mark(id, ['kv-match'], []);
      }
    });
    this._matchIds = ids.slice();
  }

  /** Re-resolve the stylesheet (theme change); no-op when nothing changed. */
  applyStyle(): void {
    const cy = this.cy;
    const fontKey = this._fontKey;
    const style = this._resolvedStyle();
    const key = JSON.stringify(style);
    if (key === this._styleKey && fontKey === this._fontKey) {
      return;
    }
    this._styleKey = key;
    this._style = style;
    cy.batch(() => {
      const measurer = this._measurer;
      if (measurer && fontKey !== this._fontKey) {
        for (const def of this._defs.values()) {
          if (def.group === 'nodes') {
            const data = def.data as E.INodeData;
            const size = measurer.measure(data.label, hasClass(def, 'kv-collapsed'));
            this._mark(data.id, [], [], { [LABEL_WIDTH]: size.w, [LABEL_HEIGHT]: size.h });
          }
        }
      }
      cy.style(style);
    });
  }

  /** The container changed size. */
  resize(): void {
    this.cy.resize();
    this._syncWindow(false);
  }

  /** The page scrolled: cytoscape's cached container position is stale. */
  invalidatePosition(): void {
    invalidateContainerPosition(this.cy);
  }

  /** Destroy cytoscape. */
  dispose(): void {
    if (this._widenTimer !== null) {
      clearTimeout(this._widenTimer);
    }
    this._hint.hide();
    this._container.removeEventListener('wheel', this._onWheelCapture, { capture: true });
    this._container.removeEventListener('wheel', this._onWheelBubble);
    this._hint.node.remove();
    for (const type of FRESH_POSITION_EVENTS) {
      this._container.removeEventListener(type, this._invalidate, { capture: true });
    }
    this.cy.destroy();
  }

  private _bind(events: ICanvasEvents): void {
    const cy = this.cy;
    cy.on('tap', evt => {
      if (evt.target === cy) {
        events.tapBackground();
      }
    });
    cy.on('tap', 'node', evt => {
      events.tapNode(evt.target.id(), evt.target.hasClass('kv-collapsed'));
    });
    cy.on('dbltap', 'node', evt => {
      const node = evt.target as cytoscape.NodeSingular;
      const container = node.isParent() ? node.id() : node.data('parent');
      events.doubleTap(typeof container === 'string' ? container : null);
    });
    cy.on('dragpan scrollzoom pinchzoom', () => {
      this._userMoved = true;
    });
    if (this._windowed) {
      cy.on('viewport', () => this._syncWindow(false, this._jumping ? 0 : WINDOW_MARGIN));
    }
  }

  private _resolvedStyle(): cytoscape.StylesheetJson {
    const sheet = payloadStylesheet(this._vg.payload);
    const resolved = ownSelection(resolveStylesheet(sheet, computedLookup(this._styleRoot)));
    const { rules, font } = replaceLabelSizing(resolved);
    const fontKey = JSON.stringify(font);
    this._floor = floorZoom(font?.size);
    if (fontKey !== this._fontKey) {
      this._fontKey = fontKey;
      this._measurer = font ? new LabelMeasurer(font) : null;
    }
    if (this._plan.big) {
      rules.push(...bigViewRules());
    }
    // Skip connections along a column bow out instead of crossing its nodes.
    rules.push({
      selector: 'edge.kv-bent',
      style: {
        'curve-style': 'unbundled-bezier',
        'control-point-distances': `data(${BEND})`,
        'control-point-weights': 0.5
      }
    });
    return rules as cytoscape.StylesheetJson;
  }

  /**
   * Element definitions of the collapsed state, with label sizes when the
   * stylesheet sizes by label; kept (by id) as this view's own record of every
   * element, which a windowed view adds to cytoscape as they come into view.
   */
  private _elements(): ElementDef[] {
    const els = E.buildElements(this._vg, this._collapsed) as ElementDef[];
    const measurer = this._measurer;
    this._defs = new Map();
    this._parents = new Set();
    this._matchIds = [];
    for (const el of els) {
      this._defs.set(el.data.id, el);
      if (el.group !== 'nodes') {
        continue;
      }
      const data = el.data as E.INodeData & Record<string, unknown>;
      if (data.parent !== undefined) {
        this._parents.add(data.parent);
      }
      // Nodes are not dragged (autoungrabify): a drag that starts on one pans,
      // as on the background.
      el.pannable = true;
      if (measurer) {
        const size = measurer.measure(data.label, el.classes.includes('kv-collapsed'));
        data[LABEL_WIDTH] = size.w;
        data[LABEL_HEIGHT] = size.h;
      }
    }
    return els;
  }

  /**
   * Add and remove classes and set data on an element: on its definition and,
   * when cytoscape holds it, on the element.
   */
  private _mark(
    id: string,
    on: ReadonlyArray<string>,
    off: ReadonlyArray<string>,
    data?: Record<string, unknown>
  ): void {
    const def = this._defs.get(id);
    if (def === undefined) {
      return;
    }
    const ele = this.cy.getElementById(id);
    if (data !== undefined) {
      if (ele.nonempty()) {
        ele.data(data);
      }
      Object.assign(def.data, data);
    }
    const classes = new Set(def.classes.split(' ').filter(Boolean));
    const removed = off.filter(c => classes.delete(c));
    const added = on.filter(c => !classes.has(c) && classes.add(c));
    if (removed.length === 0 && added.length === 0) {
      return;
    }
    def.classes = [...classes].join(' ');
    if (ele.nonempty()) {
      if (removed.length > 0) {
        ele.removeClass(removed.join(' '));
      }
      if (added.length > 0) {
        ele.addClass(added.join(' '));
      }
    }
  }

  /**
   * Windowed views: make cytoscape hold what the window around the viewport
   * needs (window.ts), unless the viewport is still inside the last window
   * (`force`: recompute anyway). The selected node is always held.
   */
  private _syncWindow(force: boolean, margin = WINDOW_MARGIN): void {
    const index = this._index;
    const cy = this.cy;
    if (!this._windowed || index === null || this._syncing || !cy) {
      return;
    }
    if (cy.width() === 0 || cy.height() === 0) {
      return; // not laid out on the page yet
    }
    const ext = cy.extent();
    const view = { x1: ext.x1, y1: ext.y1, x2: ext.x2, y2: ext.y2 };
    if (!force && this._held !== null && contains(this._held, view)) {
      return;
    }
    const held = windowAround(view, margin);
    const want = index.select(held, this._selectedId !== null ? [this._selectedId] : []);
    const nodes = new Set(want.nodes);
    const edges = new Set(want.edges);
    this._syncing = true;
    try {
      cy.batch(() => {
        const drop = cy.elements().filter(e => !(e.isNode() ? nodes : edges).has(e.id()));
        if (drop.nonempty()) {
          cy.remove(drop);
        }
        const add: cytoscape.ElementDefinition[] = [];
        for (const id of [...want.nodes, ...want.edges]) {
          const def = this._defs.get(id);
          if (def !== undefined && cy.getElementById(id).empty()) {
            add.push({
              group: def.group,
              data: { ...def.data },
              classes: def.classes,
              position: def.position ? { ...def.position } : undefined,
              pannable: def.pannable
            } as cytoscape.ElementDefinition);
          }
        }
        if (add.length > 0) {
          cy.add(add);
        }
      });
    } finally {
      this._syncing = false;
    }
    this._held = held;
    if (this._widenTimer !== null) {
      clearTimeout(this._widenTimer);
      this._widenTimer = null;
    }
    if (margin < WINDOW_MARGIN) {
      this._widenTimer = setTimeout(() => {
        this._widenTimer = null;
        this._syncWindow(true);
      }, WIDEN_AFTER_MS);
    }
  }

  /**
   * Give the canvas the height of the laid-out graph at a readable zoom (up
   * to maxCanvasHeight), unless the user resized it. `grow`: never shrink it
   * (a container that closes should not make the page jump).
   */
  private _sizeToGraph(grow: boolean): void {
    const c = this._container;
    if (this._autoHeight !== null && c.style.height !== `${this._autoHeight}px`) {
      return; // resized by hand (resize: vertical)
    }
    const border = c.offsetHeight - c.clientHeight;
    const limit = maxCanvasHeight(window.innerHeight || 800);
    let height = canvasHeightFor(this._bounds, c.clientWidth, limit, this._floor) + border;
    if (grow && this._autoHeight !== null) {
      height = Math.max(height, this._autoHeight);
    }
    if (height !== this._autoHeight) {
      c.style.height = `${height}px`;
      this._autoHeight = height;
      this.cy.resize();
    }
  }

  private _layout(): void {
    const cy = this.cy;
    const vg = this._vg;
    const defs = [...this._defs.values()];
    const nodeDefs = defs.filter(d => d.group === 'nodes');
    const edgeDefs = defs.filter(d => d.group === 'edges') as Array<
      ElementDef & { data: E.IEdgeData }
    >;
    const leaves = nodeDefs.filter(d => !this._parents.has(d.data.id));
    // Body sizes (labels sit inside nodes): outerWidth is a style lookup, where
    // layoutDimensions() would compute a bounding box per node. A windowed view
    // has no nodes in cytoscape yet: sized by probes.
    let sizes: Sizes;
    if (this._windowed) {
      sizes = probeSizes(this._style, leaves);
    } else {
      sizes = new Map();
      for (const d of leaves) {
        const n = cy.getElementById(d.data.id);
        sizes.set(d.data.id, { w: Math.max(n.outerWidth(), 1), h: Math.max(n.outerHeight(), 1) });
      }
    }
    const nodes = nodeDefs.map(d => {
      const id = d.data.id;
      const compound = this._parents.has(id);
      const size = sizes.get(id) ?? { w: 0, h: 0 };
      const parent = (d.data as E.INodeData).parent;
      return { id, width: size.w, height: size.h, parent, compound };
    });
    const edges = edgeDefs.map(e => ({ source: e.data.source, target: e.data.target }));
    const start = performance.now();
    const result = computeLayout(vg, this._collapsed, nodes, edges);
    this._strategy = result.strategy;
    this._positions = result.positions;
    this._sizes = sizes;
    const box = boundsOf(result.positions, sizes);
    // Room for compound padding and labels around the edge of the drawing.
    this._bounds = box && { x1: box.x1 - 20, y1: box.y1 - 30, x2: box.x2 + 20, y2: box.y2 + 20 };
    const rankdir = vg.payload.options?.rankdir === 'LR' ? 'LR' : 'TB';
    const bends = bentEdges(result.positions, sizes, edges, rankdir);
    this._layoutMs = performance.now() - start;
    cy.batch(() => {
      for (const [id, p] of result.positions) {
        const def = this._defs.get(id);
        if (def) {
          def.position = p;
        }
        const ele = cy.getElementById(id);
        if (ele.nonempty()) {
          ele.position(p);
        }
      }
      edgeDefs.forEach((e, i) => {
        const bend = bends.get(i);
        if (bend !== undefined) {
          this._mark(e.data.id, ['kv-bent'], [], { [BEND]: bend });
        } else {
          this._mark(e.data.id, [], ['kv-bent']);
        }
      });
    });
    this._index = new WindowIndex(
      nodes,
      edgeDefs.map((e, i) => ({
        id: e.data.id,
        source: e.data.source,
        target: e.data.target,
        bend: bends.get(i)
      })),
      result.positions,
      sizes
    );
  }

  private _vg: ViewGraph;
  private _plan: IRenderPlan;
  private _windowed: boolean;
  private _style: cytoscape.StylesheetJson = [];
  private _defs = new Map<string, ElementDef>();
  private _parents = new Set<string>();
  private _matchIds: string[] = [];
  private _index: WindowIndex | null = null;
  private _held: IBounds | null = null;
  private _syncing = false;
  private _jumping = false;
  private _widenTimer: ReturnType<typeof setTimeout> | null = null;
  private _collapsed: E.CollapsedState;
  private _styleRoot: Element;
  private _strategy: LayoutStrategy = 'dagre';
  private _layoutMs = 0;
  private _userMoved = false;
  private _styleKey = '';
  private _fontKey = '';
  private _measurer: LabelMeasurer | null = null;
  private _positions: Positions = new Map();
  private _sizes: Sizes = new Map();
  private _bounds: IBounds | null = null;
  private _selectedId: string | null = null;
  private _paint: ReadonlyMap<string, IPaint> | null = null;
  private _container: HTMLElement;
  private _hint: CanvasHint;
  private _floor = floorZoom(null);
  private _autoHeight: number | null = null;
  private _wheelHinted = false;
  private _onWheelCapture = (event: WheelEvent): void => {
    const zoomKey = event.ctrlKey || event.metaKey;
    this.cy?.userZoomingEnabled(zoomKey);
    if (!zoomKey && !this._wheelHinted) {
      this._wheelHinted = true;
      this._hint.show(wheelHintText());
    }
  };
  private _onWheelBubble = (): void => {
    this.cy?.userZoomingEnabled(true);
  };
  private _invalidate = (): void => {
    invalidateContainerPosition(this.cy);
  };
}

function hasClass(def: ElementDef | undefined, cls: string): boolean {
  return def !== undefined && def.classes.split(' ').includes(cls);
}
