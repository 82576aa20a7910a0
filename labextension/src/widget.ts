/**
 * The anywidget entry of kerasviz's live widgets, one bundle for both: an Explorer
 * (`data` is a view payload) is drawn with GraphView, a Comparison (`data` is a
 * comparison payload, `kerasviz_comparison`) with ComparisonView, the view a saved
 * comparison is drawn with too (inside ComparisonPane). Both keep `selected` in
 * sync with the kernel both ways and ask it for weight statistics.
 *
 * Nothing here imports Lumino (comparison.ts does, for the MIME renderer): only
 * types come from there, so the bundle stays the size of GraphView's.
 */

import type { SelectionPair } from './comparison';
import { ComparisonView, validateComparison } from './comparisonview';
import { h } from './dom';
import { GraphView } from './graphview';
import { isReplayPayload, ReplayView, validateReplay } from './replayview';
import type { IViewPayload, IWeightStats } from './types';
import { unpackData } from './packed';
import { takePayload } from './runtime';
import { isObject } from './validate';

/** How long to wait for the kernel's weight statistics. */
export const WEIGHT_STATS_TIMEOUT_MS = 30_000;

/** The part of anywidget's model this widget uses. */
export interface IWidgetModel {
  /** Read a trait. */
  get(name: string): unknown;
  /** Set a trait (sent on save_changes). */
  set(name: string, value: unknown): void;
  /** Send pending trait changes to the kernel. */
  save_changes(): void;
  /** Listen to `change:<trait>` or `msg:custom`. */
  on(event: string, callback: (...args: any[]) => void): void;
  /** Stop listening. */
  off(event?: string | null, callback?: ((...args: any[]) => void) | null): void;
  /** Send a custom message to the kernel. */
  send(content: unknown, callbacks?: unknown, buffers?: unknown[]): void;
}

interface IPending {
  resolve: (stats: IWeightStats[]) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Weight statistics over custom messages, replies matched by node id (and, for a
 * comparison, by the column whose graph the node is in).
 */
export class WeightStatsClient {
  /** Listen for replies on `model`. */
  constructor(model: IWidgetModel, timeoutMs = WEIGHT_STATS_TIMEOUT_MS) {
    this._model = model;
    this._timeoutMs = timeoutMs;
    model.on('msg:custom', this._onMessage);
  }

  /** Ask the kernel for the statistics of one node's weights (of column `column`). */
  request(node: string, column?: number): Promise<IWeightStats[]> {
    const key = pendingKey(node, column);
    return new Promise<IWeightStats[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this._settle(
          key,
          p =>
            p.reject(
              new Error(
                `No weight statistics from the kernel after ${Math.round(this._timeoutMs / 1000)} s. ` +
                  'Is the kernel running (and is this the Explorer that made it)?'
              )
            ),
          p => p.timer === timer
        );
      }, this._timeoutMs);
      const list = this._pending.get(key) ?? [];
      list.push({ resolve, reject, timer });
      this._pending.set(key, list);
      this._model.send(
        column === undefined
          ? { type: 'weight_stats', node }
          : { type: 'weight_stats', node, column }
      );
    });
  }

  /** Stop listening; pending requests fail. */
  dispose(): void {
    this._model.off('msg:custom', this._onMessage);
    for (const key of [...this._pending.keys()]) {
      this._settle(key, p => p.reject(new Error('The view was closed.')));
    }
  }

  private _settle(
    key: string,
    action: (p: IPending) => void,
    which: (p: IPending) => boolean = () => true
  ): void {
    const list = this._pending.get(key) ?? [];
    const keep = list.filter(p => !which(p));
    for (const p of list) {
      if (which(p)) {
        clearTimeout(p.timer);
        action(p);
      }
    }
    if (keep.length > 0) {
      this._pending.set(key, keep);
    } else {
      this._pending.delete(key);
    }
  }

  private _model: IWidgetModel;
  private _timeoutMs: number;
  private _pending = new Map<string, IPending[]>();
  private _onMessage = (msg: unknown): void => {
    const m = msg as {
      type?: unknown;
      node?: unknown;
      column?: unknown;
      stats?: unknown;
      error?: unknown;
    };
    if (!m || m.type !== 'weight_stats' || typeof m.node !== 'string') {
      return;
    }
    const key = pendingKey(m.node, typeof m.column === 'number' ? m.column : undefined);
    if (typeof m.error === 'string') {
      const error = new Error(m.error);
      this._settle(key, p => p.reject(error));
    } else {
      const stats = Array.isArray(m.stats) ? (m.stats as IWeightStats[]) : [];
      this._settle(key, p => p.resolve(stats));
    }
  };
}

/**
 * The "Activation stats" button's round trip: ask the kernel to run the model on
 * random inputs; it answers once the new payload (with the statistics) is sent.
 */
export class ActivationsClient {
  /** Listen for replies on `model`. */
  constructor(model: IWidgetModel, timeoutMs = 120_000) {
    this._model = model;
    this._timeoutMs = timeoutMs;
    model.on('msg:custom', this._onMessage);
  }

  /** Ask for one run; resolves when the kernel has answered. */
  request(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending = this._pending.filter(p => p.timer !== timer);
        reject(new Error('No answer from the kernel: is it running?'));
      }, this._timeoutMs);
      this._pending.push({ resolve: () => resolve(), reject, timer });
      this._model.send({ type: 'activation_stats' });
    });
  }

  /** Stop listening; pending requests fail. */
  dispose(): void {
    this._model.off('msg:custom', this._onMessage);
    this._settle(p => p.reject(new Error('The view was closed.')));
  }

  private _settle(action: (p: IPending) => void): void {
    const pending = this._pending;
    this._pending = [];
    for (const p of pending) {
      clearTimeout(p.timer);
      action(p);
    }
  }

  private _model: IWidgetModel;
  private _timeoutMs: number;
  private _pending: IPending[] = [];
  private _onMessage = (msg: unknown): void => {
    const m = msg as { type?: unknown; error?: unknown };
    if (!m || m.type !== 'activation_stats') {
      return;
    }
    if (typeof m.error === 'string') {
      const error = new Error(m.error);
      this._settle(p => p.reject(error));
    } else {
      this._settle(p => p.resolve([]));
    }
  };
}

function pendingKey(node: string, column: number | undefined): string {
  return column === undefined ? node : `${column}\u0000${node}`;
}

/** The DOM event a live view sends up the page when its selection changes. */
export const SELECTED_EVENT = 'kv-selected';

/** The DOM event a live view sends up the page when its overlay changes. */
export const OVERLAY_EVENT = 'kv-overlay';

/** How long to wait for the kernel to send a widget's payload. */
export const PAYLOAD_TIMEOUT_MS = 60_000;

/**
 * A widget's payload, which is no synced trait (runtime.ts): the copy the MIME
 * renderer offers when it is as new as the widget's `_revision`, else the kernel's
 * (custom message `kv_payload`, answered with the packed payload). Later payloads
 * come from the kernel unasked, one message per change for every view.
 */
export class PayloadSource {
  constructor(model: IWidgetModel, timeoutMs = PAYLOAD_TIMEOUT_MS) {
    this._model = model;
    this._timeoutMs = timeoutMs;
    model.on('msg:custom', this._onMessage);
  }

  /** The payload shown first. */
  first(): Promise<unknown> {
    const key = this._model.get('_view_key');
    const offer =
      typeof key === 'string' && key !== '' ? takePayload(key, this._revisionWanted()) : undefined;
    if (offer !== undefined) {
      this._revision = offer.revision;
      this._data = offer.data;
      return Promise.resolve(offer.data);
    }
    return new Promise<unknown>((resolve, reject) => {
      this._waiting = { resolve, reject };
      this._timer = setTimeout(() => {
        this._waiting = null;
        reject(
          new Error(
            `the kernel did not send this widget's graph within ${Math.round(this._timeoutMs / 1000)} s. ` +
              'Is the kernel running? Re-run the cell that shows it.'
          )
        );
      }, this._timeoutMs);
      this._model.send({ type: 'kv_payload' });
    });
  }

  /** The payload now (after {@link first}). */
  get data(): unknown {
    return this._data;
  }

  /** Call `callback` with each newer payload the kernel sends; returns the remover. */
  onChange(callback: () => void): () => void {
    this._listeners.push(callback);
    return () => {
      this._listeners = this._listeners.filter(c => c !== callback);
    };
  }

  dispose(): void {
    this._model.off('msg:custom', this._onMessage);
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    this._listeners = [];
    this._waiting = null;
  }

  private _revisionWanted(): number {
    const r = this._model.get('_revision');
    return typeof r === 'number' ? r : 0;
  }

  private _onMessage = (msg: unknown): void => {
    const m = msg as { type?: unknown; revision?: unknown; data?: unknown } | null;
    if (m === null || typeof m !== 'object' || m.type !== 'kv_payload') {
      return;
    }
    const revision = typeof m.revision === 'number' ? m.revision : 0;
    if (this._revision !== null && revision <= this._revision) {
      return; // already shown (the answer to another view's question)
    }
    void unpackData(m.data).then(unpacked => {
      if (this._revision !== null && revision <= this._revision) {
        return;
      }
      const waiting = this._waiting;
      if (!unpacked.ok) {
        if (waiting !== null) {
          this._settle();
          waiting.reject(new Error(unpacked.reason));
        }
        return;
      }
      this._revision = revision;
      this._data = unpacked.data;
      if (waiting !== null) {
        this._settle();
        waiting.resolve(unpacked.data);
      } else {
        this._listeners.forEach(callback => callback());
      }
    });
  };

  private _settle(): void {
    this._waiting = null;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _model: IWidgetModel;
  private _timeoutMs: number;
  private _revision: number | null = null;
  private _data: unknown = undefined;
  private _listeners: Array<() => void> = [];
  private _waiting: { resolve: (data: unknown) => void; reject: (e: Error) => void } | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
}

/**
 * The model as the views below read it: `data` and `change:data` come from the
 * {@link PayloadSource}, everything else from anywidget's model.
 */
function withPayload(model: IWidgetModel, source: PayloadSource): IWidgetModel {
  const listeners = new Map<(...args: any[]) => void, () => void>();
  return {
    get: name => (name === 'data' ? source.data : model.get(name)),
    set: (name, value) => model.set(name, value),
    save_changes: () => model.save_changes(),
    send: (content, callbacks, buffers) => model.send(content, callbacks, buffers),
    on: (event, callback) => {
      if (event === 'change:data') {
        listeners.set(
          callback,
          source.onChange(() => callback())
        );
      } else {
        model.on(event, callback);
      }
    },
    off: (event, callback) => {
      if (event === 'change:data') {
        if (callback) {
          listeners.get(callback)?.();
          listeners.delete(callback);
        }
        return;
      }
      model.off(event, callback);
    }
  };
}

/** Draw the widget into `el`; resolves to the cleanup anywidget calls on removal. */
async function render({
  model,
  el
}: {
  model: IWidgetModel;
  el: HTMLElement;
}): Promise<() => void> {
  const source = new PayloadSource(model);
  let data: unknown;
  try {
    data = await source.first();
  } catch (error) {
    source.dispose();
    const message = error instanceof Error ? error.message : String(error);
    el.append(
      h('div', 'kv-root kv-note kv-note-error', `kerasviz: cannot draw this widget: ${message}`)
    );
    return () => el.replaceChildren();
  }
  const live = withPayload(model, source);
  const cleanup =
    isObject(data) && 'kerasviz_comparison' in data
      ? renderComparison(live, el)
      : isReplayPayload(data)
        ? renderReplay(live, el)
        : renderExplorer(live, el);
  return () => {
    cleanup();
    source.dispose();
  };
}

/** An Explorer: one graph, `selected` a node id or null. */
function renderExplorer(model: IWidgetModel, el: HTMLElement): () => void {
  const stats = new WeightStatsClient(model);
  const runs = new ActivationsClient(model);
  // Tell the page (the kerasviz MIME renderer hosting this view, in JupyterLab and
  // Notebook 7) what is selected, so that the saved output keeps it.
  const announce = (id: string | null) =>
    el.dispatchEvent(new CustomEvent(SELECTED_EVENT, { bubbles: true, detail: { id } }));
  const announceOverlay = (key: string | null) =>
    el.dispatchEvent(new CustomEvent(OVERLAY_EVENT, { bubbles: true, detail: { key } }));
  const view = new GraphView(el, model.get('data') as IViewPayload, {
    onSelect: id => {
      model.set('selected', id);
      model.save_changes();
      announce(id);
    },
    onOverlay: key => {
      model.set('overlay_metric', key);
      model.save_changes();
      announceOverlay(key);
    },
    requestWeightStats: node => stats.request(node),
    requestActivations: () => runs.request()
  });
  const overlayOf = () => {
    const key = model.get('overlay_metric');
    return typeof key === 'string' ? key : null;
  };
  if (overlayOf() !== view.overlay) {
    view.setOverlay(overlayOf());
  }
  const initial = model.get('selected');
  if (typeof initial === 'string') {
    view.select(initial);
  }
  const onSelected = () => {
    const id = model.get('selected');
    const wanted = typeof id === 'string' ? id : null;
    if (wanted !== view.selected) {
      view.select(wanted);
      announce(wanted);
    }
  };
  const onOverlay = () => {
    if (overlayOf() !== view.overlay) {
      view.setOverlay(overlayOf());
      announceOverlay(view.overlay);
    }
  };
  const onData = () => {
    view.setPayload(model.get('data') as IViewPayload);
    onOverlay();
  };
  model.on('change:selected', onSelected);
  model.on('change:overlay_metric', onOverlay);
  model.on('change:data', onData);
  return () => {
    model.off('change:selected', onSelected);
    model.off('change:overlay_metric', onOverlay);
    model.off('change:data', onData);
    stats.dispose();
    runs.dispose();
    view.dispose();
  };
}

/** The selection pair in a Comparison's `selected` trait (anything else: none). */
function selectionOf(value: unknown): SelectionPair {
  const pick = (x: unknown) => (typeof x === 'string' ? x : null);
  return Array.isArray(value) ? [pick(value[0]), pick(value[1])] : [null, null];
}

/**
 * A Comparison: the ComparisonView of a saved output, with a host that writes the
 * selection pair to `selected` and asks the kernel for each graph's weight stats.
 */
function renderComparison(model: IWidgetModel, el: HTMLElement): () => void {
  const stats = new WeightStatsClient(model);
  const host = {
    onSelect: (pair: SelectionPair) => {
      model.set('selected', pair);
      model.save_changes();
    },
    requestWeightStats: (column: number, node: string) => stats.request(node, column)
  };
  let pane: ComparisonView | null = null;
  const mount = () => {
    pane?.dispose();
    pane = null;
    el.replaceChildren();
    const checked = validateComparison(model.get('data'));
    if (!checked.ok) {
      el.append(h('div', 'kv-root kv-note kv-note-error', checked.message));
      return;
    }
    pane = new ComparisonView(checked.payload, host);
    el.append(pane.node);
    pane.select(selectionOf(model.get('selected')));
  };
  const onSelected = () => pane?.select(selectionOf(model.get('selected')));
  model.on('change:selected', onSelected);
  model.on('change:data', mount);
  mount();
  return () => {
    model.off('change:selected', onSelected);
    model.off('change:data', mount);
    stats.dispose();
    pane?.dispose();
    el.replaceChildren();
  };
}

/**
 * A Replay: the ReplayView of a saved replay, with `step` kept in sync both ways
 * (the kernel's `go()`, the user's buttons and slider).
 */
function renderReplay(model: IWidgetModel, el: HTMLElement): () => void {
  let view: ReplayView | null = null;
  const stepOf = () => {
    const step = model.get('step');
    return typeof step === 'number' ? step : 0;
  };
  const mount = () => {
    view?.dispose();
    view = null;
    el.replaceChildren();
    const checked = validateReplay(model.get('data'));
    if (!checked.ok) {
      el.append(h('div', 'kv-root kv-note kv-note-error', checked.message));
      return;
    }
    view = new ReplayView(
      { ...checked.payload, start: stepOf() },
      {
        onStep: index => {
          model.set('step', index);
          model.save_changes();
        }
      }
    );
    el.append(view.node);
  };
  const onStep = () => view?.show(stepOf());
  model.on('change:step', onStep);
  model.on('change:data', mount);
  mount();
  return () => {
    model.off('change:step', onStep);
    model.off('change:data', mount);
    view?.dispose();
    el.replaceChildren();
  };
}

/** The anywidget module: `export default { render }`. */
export default { render };
