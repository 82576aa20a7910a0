/**
 * ReplayView: a construction replay. The source beside the graph; step buttons,
 * a slider and play/pause move through the steps; each step draws its own view
 * payload (what existed then, the new nodes marked) and highlights its line.
 * The live Replay widget and the saved output (replay MIME type) both draw it.
 * Everything from the payload is text.
 */

import { button, h } from './dom';
import { GraphView } from './graphview';
import type { IHost } from './host';
import type { IReplayPayload, IReplayStep, IViewPayload } from './types';
import { isObject, validatePayload } from './validate';

import { REPLAY_VERSION } from './contract';

export { REPLAY_MIME_TYPE, REPLAY_VERSION } from './contract';

/** How long a step stays on screen while playing. */
export const PLAY_STEP_MS = 1200;

/** What a live host (the anywidget) gives the view; a saved output gives nothing. */
export interface IReplayHost {
  /** The user moved to another step. */
  onStep?(index: number): void;
  /** Callbacks for each step's graph (weight statistics from the kernel). */
  graph?: IHost;
}

export type ReplayResult = { ok: true; payload: IReplayPayload } | { ok: false; message: string };

/** Check a replay payload, each step's view included, with a message when wrong. */
export function validateReplay(data: unknown): ReplayResult {
  const refuse = (why: string): ReplayResult => ({
    ok: false,
    message: `kerasviz: cannot show this replay: ${why}`
  });
  if (!isObject(data)) {
    return refuse('it is not a JSON object.');
  }
  if (data.kerasviz_replay !== REPLAY_VERSION) {
    return refuse(
      `it has version ${JSON.stringify(data.kerasviz_replay)}, this kerasviz reads ` +
        `${REPLAY_VERSION}. Re-run the cell with this kerasviz.`
    );
  }
  if (!Array.isArray(data.steps) || typeof data.source !== 'string') {
    return refuse('it has no steps or no source.');
  }
  for (const [i, step] of data.steps.entries()) {
    if (!isObject(step) || typeof step.label !== 'string') {
      return refuse(`step ${i + 1} is not a step.`);
    }
    const view = validatePayload(step.view, false);
    if (!view.ok) {
      return refuse(`step ${i + 1}: ${view.message}`);
    }
  }
  return { ok: true, payload: data as unknown as IReplayPayload };
}

/** The root element of a replay, carrying its view for tests. */
export interface IReplayElement extends HTMLElement {
  kvReplay?: ReplayView;
}

/** A construction replay: controls, the source, the graph of the current step. */
export class ReplayView {
  constructor(payload: IReplayPayload, host: IReplayHost = {}) {
    this._payload = payload;
    this._host = host;
    const root = h('div', 'kv-root kv-replay') as IReplayElement;
    root.kvReplay = this;
    root.tabIndex = 0;
    this.node = root;
    root.append(h('div', 'kv-replay-title', payload.title));
    const steps = payload.steps;
    this._controls = h('div', 'kv-replay-controls');
    this._first = button('« First', 'kv-replay-btn', () => this.go(0), 'First step');
    this._prev = button('‹ Back', 'kv-replay-btn', () => this.go(this._index - 1), 'Previous step');
    this._play = button(
      'Play ▶',
      'kv-replay-btn kv-replay-play',
      () => this.toggle(),
      'Play the steps'
    );
    this._next = button('Next ›', 'kv-replay-btn', () => this.go(this._index + 1), 'Next step');
    this._last = button('Last »', 'kv-replay-btn', () => this.go(steps.length - 1), 'Last step');
    this._slider = h('input', 'kv-replay-slider');
    this._slider.type = 'range';
    this._slider.min = '0';
    this._slider.max = String(Math.max(steps.length - 1, 0));
    this._slider.setAttribute('aria-label', 'Step');
    this._slider.addEventListener('input', () => this.go(Number(this._slider.value)));
    this._status = h('div', 'kv-replay-status');
    this._status.setAttribute('aria-live', 'polite');
    this._controls.append(
      this._first,
      this._prev,
      this._play,
      this._next,
      this._last,
      this._slider
    );
    // One step (a failed cell's explained error): no timeline to move along.
    if (steps.length > 1) {
      root.append(this._controls);
    }
    root.append(this._status);
    const body = h('div', 'kv-replay-body');
    this._code = h('div', 'kv-replay-code');
    this._code.setAttribute('aria-label', 'Source');
    this._lines = payload.source.split('\n').map((text, i) => {
      const line = h('div', 'kv-replay-line');
      line.append(h('span', 'kv-replay-lineno', String(i + 1)), h('span', 'kv-replay-text', text));
      this._code.append(line);
      return line;
    });
    this._graphHost = h('div', 'kv-replay-graph');
    body.append(this._code, this._graphHost);
    root.append(body);
    const warnings = payload.warnings ?? [];
    if (warnings.length > 0) {
      const list = h('ul', 'kv-replay-warnings');
      for (const w of warnings) {
        const where = w.line ? `line ${w.line}: ` : '';
        list.append(h('li', undefined, `${where}${w.message}${w.hint ? ` ${w.hint}` : ''}`));
      }
      root.append(list);
    }
    root.addEventListener('keydown', event => {
      if (event.target instanceof HTMLInputElement && event.target !== this._slider) {
        return;
      }
      if (event.key === 'ArrowRight') {
        this.go(this._index + 1);
        event.preventDefault();
      } else if (event.key === 'ArrowLeft') {
        this.go(this._index - 1);
        event.preventDefault();
      }
    });
    this._show(Math.min(Math.max(payload.start ?? 0, 0), Math.max(steps.length - 1, 0)));
  }

  /** The root element (`.kv-replay`). */
  readonly node: HTMLElement;

  /** The step shown. */
  get index(): number {
    return this._index;
  }

  /** The steps. */
  get steps(): ReadonlyArray<IReplayStep> {
    return this._payload.steps;
  }

  /** The graph of the step shown (null before the first graph). */
  get view(): GraphView | null {
    return this._view;
  }

  /** Whether the replay is playing. */
  get playing(): boolean {
    return this._timer !== null;
  }

  /** Show step `index` (clamped), as the user's move: the host is told. */
  go(index: number): void {
    const n = this._payload.steps.length;
    const clamped = Math.min(Math.max(index, 0), Math.max(n - 1, 0));
    if (clamped === this._index) {
      return;
    }
    this._show(clamped);
    this._host.onStep?.(clamped);
  }

  /** Show step `index` without telling the host (the kernel moved it). */
  show(index: number): void {
    if (index !== this._index) {
      this._show(index);
    }
  }

  /** Play from the current step (from the start when at the end), or pause. */
  toggle(): void {
    if (this._timer !== null) {
      this._stop();
      return;
    }
    if (this._index >= this._payload.steps.length - 1) {
      this.go(0);
    }
    this._play.textContent = 'Pause ❚❚';
    this._play.setAttribute('aria-pressed', 'true');
    this._timer = setInterval(() => {
      if (this._index >= this._payload.steps.length - 1) {
        this._stop();
      } else {
        this.go(this._index + 1);
      }
    }, PLAY_STEP_MS);
  }

  /** Stop playing, drop the graph. */
  dispose(): void {
    this._stop();
    this._view?.dispose();
    this._view = null;
  }

  private _stop(): void {
    if (this._timer !== null) {
      clearInterval(this._timer);
      this._timer = null;
    }
    this._play.textContent = 'Play ▶';
    this._play.setAttribute('aria-pressed', 'false');
  }

  private _show(index: number): void {
    const steps = this._payload.steps;
    this._index = index;
    const step = steps[index];
    this._slider.value = String(index);
    this._first.disabled = this._prev.disabled = index <= 0;
    this._next.disabled = this._last.disabled = index >= steps.length - 1;
    if (step === undefined) {
      this._status.textContent = 'This code built nothing kerasviz can show.';
      return;
    }
    const where = step.line ? `line ${step.line}` : 'no line';
    this._status.textContent = `Step ${index + 1} of ${steps.length} · ${where} · ${step.label}`;
    this._status.classList.toggle('kv-replay-status-error', step.kind === 'error');
    for (const [i, line] of this._lines.entries()) {
      const current = step.line === i + 1;
      line.classList.toggle('kv-replay-current', current);
      line.classList.toggle('kv-replay-error', current && step.kind === 'error');
      line.classList.toggle(
        'kv-replay-done',
        !current && step.line !== null && step.line !== undefined && i + 1 < step.line
      );
    }
    this._scrollCodeTo(step.line);
    const view = step.view as IViewPayload;
    if (this._view === null) {
      this._view = new GraphView(this._graphHost, view, this._host.graph ?? {});
    } else {
      this._view.setPayload(view);
    }
  }

  /** Keep the current line in view inside the code panel (never scroll the page). */
  private _scrollCodeTo(line: number | null | undefined): void {
    if (!line) {
      return;
    }
    const el = this._lines[line - 1];
    if (!el) {
      return;
    }
    const panel = this._code;
    const top = el.offsetTop - panel.offsetTop;
    if (top < panel.scrollTop || top + el.offsetHeight > panel.scrollTop + panel.clientHeight) {
      panel.scrollTop = Math.max(0, top - panel.clientHeight / 3);
    }
  }

  private _payload: IReplayPayload;
  private _host: IReplayHost;
  private _index = -1;
  private _view: GraphView | null = null;
  private _timer: ReturnType<typeof setInterval> | null = null;
  private _controls: HTMLElement;
  private _first: HTMLButtonElement;
  private _prev: HTMLButtonElement;
  private _play: HTMLButtonElement;
  private _next: HTMLButtonElement;
  private _last: HTMLButtonElement;
  private _slider: HTMLInputElement;
  private _status: HTMLElement;
  private _code: HTMLElement;
  private _lines: HTMLElement[];
  private _graphHost: HTMLElement;
}

/** Whether a JSON value looks like a replay payload (dispatch only; validate after). */
export function isReplayPayload(data: unknown): boolean {
  return isObject(data) && 'kerasviz_replay' in data;
}
