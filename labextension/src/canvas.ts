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
import type { ViewGraph } from './viewgraph';
import {
  boundsOf,
  canvasHeightFor,
  centreOn,
  fitBounds,
  fitZoom,
  floorZoom,
  initialView,
  invalidateContainerPosition,
  maxCanvasHeight,
  READABLE_ZOOM,
  type IBounds,
  type Sizes
} from './viewport';

/** Edge data field: how far a `kv-bent` edge bows out. */
const BEND = 'kvBend';

/** Pointer events before which cytoscape's cached container position is refreshed. */
const FRESH_POSITION_EVENTS = ['mouseover', 'mousedown', 'touchstart', 'wheel'] as const;

/** Said by "Fit" when the whole graph does not fit at a readable size. */
export const FIT_HINT =
  'Too big to fit at a readable size: drag to pan, Ctrl/⌘ + scroll to zoom out';

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
    const style = this._resolvedStyle();
    this._styleKey = JSON.stringify(style);
    this._container = container;
    // The plain wheel scrolls the page (as over an embedded map); Ctrl/⌘ + wheel
    // and pinch zoom. Cytoscape zooms on every wheel, so this listener, added
    // before cytoscape adds its own, lets it zoom only with the key down, and
    // the bubbling one turns zooming back on for touch pinches.
    container.addEventListener('wheel', this._onWheelCapture, { capture: true, passive: true });
    container.addEventListener('wheel', this._onWheelBubble, { passive: true });
    this._hint = new CanvasHint();
    this.cy = makeCytoscape(this._plan, {
      container,
      elements: this._elements(),
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
    cy.batch(() => {
      cy.elements().remove();
      cy.add(this._elements());
    });
    this._applyOverlay();
    this._layout();
    this._sizeToGraph(true);
    // Refit when the result is readable; else keep a readable zoom on the
    // container that changed (or start again at the inputs).
    const target = focus !== null ? cy.getElementById(focus) : cy.collection();
    if (this._bounds && fitZoom(this._bounds, cy.width(), cy.height()) >= this._floor) {
      fitBounds(cy, this._bounds);
    } else if (target.empty()) {
      this.firstView();
    } else {
      cy.zoom(Math.max(READABLE_ZOOM, this._floor));
      cy.center(target);
    }
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
      centreOn(this.cy, this.cy.getElementById(this._selectedId), this._floor);
    }
    this._userMoved = false;
  }

  /**
   * Fit the whole graph, but never below the readable zoom: then fit what
   * can be read, around the current view, and say so. Returns whether the
   * whole graph is in view.
   */
  fit(): boolean {
    const whole = fitBounds(this.cy, this._bounds, this._floor);
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
    centreOn(this.cy, this.cy.getElementById(id), this._floor);
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
        cy.getElementById(before).removeClass(SELECTED_CLASS);
      }
      if (id !== null) {
        cy.getElementById(id).addClass(SELECTED_CLASS);
      }
    });
    this._selectedId = id;
  }

  /** Mark search hits with `kv-match`. */
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
    const cy = this.cy;
    const paint = this._paint;
    cy.batch(() => {
      cy.nodes('.kv-overlay, .kv-overlay-none').removeClass('kv-overlay kv-overlay-none');
      if (paint === null) {
        return;
      }
      cy.nodes().forEach(node => {
        if (node.isParent()) {
          return; // an open container: its members carry the colours
        }
        const p = paint.get(node.id());
        if (p) {
          node.data({ kvOverlay: p.fill, kvInk: p.ink });
          node.addClass('kv-overlay');
        } else {
          node.addClass('kv-overlay-none');
        }
      });
    });
  }

  setMatches(ids: ReadonlyArray<string>): void {
    const cy = this.cy;
    cy.batch(() => {
      cy.$('.kv-match').removeClass('kv-match');
      for (const id of ids) {
        cy.getElementById(id).addClass('kv-match');
      }
    });
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
    cy.batch(() => {
      const measurer = this._measurer;
      if (measurer && fontKey !== this._fontKey) {
        cy.nodes().forEach(n => {
          const size = measurer.measure(String(n.data('label')), n.hasClass('kv-collapsed'));
          n.data({ [LABEL_WIDTH]: size.w, [LABEL_HEIGHT]: size.h });
        });
      }
      cy.style(style);
    });
  }

  /** The container changed size. */
  resize(): void {
    this.cy.resize();
  }

  /** The page scrolled: cytoscape's cached container position is stale. */
  invalidatePosition(): void {
    invalidateContainerPosition(this.cy);
  }

  /** Destroy cytoscape. */
  dispose(): void {
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

  /** Element definitions, with label sizes when the stylesheet sizes by label. */
  private _elements(): cytoscape.ElementDefinition[] {
    const els = E.buildElements(this._vg, this._collapsed) as Array<
      E.IElementDef & { pannable?: boolean }
    >;
    const measurer = this._measurer;
    for (const el of els) {
      if (el.group !== 'nodes') {
        continue;
      }
      // Nodes are not dragged (autoungrabify): a drag that starts on one pans,
      // as on the background.
      el.pannable = true;
      if (measurer) {
        const data = el.data as E.INodeData & Record<string, unknown>;
        const size = measurer.measure(data.label, el.classes.includes('kv-collapsed'));
        data[LABEL_WIDTH] = size.w;
        data[LABEL_HEIGHT] = size.h;
      }
    }
    return els as cytoscape.ElementDefinition[];
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
    // Body sizes (labels sit inside nodes): outerWidth is a style lookup, where
    // layoutDimensions() would compute a bounding box per node.
    const sizes: Sizes = new Map();
    const nodes = cy.nodes().map(n => {
      const compound = n.isParent();
      const parent = n.data('parent') as string | undefined;
      const size = compound
        ? { w: 0, h: 0 }
        : { w: Math.max(n.outerWidth(), 1), h: Math.max(n.outerHeight(), 1) };
      if (!compound) {
        sizes.set(n.id(), size);
      }
      return { id: n.id(), width: size.w, height: size.h, parent, compound };
    });
    const edgeEls = cy.edges();
    const edges = edgeEls.map(e => ({ source: e.source().id(), target: e.target().id() }));
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
        cy.getElementById(id).position(p);
      }
      edgeEls.forEach((e, i) => {
        const bend = bends.get(i);
        if (bend !== undefined) {
          e.data(BEND, bend).addClass('kv-bent');
        } else if (e.hasClass('kv-bent')) {
          e.removeClass('kv-bent');
        }
      });
    });
  }

  private _vg: ViewGraph;
  private _plan: IRenderPlan;
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
