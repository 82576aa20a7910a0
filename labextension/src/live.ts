/**
 * Finding the live widget behind a kerasviz output.
 *
 * An Explorer's output carries both the widget view (`widget-view+json`) and the
 * kerasviz payload. The MIME renderer outranks the widget renderer, so it is the
 * one JupyterLab picks; when the widget model is there (live kernel, or widget
 * state saved in the notebook) it hands the output over to the widget renderer of
 * the output area's own registry, and draws the payload itself otherwise.
 */

import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Widget } from '@lumino/widgets';

/** The MIME type of a Jupyter widget view (ipywidgets, anywidget). */
export const WIDGET_VIEW_MIME_TYPE = 'application/vnd.jupyter.widget-view+json';

/**
 * How long to wait for the widget renderer to answer before drawing the payload.
 * It answers at once when its widget manager knows the model or surely does not
 * (a missing model shows as text); it does not answer while it has no manager.
 */
export const LIVE_WAIT_MS = 1500;

/**
 * While the widget renderer does not answer, ask a new one this often: the
 * notebook's widget manager comes once its kernel is ready (a page reloaded with
 * the kernel still running), and renderers made before then never get it.
 */
export const LIVE_RETRY_MS = 1000;

/** Stop asking after this long (no kernel at all: no widget manager ever). */
export const LIVE_RETRY_FOR_MS = 30_000;

/** The part of a rendermime registry used to make the widget renderer. */
export interface IRendererSource {
  /** The MIME types the registry renders, best first. */
  readonly mimeTypes: ReadonlyArray<string>;
  /** A renderer for one MIME type. */
  createRenderer(mimeType: string): IRenderMime.IRenderer;
}

/**
 * The registry of the output area that holds `widget` (an OutputArea's
 * `rendermime`, in JupyterLab and Notebook 7), if it can render widget views.
 * Searched once the renderer is attached; null elsewhere (a document, the log
 * console), where the payload is drawn.
 */
export function widgetRendererSource(widget: Widget): IRendererSource | null {
  for (let w: Widget | null = widget.parent; w !== null; w = w.parent) {
    const registry = (w as unknown as { rendermime?: unknown }).rendermime;
    if (isRendererSource(registry)) {
      return registry.mimeTypes.includes(WIDGET_VIEW_MIME_TYPE) ? registry : null;
    }
  }
  return null;
}

/**
 * Whether a widget renderer shows a widget: the Jupyter widget renderer puts the
 * view in as a child element, and only text ("Loading widget...", "Error
 * displaying widget: model not found") when it cannot.
 */
export function showsWidget(renderer: Widget): boolean {
  return !renderer.isDisposed && renderer.node.firstElementChild !== null;
}

function isRendererSource(value: unknown): value is IRendererSource {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const r = value as Partial<IRendererSource>;
  return typeof r.createRenderer === 'function' && Array.isArray(r.mimeTypes);
}

/** What a {@link LiveHandover} does to the output it works for. */
export interface IHandoverHost {
  /** Put a widget renderer into the output (it may be hidden). */
  add(renderer: IRenderMime.IRenderer): void;
  /** The widget shows in `renderer`: remove the drawn payload, if any. */
  live(renderer: IRenderMime.IRenderer): void;
  /** No widget (yet): draw the payload. Called at most once. */
  fallBack(): void;
}

interface IAttempt {
  renderer: IRenderMime.IRenderer;
  settled: boolean;
}

/**
 * Offers one output's widget view to the widget renderer and decides, over time,
 * whether the live widget or the drawn payload shows: never both, never neither.
 *
 * - The renderer shows the widget: the widget stays (now or later, e.g. once its
 *   manager restored the notebook's widget state).
 * - It answers without a widget ("model not found"): the payload is drawn, and the
 *   renderer is kept, hidden, in case its manager re-renders it with the widget.
 * - It does not answer within {@link LIVE_WAIT_MS}: the payload is drawn, and a new
 *   renderer is asked every {@link LIVE_RETRY_MS} for {@link LIVE_RETRY_FOR_MS}.
 */
export class LiveHandover {
  /** Prepare the handover; nothing happens before `start()`. */
  constructor(source: IRendererSource, model: IRenderMime.IMimeModel, host: IHandoverHost) {
    this._source = source;
    this._model = model;
    this._host = host;
  }

  /** The renderer showing the widget, once it does. */
  get renderer(): IRenderMime.IRenderer | null {
    return this._shown ? (this._current?.renderer ?? null) : null;
  }

  /** Ask the widget renderer (shown while it says "Loading widget..."). */
  start(): void {
    this._deadline = Date.now() + LIVE_RETRY_FOR_MS;
    if (this._attempt(true)) {
      this._waitTimer = setTimeout(() => this._onWaitOver(), LIVE_WAIT_MS);
    }
  }

  /** Stop the timers and the observer; dispose of the renderers not shown. */
  dispose(): void {
    this._disposed = true;
    this._clearTimers();
    this._observer.disconnect();
    this._current?.renderer.dispose();
    this._current = null;
  }

  private _attempt(visible: boolean): boolean {
    let renderer: IRenderMime.IRenderer;
    try {
      renderer = this._source.createRenderer(WIDGET_VIEW_MIME_TYPE);
    } catch {
      this._fallBack();
      return false;
    }
    const attempt: IAttempt = { renderer, settled: false };
    const previous = this._current;
    this._current = attempt;
    previous?.renderer.dispose();
    if (!visible) {
      renderer.hide();
    }
    this._host.add(renderer);
    this._observer.observe(renderer.node, { childList: true });
    const settle = () => {
      attempt.settled = true;
      if (this._current === attempt && !this._disposed && !this._adoptIfShown()) {
        this._fallBack();
      }
    };
    renderer.renderModel(this._model).then(settle, settle);
    return true;
  }

  private _adoptIfShown(): boolean {
    const current = this._current;
    if (this._disposed || current === null || !showsWidget(current.renderer)) {
      return false;
    }
    if (!this._shown) {
      this._shown = true;
      this._clearTimers();
      current.renderer.show();
      this._host.live(current.renderer);
    }
    return true;
  }

  private _onWaitOver(): void {
    this._waitTimer = null;
    this._fallBack();
    if (!this._shown && this._current !== null && !this._current.settled) {
      this._retryTimer = setInterval(() => this._retry(), LIVE_RETRY_MS);
    }
  }

  private _retry(): void {
    const current = this._current;
    if (this._shown || current === null || current.settled || Date.now() > this._deadline) {
      this._clearTimers();
      return;
    }
    this._attempt(false);
  }

  private _fallBack(): void {
    if (this._fellBack || this._shown || this._disposed) {
      return;
    }
    this._fellBack = true;
    if (this._waitTimer !== null) {
      clearTimeout(this._waitTimer);
      this._waitTimer = null;
    }
    this._current?.renderer.hide();
    this._host.fallBack();
  }

  private _clearTimers(): void {
    if (this._waitTimer !== null) {
      clearTimeout(this._waitTimer);
      this._waitTimer = null;
    }
    if (this._retryTimer !== null) {
      clearInterval(this._retryTimer);
      this._retryTimer = null;
    }
  }

  private _source: IRendererSource;
  private _model: IRenderMime.IMimeModel;
  private _host: IHandoverHost;
  private _current: IAttempt | null = null;
  private _shown = false;
  private _fellBack = false;
  private _disposed = false;
  private _deadline = 0;
  private _waitTimer: ReturnType<typeof setTimeout> | null = null;
  private _retryTimer: ReturnType<typeof setInterval> | null = null;
  private _observer = new MutationObserver(() => this._adoptIfShown());
}
