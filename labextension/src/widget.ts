/**
 * The anywidget entry of the kerasviz Explorer: draws the `data` trait (a view
 * payload) with GraphView, keeps `selected` in sync both ways and asks the kernel
 * for weight statistics.
 */

import { GraphView } from './graphview';
import type { IViewPayload, IWeightStats } from './types';

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

/** Weight statistics over custom messages, replies matched by node id. */
export class WeightStatsClient {
  /** Listen for replies on `model`. */
  constructor(model: IWidgetModel, timeoutMs = WEIGHT_STATS_TIMEOUT_MS) {
    this._model = model;
    this._timeoutMs = timeoutMs;
    model.on('msg:custom', this._onMessage);
  }

  /** Ask the kernel for the statistics of one node's weights. */
  request(node: string): Promise<IWeightStats[]> {
    return new Promise<IWeightStats[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this._settle(
          node,
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
      const list = this._pending.get(node) ?? [];
      list.push({ resolve, reject, timer });
      this._pending.set(node, list);
      this._model.send({ type: 'weight_stats', node });
    });
  }

  /** Stop listening; pending requests fail. */
  dispose(): void {
    this._model.off('msg:custom', this._onMessage);
    for (const node of [...this._pending.keys()]) {
      this._settle(node, p => p.reject(new Error('The view was closed.')));
    }
  }

  private _settle(
    node: string,
    action: (p: IPending) => void,
    which: (p: IPending) => boolean = () => true
  ): void {
    const list = this._pending.get(node) ?? [];
    const keep = list.filter(p => !which(p));
    for (const p of list) {
      if (which(p)) {
        clearTimeout(p.timer);
        action(p);
      }
    }
    if (keep.length > 0) {
      this._pending.set(node, keep);
    } else {
      this._pending.delete(node);
    }
  }

  private _model: IWidgetModel;
  private _timeoutMs: number;
  private _pending = new Map<string, IPending[]>();
  private _onMessage = (msg: unknown): void => {
    const m = msg as { type?: unknown; node?: unknown; stats?: unknown; error?: unknown };
    if (!m || m.type !== 'weight_stats' || typeof m.node !== 'string') {
      return;
    }
    if (typeof m.error === 'string') {
      const error = new Error(m.error);
      this._settle(m.node, p => p.reject(error));
    } else {
      const stats = Array.isArray(m.stats) ? (m.stats as IWeightStats[]) : [];
      this._settle(m.node, p => p.resolve(stats));
    }
  };
}

/** The DOM event a live view sends up the page when its selection changes. */
export const SELECTED_EVENT = 'kv-selected';

/** Draw the widget into `el`; returns the cleanup anywidget calls on removal. */
function render({ model, el }: { model: IWidgetModel; el: HTMLElement }): () => void {
  const stats = new WeightStatsClient(model);
  // Tell the page (the kerasviz MIME renderer hosting this view, in JupyterLab and
  // Notebook 7) what is selected, so that the saved output keeps it.
  const announce = (id: string | null) =>
    el.dispatchEvent(new CustomEvent(SELECTED_EVENT, { bubbles: true, detail: { id } }));
  const view = new GraphView(el, model.get('data') as IViewPayload, {
    onSelect: id => {
      model.set('selected', id);
      model.save_changes();
      announce(id);
    },
    requestWeightStats: node => stats.request(node)
  });
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
  const onData = () => view.setPayload(model.get('data') as IViewPayload);
  model.on('change:selected', onSelected);
  model.on('change:data', onData);
  return () => {
    model.off('change:selected', onSelected);
    model.off('change:data', onData);
    stats.dispose();
    view.dispose();
  };
}

/** The anywidget module: `export default { render }`. */
export default { render };
