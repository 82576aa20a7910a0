/**
 * GraphView: the kerasviz renderer. Header, toolbar, cytoscape canvas and layer
 * inspector in one host element; shared by the anywidget entry (widget.ts) and
 * the JupyterLab MIME renderer.
 */

import type cytoscape from 'cytoscape';

import { GraphCanvas, type IElementCounts } from './canvas';
import { buildHeader, Toolbar } from './chrome';
import { clear, h } from './dom';
import * as E from './elements';
import { Inspector } from './inspector';
import { findMetric, overlayLegend, overlayPaint } from './overlay';
import type { LayoutStrategy } from './layout';
import { type ISearchState, searchIndex, searchNodes } from './search';
import { watchTheme } from './theme';
import type { IHost } from './host';
import type { IViewPayload } from './types';
import { checkPayload, ViewGraph } from './viewgraph';

export type { IHost } from './host';
export type { IViewPayload, IWeightStats } from './types';

/** Class of the root element the view builds in its host. */
export const ROOT_CLASS = 'kv-root';

/** The root element, carrying its view for tests and benchmarks. */
export interface IRootElement extends HTMLElement {
  /** The view built in this element. */
  kvView?: GraphView;
}

/** An interactive graph of a Keras model with a layer inspector. */
export class GraphView {
  /** Build the view into `host` (which may not be in the page yet). */
  constructor(host: HTMLElement, payload: IViewPayload, callbacks: IHost = {}) {
    this._callbacks = callbacks;
    this._root = h('div', ROOT_CLASS) as IRootElement;
    this._root.kvView = this;
    host.append(this._root);
    this._inspector = new Inspector({
      select: id => this._userSelect(id, true),
      toggle: id => this._toggle(id),
      isCollapsed: id => this._collapsed.has(id),
      requestWeightStats: callbacks.requestWeightStats
        ? id => callbacks.requestWeightStats!(id)
        : undefined
    });
    this._resizeObserver = new ResizeObserver(() => this._onResize());
    window.addEventListener('scroll', this._onScroll, { capture: true, passive: true });
    window.addEventListener('resize', this._onScroll, { passive: true });
    this._unwatchTheme = watchTheme(() => this._canvas?.applyStyle());
    this._mount(payload);
  }

  /**
   * The cytoscape instance: made once the canvas first has a size (so null
   * before the view is attached, and when the payload could not be shown).
   */
  get cy(): cytoscape.Core | null {
    return this._canvas?.cy ?? null;
  }

  /**
   * How many nodes and edges the view shows, and how many of them cytoscape
   * holds: a big view holds only those near the viewport (canvas.ts). Null
   * before cytoscape is made.
   */
  get elementCounts(): IElementCounts | null {
    return this._canvas?.elementCounts ?? null;
  }

  /** The view graph shown (null when the payload could not be shown). */
  get graph(): ViewGraph | null {
    return this._vg ?? null;
  }

  /** The root element (`.kv-root`). */
  get root(): HTMLElement {
    return this._root;
  }

  /** The selected node id, or null. */
  get selected(): string | null {
    return this._selected;
  }

  /** The containers shown collapsed. */
  get collapsed(): ReadonlySet<string> {
    return this._collapsed;
  }

  /** How the current layout was made (null before the first layout). */
  get layoutStrategy(): LayoutStrategy | null {
    return this._canvas?.strategy ?? null;
  }

  /** Milliseconds the last layout took (computeLayout and bent edges), or null. */
  get layoutMs(): number | null {
    return this._canvas?.layoutMs ?? null;
  }

  /**
   * Select a node (expanding the containers around it) and centre it; null
   * clears the selection. Does not call `onSelect` (the host asked for it).
   */
  select(id: string | null): void {
    this._select(id, true);
  }

  /** Is `id` a node of this graph? */
  has(id: string): boolean {
    return this._vg?.has(id) ?? false;
  }

  /** The marked nodes: search hits, or the layers a host asked to {@link mark}. */
  get marked(): ReadonlyArray<string> {
    return this._matches;
  }

  /**
   * Mark nodes (the `kv-match` class of search hits), e.g. the layers a reason of
   * a comparison names; ids not in the graph are ignored, [] clears the marks.
   */
  mark(ids: ReadonlyArray<string>): void {
    const vg = this._vg;
    if (!vg || (ids.length === 0 && this._matches.length === 0)) {
      return;
    }
    this._matches = ids.filter(id => vg.has(id));
    this._canvas?.setMatches(this._matches);
  }

  /** The overlay shown (a metric key), or null. */
  get overlay(): string | null {
    return this._overlay;
  }

  /**
   * Colour the nodes by the overlay metric `key` of the payload (null: by layer
   * kind, the default); an unknown key is ignored. Does not call `onOverlay`.
   */
  setOverlay(key: string | null): void {
    const vg = this._vg;
    const metric = vg ? findMetric(vg.payload.overlays, key) : null;
    if (key !== null && metric === null) {
      return;
    }
    this._overlay = key;
    const overlays = vg?.payload.overlays;
    const paint = metric && overlays ? overlayPaint(overlays, metric) : null;
    this._canvas?.setOverlay(paint);
    this._toolbar?.setLegend(key, metric && overlays ? overlayLegend(overlays, metric) : null);
    this._inspector.setOverlay(metric);
    if (this._inspector.current !== null) {
      this._inspector.show(this._inspector.current);
    }
  }

  /** Show another payload (the selection stays if the node still exists). */
  setPayload(payload: IViewPayload): void {
    const keep = this._selected;
    const overlay = this._overlay;
    this._unmount();
    this._mount(payload);
    if (overlay !== null && this._overlay === null) {
      this.setOverlay(overlay); // still shown if the new payload has it
    }
    if (keep !== null && this._vg?.has(keep) && this._pendingSelect === null) {
      this._select(keep, false);
    }
  }

  /** Fit the whole graph in view. */
  fit(): void {
    this._canvas?.fit();
  }

  /** Expand one container (and the collapsed ones around it). */
  expand(id: string): void {
    if (this._vg) {
      this._setCollapsed(E.expand(this._vg, this._collapsed, id), id);
    }
  }

  /** Collapse one container. */
  collapse(id: string): void {
    if (this._vg) {
      this._setCollapsed(E.collapse(this._vg, this._collapsed, id), id);
    }
  }

  /** Expand every container. */
  expandAll(): void {
    this._setCollapsed(E.expandAll(), null);
  }

  /** Collapse every container. */
  collapseAll(): void {
    if (this._vg) {
      this._setCollapsed(E.collapseAll(this._vg), null);
    }
  }

  /**
   * Find a layer by name and select it; `next` moves to the following match.
   * Returns the ids matched, best first.
   */
  search(query: string, next = false): string[] {
    const vg = this._vg;
    if (!vg || !this._toolbar) {
      return [];
    }
    const hits = searchNodes(vg, query, this._collapsed);
    this._matches = hits.map(hit => hit.id);
    if (query.trim() === '') {
      this._toolbar.setStatus('');
    } else if (hits.length === 0) {
      this._toolbar.setStatus(`no layer named “${query.trim()}”`, true);
    } else {
      this._searchIndex = searchIndex(this._lastSearch, query, next, hits.length);
      this._toolbar.setStatus(`${this._searchIndex + 1} of ${hits.length}`);
      this._userSelect(hits[this._searchIndex].id, true);
    }
    this._lastSearch = { query, index: this._searchIndex, entered: next };
    this._canvas?.setMatches(this._matches);
    return this._matches;
  }

  /** Remove everything the view added and stop all its listeners. */
  dispose(): void {
    this._unmount();
    this._resizeObserver.disconnect();
    this._unwatchTheme();
    window.removeEventListener('scroll', this._onScroll, { capture: true });
    window.removeEventListener('resize', this._onScroll);
    delete this._root.kvView;
    this._root.remove();
  }

  private _mount(payload: IViewPayload): void {
    this._root.dataset.kvPainted = 'false';
    const problem = checkPayload(payload);
    if (problem !== null) {
      this._root.append(h('div', 'kv-note kv-note-error', problem));
      return;
    }
    const vg = new ViewGraph(payload);
    this._vg = vg;
    this._collapsed = E.initialCollapsed(vg);
    this._toolbar = new Toolbar(vg, {
      search: (q, next) => this.search(q, next),
      fit: () => this.fit(),
      expandAll: () => this.expandAll(),
      collapseAll: () => this.collapseAll(),
      overlay: key => {
        this.setOverlay(key);
        this._callbacks.onOverlay?.(key);
      },
      activations: this._callbacks.requestActivations
        ? () => {
            this._toolbar?.setStatus('running the model on random inputs…');
            this._callbacks.requestActivations!().then(
              () => this._toolbar?.setStatus(''),
              (error: unknown) =>
                this._toolbar?.setStatus(String((error as Error)?.message ?? error), true)
            );
          }
        : undefined
    });
    this._container = h('div', 'kv-canvas');
    const side = h('div', 'kv-inspector-wrap');
    side.append(this._inspector.node);
    const body = h('div', 'kv-body');
    body.append(this._container, side);
    this._root.append(buildHeader(vg), this._toolbar.node, body);
    this._inspector.setGraph(vg);
    this._inspector.show(null);
    this.setOverlay(payload.overlays?.selected ?? null);
    this._pendingSelect = payload.options?.selected ?? null;
    this._resizeObserver.observe(this._container);
  }

  private _unmount(): void {
    if (this._container) {
      this._resizeObserver.unobserve(this._container);
    }
    this._canvas?.dispose();
    this._canvas = null;
    this._container = null;
    this._vg = null;
    this._toolbar = null;
    this._selected = null;
    this._matches = [];
    this._overlay = null;
    this._inspector.setGraph(null);
    clear(this._root);
  }

  private _onResize(): void {
    const container = this._container;
    if (!container || !this._vg || container.clientWidth === 0 || container.clientHeight === 0) {
      return;
    }
    if (this._canvas) {
      this._canvas.resize();
      if (!this._canvas.userMoved) {
        this._canvas.firstView();
      }
      return;
    }
    // Cytoscape is made at the first non-zero size, not in the constructor:
    // then CSS variables resolve, labels measure, cytoscape binds its scroll
    // listeners on the real page ancestors, and no frame is spent drawing
    // every node at the origin.
    const canvas = new GraphCanvas(container, this._vg, this._collapsed, this._root, {
      tapNode: (id, isCollapsed) => {
        if (isCollapsed) {
          this.expand(id);
          this._lastOpened = { id, time: Date.now() };
        }
        this._userSelect(id, false);
      },
      tapBackground: () => this._userSelect(null, false),
      doubleTap: container => {
        // A double-tap on a collapsed box opened it with its first tap: keep it open.
        const opened = this._lastOpened;
        if (opened && opened.id === container && Date.now() - opened.time < 800) {
          return;
        }
        if (container !== null && !this._collapsed.has(container)) {
          this.collapse(container);
          this._userSelect(container, false);
        }
      }
    });
    this._canvas = canvas;
    canvas.setMatches(this._matches);
    if (this._overlay !== null) {
      this.setOverlay(this._overlay);
    }
    const pending = this._pendingSelect ?? this._selected;
    this._pendingSelect = null;
    if (pending !== null && this._vg.has(pending)) {
      this._select(pending, true);
    }
    const mark = () => {
      if (this._canvas === canvas) {
        this._root.dataset.kvPainted = 'true';
      }
    };
    canvas.cy.one('render', mark);
    setTimeout(mark, 3000);
  }

  private _setCollapsed(next: E.CollapsedState, focus: string | null): void {
    if (!this._vg || next === this._collapsed) {
      return;
    }
    this._collapsed = next;
    const canvas = this._canvas;
    if (!canvas) {
      return;
    }
    canvas.setCollapsed(next, focus);
    canvas.setMatches(this._matches);
    canvas.setSelected(this._selected);
    if (this._inspector.current !== null) {
      this._inspector.show(this._inspector.current);
    }
  }

  private _toggle(id: string): void {
    if (this._collapsed.has(id)) {
      this.expand(id);
    } else {
      this.collapse(id);
    }
    this._userSelect(id, false);
  }

  private _userSelect(id: string | null, centre: boolean): void {
    const before = this._selected;
    this._select(id, centre);
    if (this._selected !== before) {
      this._callbacks.onSelect?.(this._selected);
    }
  }

  private _select(id: string | null, centre: boolean): void {
    const vg = this._vg;
    if (!vg || (id !== null && !vg.has(id))) {
      return;
    }
    if (id !== null) {
      this._setCollapsed(E.reveal(vg, this._collapsed, id), id);
    }
    this._selected = id;
    this._inspector.show(id);
    const canvas = this._canvas;
    if (!canvas) {
      this._pendingSelect = id;
      return;
    }
    canvas.setSelected(id);
    if (id !== null && centre) {
      canvas.centre(id);
    }
  }

  private _callbacks: IHost;
  private _root: IRootElement;
  private _inspector: Inspector;
  private _resizeObserver: ResizeObserver;
  private _unwatchTheme: () => void;
  private _vg: ViewGraph | null = null;
  private _canvas: GraphCanvas | null = null;
  private _container: HTMLElement | null = null;
  private _toolbar: Toolbar | null = null;
  private _collapsed: E.CollapsedState = new Set();
  private _selected: string | null = null;
  private _pendingSelect: string | null = null;
  private _matches: string[] = [];
  private _overlay: string | null = null;
  private _searchIndex = 0;
  private _lastSearch: ISearchState = { query: '', index: 0, entered: false };
  private _lastOpened: { id: string; time: number } | null = null;
  private _onScroll = (): void => {
    this._canvas?.invalidatePosition();
  };
}
