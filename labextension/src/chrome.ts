/**
 * The header (model facts, notes) and the toolbar (search, fit, expand/collapse
 * all, legend) around the graph canvas. Built from text only.
 */

import { button, h } from './dom';
import { apiLabel, formatCount, formatShapes } from './format';
import type { IExplainedError, IFinding } from './types';
import type { ViewGraph } from './viewgraph';

/** The header: model name, API, params, input and output shapes, notes. */
export function buildHeader(vg: ViewGraph): HTMLElement {
  const model = vg.graph.model;
  const header = h('div', 'kv-header');
  const title = h('div', 'kv-header-main');
  title.append(h('span', 'kv-model-name', model.name));
  const api = apiLabel(model.api);
  const badge =
    model.class_name && !['Functional', 'Sequential'].includes(model.class_name)
      ? `${api} · ${model.class_name}`
      : api;
  title.append(h('span', 'kv-badge', badge));
  if (!model.built) {
    title.append(h('span', 'kv-badge kv-badge-warn', 'not built'));
  }
  header.append(title);
  const facts = h('div', 'kv-header-facts');
  const fact = (label: string, value: string) => {
    const item = h('span', 'kv-fact');
    item.append(h('span', 'kv-fact-label', `${label} `), h('span', 'kv-fact-value', value));
    facts.append(item);
  };
  const p = model.params;
  fact('Params', formatCount(p.total));
  fact('Trainable', formatCount(p.trainable));
  if (p.non_trainable > 0) {
    fact('Non-trainable', formatCount(p.non_trainable));
  }
  fact('Input', formatShapes(model.input_shapes ?? []) || '—');
  fact('Output', formatShapes(model.output_shapes ?? []) || '—');
  header.append(facts);
  const notes = vg.payload.notes ?? [];
  if (notes.length > 0) {
    const box = h('div', 'kv-notes');
    for (const note of notes) {
      const banner = h('div', 'kv-note', String(note));
      banner.setAttribute('role', 'note');
      box.append(banner);
    }
    header.append(box);
  }
  const error = vg.payload.error;
  if (error) {
    header.append(explainedBox(error));
  }
  const findings = vg.payload.lint ?? [];
  if (findings.length > 0) {
    header.append(findingList(findings, id => vg.nameOf(id)));
  }
  return header;
}

/**
 * An explained construction error: what the layer expected and got, what to do,
 * the corrected line, and the original error (small). Text only.
 */
export function explainedBox(error: IExplainedError): HTMLElement {
  const box = h('div', 'kv-explained');
  box.setAttribute('role', 'alert');
  const where = error.line !== null && error.line !== undefined ? ` (line ${error.line})` : '';
  box.append(h('div', 'kv-explained-title', `Why this failed${where}`));
  if (error.code) {
    box.append(h('pre', 'kv-explained-code kv-explained-bad', error.code.trim()));
  }
  box.append(h('p', 'kv-explained-message', error.message));
  if (error.hint) {
    box.append(h('p', 'kv-explained-hint', error.hint));
  }
  if (error.fix) {
    box.append(h('div', 'kv-explained-label', 'Try:'));
    box.append(h('pre', 'kv-explained-code kv-explained-fix', error.fix));
  }
  if (error.error) {
    box.append(h('div', 'kv-explained-original', error.error));
  }
  return box;
}

/** The lint findings as a list: severity, layer, message, fix. */
export function findingList(
  findings: ReadonlyArray<IFinding>,
  nameOf: (id: string) => string
): HTMLElement {
  const box = h('details', 'kv-lint-list');
  const errors = findings.filter(f => f.severity === 'error').length;
  const summary = h(
    'summary',
    undefined,
    `Lint: ${findings.length} finding${findings.length === 1 ? '' : 's'}` +
      (errors > 0 ? ` (${errors} error${errors === 1 ? '' : 's'})` : '')
  );
  box.append(summary);
  const list = h('ul');
  for (const f of findings) {
    const item = h('li', `kv-finding kv-finding-${f.severity}`);
    const layer = f.layer === null ? 'model' : nameOf(f.layer);
    item.append(
      h('span', 'kv-finding-where', `${f.severity} · ${layer} · ${f.code}: `),
      h('span', 'kv-finding-message', f.message)
    );
    if (f.fix) {
      item.append(h('div', 'kv-finding-fix', `Fix: ${f.fix}`));
    }
    list.append(item);
  }
  box.append(list);
  return box;
}

/** What the toolbar's controls do. */
export interface IToolbarActions {
  /** Find a layer; `next` when Enter asks for the following match. */
  search(query: string, next: boolean): void;
  /** Fit the graph in view. */
  fit(): void;
  /** Expand every container. */
  expandAll(): void;
  /** Collapse every container. */
  collapseAll(): void;
  /** Colour the nodes by an overlay metric (null: the layer kinds). */
  overlay?(key: string | null): void;
  /** Run the model once on random inputs (a kernel is there). */
  activations?(): void;
}

/** The toolbar: search box and its status, buttons, legend. */
export class Toolbar {
  /** Build the toolbar for a graph. */
  constructor(vg: ViewGraph, actions: IToolbarActions) {
    this.node = h('div', 'kv-toolbar');
    const search = h('input', 'kv-search');
    search.type = 'search';
    search.placeholder = 'Find a layer…';
    search.setAttribute('aria-label', 'Find a layer by name');
    search.spellcheck = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => actions.search(search.value, false), 200);
    });
    search.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        clearTimeout(timer);
        event.preventDefault();
        actions.search(search.value, true);
      }
      // Keep notebook shortcuts (a, b, dd, ...) from acting on the cell.
      event.stopPropagation();
    });
    this._status = h('span', 'kv-search-status');
    this._status.setAttribute('aria-live', 'polite');
    const group = h('div', 'kv-toolbar-group');
    group.append(search, this._status);
    const buttons = h('div', 'kv-toolbar-group');
    buttons.append(
      button(
        'Fit',
        'kv-button',
        () => actions.fit(),
        'Fit the graph in view (as much of it as stays readable)'
      )
    );
    if (vg.containers.length > 0) {
      buttons.append(
        button('Expand all', 'kv-button', () => actions.expandAll(), 'Open every group'),
        button('Collapse all', 'kv-button', () => actions.collapseAll(), 'Close every group')
      );
    }
    if (actions.activations) {
      buttons.append(
        button(
          'Activation stats',
          'kv-button kv-run-button',
          () => actions.activations!(),
          'Run the model once on random inputs (no training) and show each layer’s output ' +
            'statistics: in the inspector, and as overlays'
        )
      );
    }
    this.node.append(group, buttons);
    const metrics = vg.payload.overlays?.metrics ?? [];
    if (metrics.length > 0 && actions.overlay) {
      const select = h('select', 'kv-overlay-select');
      select.setAttribute('aria-label', 'Colour the layers by');
      select.title = 'Colour the layers by a number: costs, activation statistics, your own';
      const none = h('option', undefined, 'Colour: layer kind');
      none.value = '';
      select.append(none);
      for (const m of metrics) {
        const option = h('option', undefined, `Colour: ${m.label}`);
        option.value = m.key;
        select.append(option);
      }
      select.addEventListener('change', () => actions.overlay!(select.value || null));
      select.addEventListener('keydown', event => event.stopPropagation());
      this.overlaySelect = select;
      const wrap = h('div', 'kv-toolbar-group');
      wrap.append(select);
      this.node.append(wrap);
    }
    this._kinds = buildLegend(vg);
    this._legend = h('div', 'kv-legend-wrap');
    this._legend.append(this._kinds);
    this.node.append(this._legend);
    this.search = search;
  }

  /** The overlay menu (absent when the payload has no overlays). */
  readonly overlaySelect: HTMLSelectElement | null = null;

  /** Show the kinds legend (null) or an overlay's legend; sync the menu. */
  setLegend(key: string | null, legend: HTMLElement | null): void {
    this._legend.replaceChildren(legend ?? this._kinds);
    if (this.overlaySelect) {
      this.overlaySelect.value = key ?? '';
    }
  }

  /** The toolbar element. */
  readonly node: HTMLElement;

  /** The search box. */
  readonly search: HTMLInputElement;

  /** Show a short status next to the search box ("" clears it). */
  setStatus(text: string, isError = false): void {
    this._status.textContent = text;
    this._status.classList.toggle('kv-status-error', isError);
  }

  private _status: HTMLElement;
  private _kinds: HTMLElement;
  private _legend: HTMLElement;
}

/** Swatches of the node kinds present in the graph, coloured from the payload. */
export function buildLegend(vg: ViewGraph): HTMLElement {
  const legend = h('div', 'kv-legend');
  legend.setAttribute('aria-label', 'Layer kinds');
  const kinds = vg.payload.style?.kinds ?? {};
  const present = new Set<string>();
  for (const n of vg.graph.nodes) {
    present.add(n.kind);
  }
  if (vg.containers.some(id => vg.block(id))) {
    present.add('block');
  }
  const listed = vg.payload.style?.order;
  const order = Array.isArray(listed) ? listed.filter(k => k in kinds) : Object.keys(kinds);
  for (const kind of order) {
    const style = kinds[kind];
    if (!present.has(kind)) {
      continue;
    }
    const item = h('span', 'kv-legend-item');
    const swatch = h('span', 'kv-swatch');
    // background-color takes no url(), so a payload value cannot fetch anything.
    swatch.style.setProperty('background-color', String(style.color));
    item.append(swatch, h('span', undefined, style.label ?? kind));
    legend.append(item);
  }
  return legend;
}

/** Whether zooming is ⌘ + wheel here (a Mac) rather than Ctrl + wheel. */
function isMac(): boolean {
  const nav = typeof navigator === 'undefined' ? null : navigator;
  return /Mac|iPhone|iPad/.test(nav?.platform ?? nav?.userAgent ?? '');
}

/** The hint shown when the wheel over the graph scrolled the page instead of zooming. */
export function wheelHintText(mac = isMac()): string {
  return `${mac ? '⌘' : 'Ctrl'} + scroll (or pinch) to zoom · drag to pan`;
}

/** A short message over the canvas that fades out by itself. */
export class CanvasHint {
  /** Build the hint element (hidden); the caller puts it over the canvas. */
  constructor() {
    this.node = h('div', 'kv-canvas-hint');
    this.node.setAttribute('role', 'status');
    this.node.setAttribute('aria-live', 'polite');
  }

  /** The hint element. */
  readonly node: HTMLElement;

  /** Whether the hint is showing. */
  get visible(): boolean {
    return this.node.classList.contains('kv-visible');
  }

  /** Show `text` for `ms` milliseconds. */
  show(text: string, ms = 2500): void {
    this.node.textContent = text;
    this.node.classList.add('kv-visible');
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.hide(), ms);
  }

  /** Hide it now. */
  hide(): void {
    clearTimeout(this._timer);
    this.node.classList.remove('kv-visible');
  }

  private _timer: ReturnType<typeof setTimeout> | undefined;
}
