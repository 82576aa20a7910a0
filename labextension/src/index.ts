/**
 * The JupyterLab MIME renderer of kerasviz: draws `application/vnd.kerasviz.graph+json`
 * outputs with the same GraphView as the live widget, read-only (no kernel: no
 * weight statistics), so a saved notebook still shows its interactive graphs; and
 * `application/vnd.kerasviz.comparison+json` (a saved `kerasviz.compare()`) as two
 * such graphs with their code and the verdict. What a notebook file keeps is
 * packed (src/packed.ts): it is decoded here, before validation.
 */

import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';

import {
  COMPARISON_MIME_TYPE,
  ComparisonPane,
  validateComparison,
  type ComparisonResult
} from './comparison';
import { MIME_TYPE, REPLAY_MIME_TYPE } from './contract';
import { h } from './dom';
import { LiveHandover, WIDGET_VIEW_MIME_TYPE, widgetRendererSource } from './live';
import { GraphView } from './graphview';
import { isPacked, unpackData, withOverlay, withSelection, type UnpackResult } from './packed';
import { ReplayView, validateReplay, type ReplayResult } from './replayview';
import { offerPayload, registerRuntime } from './runtime';
import { RUNTIME_ID } from './runtimeid';
import { validatePayload, type ValidationResult } from './validate';
import widgetModule, { OVERLAY_EVENT, SELECTED_EVENT } from './widget';

export { WIDGET_VIEW_MIME_TYPE } from './live';
export { COMPARISON_MIME_TYPE } from './comparison';

/** The MIME type of a kerasviz view payload (labextension/VIEW_PAYLOAD.md). */
export { MIME_TYPE, REPLAY_MIME_TYPE } from './contract';

/**
 * The class name added to the renderer's node.
 */
export const CLASS_NAME = 'kv-mime-output';

/** The class of the pane drawing the payload. */
export const GRAPH_CLASS = 'kv-mime-graph';

/** The class of the live widget's renderer inside this one. */
export const LIVE_CLASS = 'kv-mime-live';

/**
 * The renderer's rank (lower wins): before the Jupyter widget renderer's -10, so
 * that for an Explorer output (widget view + payload) JupyterLab asks this
 * renderer, which shows the live widget when there is one and the payload when
 * not; and before every standard renderer (HTML is 50, plain text 120).
 */
export const RANK = -20;

/**
 * A widget rendering a kerasviz view payload: the graph, a message saying why it
 * cannot be drawn, or the live widget of the same output.
 */
export class GraphOutput extends Panel implements IRenderMime.IRenderer {
  /**
   * Construct a new output widget.
   */
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass(CLASS_NAME);
    this.node.addEventListener(SELECTED_EVENT, this._onLiveSelected);
    this.node.addEventListener(OVERLAY_EVENT, this._onLiveOverlay);
  }

  /** The graph drawn from the payload, or null (message, live widget, not yet). */
  get view(): GraphView | null {
    return this._pane?.view ?? null;
  }

  /** Every graph drawn from the payload: two for a comparison, else one or none. */
  get views(): ReadonlyArray<GraphView> {
    return this._pane?.views ?? [];
  }

  /** The widget renderer this output handed over to, while it shows the widget. */
  get live(): IRenderMime.IRenderer | null {
    return this._handover?.renderer ?? null;
  }

  /**
   * Render the payload of `model` into this widget's node.
   *
   * A packed output (what kerasviz saves) is decoded first, asynchronously; an
   * unpacked payload (saved by an older kerasviz) is read at once, as before.
   * Only a trusted output is offered to the widget renderer (an untrusted one is
   * never given to unsafe renderers); that waits until this widget is attached,
   * because the registry that knows the notebook's widgets is the output area's.
   */
  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    if (this._handover !== null && this._liveModel !== null && sameWidget(model, this._liveModel)) {
      // The same live widget's output, re-rendered because its saved selection was
      // written (below): keep the live view as it is, zoom and all.
      this._liveModel = model;
      return Promise.resolve();
    }
    this._reset();
    const generation = this._generation;
    const data = model.data[this._mimeType];
    if (typeof data !== 'string' && !isPacked(data)) {
      this._render(model, { ok: true, data }); // unpacked: nothing to wait for
      return Promise.resolve();
    }
    return unpackData(data).then(unpacked => {
      if (generation === this._generation && !this.isDisposed) {
        this._render(model, unpacked);
      }
    });
  }

  /** Validate the decoded MIME data, then show the live widget or the payload. */
  private _render(model: IRenderMime.IMimeModel, unpacked: UnpackResult): void {
    const comparison = this._mimeType === COMPARISON_MIME_TYPE;
    const replay = this._mimeType === REPLAY_MIME_TYPE;
    if (!unpacked.ok) {
      const what = comparison ? 'comparison' : replay ? 'replay' : 'graph';
      this._result = {
        ok: false,
        message: `kerasviz: cannot show this ${what}: ${unpacked.reason}`
      };
    } else {
      this._result = comparison
        ? validateComparison(unpacked.data)
        : replay
          ? validateReplay(unpacked.data)
          : validatePayload(unpacked.data);
    }
    if (model.trusted && model.data[WIDGET_VIEW_MIME_TYPE] !== undefined) {
      this._liveModel = model;
      this._offer(model, unpacked);
      if (this.isAttached) {
        this._tryLive();
      }
    } else {
      this._showPayload();
    }
  }

  /** Dispose of the graph, the widget renderers and the timers. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._reset();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this._liveModel !== null && this._handover === null && this._pane === null) {
      this._tryLive();
    }
  }

  /**
   * The live view's selection changed: write it into this output's MIME data (the
   * packed envelope's `selected`, its packed string kept as it is; or an unpacked
   * payload's `options.selected`), so a saved notebook reopens with the layer the
   * user left selected.
   */
  private _onLiveSelected = (event: Event): void => {
    const id = (event as CustomEvent<{ id: string | null }>).detail?.id ?? null;
    this._whenCheap(() => this._saveLive(data => withSelection(data, id)));
  };

  /**
   * Run a write of this output's data now, or after the next frame when the
   * output is big: JupyterLab copies the whole output into the notebook's shared
   * model, which for a 10,000-layer payload delayed a click's inspector by
   * 29-46 ms. A small output is written at once, so that a save right after a
   * click always keeps it.
   */
  private _whenCheap(write: () => void): void {
    const data = this._liveModel?.data[this._mimeType];
    const size = isPacked(data) && typeof data.data === 'string' ? data.data.length : 0;
    if (size > DEFER_WRITE_CHARS) {
      afterPaint(write);
    } else {
      write();
    }
  }

  /** Write what the live view changed into this output's data (a saved notebook keeps it). */
  private _saveLive(change: (data: unknown) => Record<string, unknown> | null): void {
    const model = this._liveModel;
    if (model === null || this._mimeType !== MIME_TYPE) {
      return;
    }
    const saved = change(model.data[this._mimeType]);
    if (saved === null) {
      return;
    }
    model.setData({
      data: { ...model.data, [this._mimeType]: saved } as IRenderMime.IMimeModel['data']
    });
  }

  private _onLiveOverlay = (event: Event): void => {
    const key = (event as CustomEvent<{ key: string | null }>).detail?.key ?? null;
    this._whenCheap(() => this._saveLive(data => withOverlay(data, key)));
  };

  /**
   * Offer the decoded payload to the live widget of this output (runtime.ts), so
   * that it is not sent again: the metadata names the widget's view key and the
   * revision of its payload this output holds.
   */
  private _offer(model: IRenderMime.IMimeModel, unpacked: UnpackResult): void {
    const meta = model.metadata?.[this._mimeType] as
      { view_key?: unknown; revision?: unknown } | undefined;
    if (!unpacked.ok || typeof meta?.view_key !== 'string') {
      return;
    }
    const revision = typeof meta.revision === 'number' ? meta.revision : 0;
    this._withdraw?.();
    this._withdraw = offerPayload(meta.view_key, { revision, data: unpacked.data });
  }

  private _tryLive(): void {
    const source = widgetRendererSource(this);
    if (source === null) {
      this._showPayload();
      return;
    }
    this._handover = new LiveHandover(source, this._liveModel!, {
      add: renderer => {
        renderer.addClass(LIVE_CLASS);
        this.addWidget(renderer);
      },
      live: () => this._disposePane(),
      fallBack: () => this._showPayload()
    });
    this._handover.start();
  }

  private _showPayload(): void {
    const result = this._result;
    if (result === null || this.isDisposed) {
      return;
    }
    if (!result.ok) {
      this._setPane(new MessagePane(result.message));
      return;
    }
    try {
      const payload = result.payload;
      this._setPane(
        'kerasviz_comparison' in payload
          ? new ComparisonPane(payload)
          : 'kerasviz_replay' in payload
            ? new ReplayPane(payload)
            : new GraphPane(payload)
      );
    } catch (error) {
      this._setPane(new MessagePane(`kerasviz: could not draw this graph: ${String(error)}`));
    }
  }

  private _setPane(pane: Pane): void {
    this._disposePane();
    this._pane = pane;
    this.addWidget(pane);
  }

  private _disposePane(): void {
    this._pane?.dispose();
    this._pane = null;
  }

  private _reset(): void {
    this._generation++; // a decode still running for an earlier model is dropped
    this._withdraw?.();
    this._withdraw = null;
    this._handover?.dispose();
    this._handover = null;
    this._liveModel = null;
    this._disposePane();
    this._result = null;
  }

  private _mimeType: string;
  private _result: ValidationResult | ComparisonResult | ReplayResult | null = null;
  private _pane: Pane | null = null;
  private _liveModel: IRenderMime.IMimeModel | null = null;
  private _handover: LiveHandover | null = null;
  private _withdraw: (() => void) | null = null;
  private _generation = 0;
}

type Pane = GraphPane | ComparisonPane | ReplayPane | MessagePane;

/** Do two outputs show the same live widget (same widget model id)? */
/** Packed outputs longer than this are rewritten after the next frame (_whenCheap). */
const DEFER_WRITE_CHARS = 200_000;

/** Run `fn` once the next frame is painted (at once where there are no frames). */
function afterPaint(fn: () => void): void {
  if (typeof requestAnimationFrame === 'function') {
    requestAnimationFrame(() => setTimeout(fn, 0));
  } else {
    fn();
  }
}

function sameWidget(a: IRenderMime.IMimeModel, b: IRenderMime.IMimeModel): boolean {
  const ida = (a.data[WIDGET_VIEW_MIME_TYPE] as { model_id?: unknown } | undefined)?.model_id;
  const idb = (b.data[WIDGET_VIEW_MIME_TYPE] as { model_id?: unknown } | undefined)?.model_id;
  return typeof ida === 'string' && ida === idb;
}

/** The graph of one payload, read-only: no host callbacks. */
class GraphPane extends Widget {
  constructor(payload: ConstructorParameters<typeof GraphView>[1]) {
    super();
    this.addClass(GRAPH_CLASS);
    this.view = new GraphView(this.node, payload);
    this.views = [this.view];
  }

  readonly view: GraphView;
  readonly views: ReadonlyArray<GraphView>;

  dispose(): void {
    if (!this.isDisposed) {
      this.view.dispose();
    }
    super.dispose();
  }
}

/** A saved replay: the same ReplayView as the live widget, with no kernel. */
class ReplayPane extends Widget {
  constructor(payload: ConstructorParameters<typeof ReplayView>[0]) {
    const replay = new ReplayView(payload);
    super({ node: replay.node });
    this.addClass(GRAPH_CLASS);
    this.replay = replay;
  }

  readonly replay: ReplayView;

  /** The graph of the step shown. */
  get view(): GraphView | null {
    return this.replay.view;
  }

  get views(): ReadonlyArray<GraphView> {
    const view = this.replay.view;
    return view === null ? [] : [view];
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.replay.dispose();
    }
    super.dispose();
  }
}

/** A plain-text message in place of the graph. */
class MessagePane extends Widget {
  constructor(message: string) {
    super();
    this.addClass('kv-root');
    this.addClass('kv-mime-message');
    this.node.append(h('div', 'kv-note kv-note-error', message));
  }

  readonly view = null;
  readonly views: ReadonlyArray<GraphView> = [];
}

/**
 * A mime renderer factory for kerasviz view payloads. Safe: nothing from the
 * payload becomes HTML, and the widget renderer is only used for trusted outputs.
 */
export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [MIME_TYPE, COMPARISON_MIME_TYPE, REPLAY_MIME_TYPE],
  defaultRank: RANK,
  createRenderer: options => {
    // The live widgets' renderer is this extension's own copy when their kernel
    // asks for this build (runtime.ts), so JupyterLab and Notebook 7 never receive
    // it. Registered here, not on import: JupyterLab imports a disabled extension's
    // module too (and then neither uses it nor loads its styles).
    registerRuntime(RUNTIME_ID, widgetModule);
    return new GraphOutput(options);
  }
};

/**
 * Extension definition.
 */
const extension: IRenderMime.IExtension = {
  id: 'kerasviz:mime',
  description:
    'Renders kerasviz model graphs, comparisons and construction replays ' +
    '(application/vnd.kerasviz.graph+json, application/vnd.kerasviz.comparison+json, ' +
    'application/vnd.kerasviz.replay+json).',
  rendererFactory,
  rank: RANK,
  dataType: 'json'
};

export default extension;
