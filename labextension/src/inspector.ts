/**
 * The layer inspector: everything the payload knows about the selected layer or
 * container, as DOM built from text (never HTML).
 */

import { clear, dataTable, h, keyValueTable, button } from './dom';
import {
  activationName,
  formatCount,
  formatNumber,
  formatShape,
  formatShapes,
  formatValue
} from './format';
import { containerSummary } from './search';
import { formatBytes, formatMetricValue, formatShort } from './overlay';
import type { IActivationStats, ICost, IGraphNode, IOverlayMetric, IWeightStats } from './types';
import type { ViewGraph } from './viewgraph';
import { sourceList } from './source';

/** What the inspector can ask the graph view to do. */
export interface IInspectorActions {
  /** Move the selection (null clears it). */
  select(id: string | null): void;
  /** Expand a collapsed container or collapse an expanded one. */
  toggle(id: string): void;
  /** Whether a container is collapsed. */
  isCollapsed(id: string): boolean;
  /** Weight statistics from the kernel; absent without one. */
  requestWeightStats?(id: string): Promise<IWeightStats[]>;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const MAX_LINKS = 60;

/** The side panel describing the selected node. */
export class Inspector {
  /** Make an empty inspector panel (`.kv-inspector`). */
  constructor(actions: IInspectorActions) {
    this._actions = actions;
    this.node = h('aside', 'kv-inspector');
    this.node.setAttribute('aria-label', 'Layer inspector');
    this.show(null);
  }

  /** The panel element. */
  readonly node: HTMLElement;

  /** The id shown, or null. */
  get current(): string | null {
    return this._current;
  }

  /** Use another graph (after a payload change). */
  setGraph(vg: ViewGraph | null): void {
    this._vg = vg;
    this._current = null;
    this._overlay = null;
  }

  /** The overlay shown on the graph: its value gets a line (null: none). */
  setOverlay(metric: IOverlayMetric | null): void {
    this._overlay = metric;
  }

  /** Show a node, block or nested model; null shows a hint. */
  show(id: string | null): void {
    const vg = this._vg;
    clear(this.node);
    this._current = id !== null && vg?.has(id) ? id : null;
    if (!vg || this._current === null) {
      this.node.append(
        h('p', 'kv-hint', 'Select a layer to see its shapes, parameters, weights and config.')
      );
      // only where there are groups (blocks or nested models) to open and close
      if (vg && vg.containers.length > 0) {
        this.node.append(
          h(
            'p',
            'kv-hint kv-hint-groups',
            'Tap a collapsed group (dashed box) to open it; double-tap an open group to ' +
              'close it again.'
          )
        );
      }
      return;
    }
    if (vg.isContainer(this._current)) {
      this._showContainer(vg, this._current);
    } else {
      this._showLayer(vg, vg.node(this._current)!);
    }
  }

  private _title(name: string, subtitle: string): void {
    this.node.append(h('h3', 'kv-title', name), h('div', 'kv-subtitle', subtitle));
  }

  /** Why the payload marks this node (`highlight`), as a plain-text note. */
  private _reason(vg: ViewGraph, id: string): void {
    const reason = vg.highlightReason(id);
    if (reason !== null) {
      const note = h('div', 'kv-highlight-reason', reason);
      note.setAttribute('role', 'note');
      this.node.append(note);
    }
  }

  /** Where a custom layer's inside comes from: its traced call(), or why not. */
  private _traceNote(node: IGraphNode): void {
    const trace = node.trace;
    if (!trace) {
      return;
    }
    const text = trace.traced
      ? 'Its inner wiring was traced from its call() with symbolic inputs (no data ran).'
      : (trace.reason ?? 'Its inner wiring is not shown.');
    const note = h('p', trace.traced ? 'kv-trace-note' : 'kv-trace-note kv-untraced', text);
    note.setAttribute('role', 'note');
    this.node.append(note);
  }

  private _section(title: string): HTMLElement {
    const section = h('section', 'kv-section');
    section.append(h('h4', undefined, title));
    this.node.append(section);
    return section;
  }

  private _showLayer(vg: ViewGraph, node: IGraphNode): void {
    const qualified = node.module ? `${node.module}.${node.class_name}` : node.class_name;
    this._title(node.name, `${qualified} · ${node.kind}`);
    this._reason(vg, node.id);
    if (node.error) {
      this.node.append(h('pre', 'kv-error-text', node.error));
    }
    this._traceNote(node);
    if (node.sources && node.sources.length > 0) {
      this.node.append(sourceList(node.sources));
    }
    const findings = vg.findingsOf(node.id);
    if (findings.length > 0) {
      const section = this._section('Lint');
      for (const f of findings) {
        const item = h('div', `kv-finding kv-finding-${f.severity}`);
        item.append(h('div', 'kv-finding-message', `${f.code}: ${f.message}`));
        if (f.fix) {
          item.append(h('div', 'kv-finding-fix', `Fix: ${f.fix}`));
        }
        section.append(item);
      }
    }
    const shapes = this._section('Shapes');
    const calls = h('div', 'kv-shapes');
    if (node.calls.length === 0) {
      calls.textContent = 'No shapes: this layer has not been called.';
    } else {
      calls.append(
        dataTable(
          node.calls.length > 1 ? ['Call', 'Input', 'Output'] : ['Input', 'Output'],
          node.calls.map((call, i) => {
            const row = [formatShapes(call.input_shapes) || '—', formatShapes(call.output_shapes)];
            return node.calls.length > 1 ? [`#${i + 1}`, ...row] : row;
          }),
          'kv-table kv-calls'
        )
      );
    }
    shapes.append(calls);
    const config = vg.fullConfig(node.id);
    const facts: Array<[string, string]> = [
      ['dtype', node.dtype ?? '—'],
      ['Trainable params', formatCount(node.params.trainable)],
      ['Non-trainable params', formatCount(node.params.non_trainable)]
    ];
    const activation = activationName(config);
    if (activation !== null) {
      facts.push(['Activation', activation]);
    }
    this._section('Layer').append(keyValueTable(facts));
    this._costs(vg, node.id);
    this._activations(vg, node.id);
    if (node.weights.length > 0) {
      this._weights(node);
    }
    this._neighbours(vg, node.id);
    this._config(vg, node);
  }

  /** The node's (or container's: sums) cost, its share, and the overlay's value. */
  private _costs(vg: ViewGraph, id: string): void {
    const costs = vg.payload.costs;
    const cost = costOf(vg, id);
    const metric = this._overlay;
    const own = metric && !['params', 'macs', 'flops', 'memory', 'share'].includes(metric.key);
    if (!cost && !own) {
      return;
    }
    const batch = costs?.batch_size ?? 1;
    const section = this._section(
      vg.isContainer(id) ? `Cost (sum inside, batch ${batch})` : `Cost (batch ${batch})`
    );
    const rows: Array<[string, string]> = [];
    const unknown = 'unknown';
    if (cost) {
      // a figure left out of the payload is 0; null is unknown
      const count = (v: number | null | undefined) => {
        if (v === null) {
          return unknown;
        }
        const n = v ?? 0;
        return `${formatShort(n)}${n >= 10_000 ? ` (${formatCount(n)})` : ''}`;
      };
      const bytes = (v: number | null | undefined) => (v === null ? unknown : formatBytes(v ?? 0));
      rows.push(['MACs', count(cost.macs)], ['FLOPs', count(cost.flops)]);
      const total = costs?.total?.flops;
      const flops = cost.flops === undefined ? 0 : cost.flops;
      if (typeof flops === 'number' && typeof total === 'number' && total > 0) {
        rows.push(['Share of FLOPs', formatMetricValue(flops / total, 'share')]);
      }
      rows.push(
        ['Parameter memory', bytes(cost.param_bytes)],
        ['Output memory', bytes(cost.activation_bytes)]
      );
      rows.push(['Peak memory (est.)', bytes(cost.peak_bytes)]);
    }
    if (metric && own) {
      const value = metric.values[id];
      rows.push([
        metric.label,
        typeof value === 'number'
          ? formatMetricValue(value, metric.unit)
          : (metric.reasons[id] ?? 'no value')
      ]);
    }
    section.append(keyValueTable(rows));
    if (cost?.reason) {
      section.append(h('p', 'kv-hint kv-cost-reason', cost.reason));
    }
  }

  /** The output statistics of one forward pass (after Explorer.run()). */
  private _activations(vg: ViewGraph, id: string): void {
    const stats: IActivationStats | undefined = vg.payload.activations?.[id];
    if (!stats) {
      return;
    }
    const section = this._section('Activations (one forward pass)');
    if (stats.note) {
      const note = h('div', 'kv-activation-note', stats.note);
      note.setAttribute('role', 'note');
      section.append(note);
    }
    const num = (v: number | null | undefined) => (typeof v === 'number' ? formatNumber(v) : '—');
    const rows: Array<[string, string]> = [
      ['mean', num(stats.mean)],
      ['std', num(stats.std)],
      ['min … max', `${num(stats.min)} … ${num(stats.max)}`],
      ['zeros', typeof stats.zeros === 'number' ? formatMetricValue(stats.zeros, 'share') : '—']
    ];
    if (stats.nonfinite) {
      rows.push(['NaN or infinite', formatCount(stats.nonfinite)]);
    }
    section.append(keyValueTable(rows));
    const hist = stats.histogram;
    if (hist && Array.isArray(hist.counts) && hist.counts.length > 0) {
      section.append(histogramSvg(hist.counts, 240, 36));
      const edges = hist.edges ?? [];
      if (edges.length > 1) {
        const axis = h('div', 'kv-stat-axis');
        axis.append(
          h('span', undefined, formatNumber(edges[0])),
          h('span', undefined, formatNumber(edges[edges.length - 1]))
        );
        section.append(axis);
      }
    }
  }

  private _weights(node: IGraphNode): void {
    const section = this._section(`Weights (${node.weights.length})`);
    section.append(
      dataTable(
        ['Name', 'Shape', 'dtype', 'Trainable'],
        node.weights.map(w => [w.name, formatShape(w.shape), w.dtype, w.trainable ? 'yes' : 'no'])
      )
    );
    const request = this._actions.requestWeightStats;
    if (!request) {
      // a saved notebook with no kernel: say what is missing instead of hiding it
      section.append(
        h(
          'p',
          'kv-hint kv-stats-no-kernel',
          'Weight statistics need a running kernel: run the cell again to compute them.'
        )
      );
      return;
    }
    const output = h('div', 'kv-stats');
    const id = node.id;
    const go = button(
      'Weight statistics',
      'kv-button',
      () => {
        go.disabled = true;
        clear(output);
        output.append(h('span', 'kv-hint', 'Asking the kernel…'));
        request(id)
          .then(
            stats => {
              if (this._current === id) {
                clear(output);
                output.append(statsTable(stats));
              }
            },
            (error: unknown) => {
              if (this._current === id) {
                clear(output);
                output.append(
                  h('span', 'kv-error-text', String((error as Error)?.message ?? error))
                );
              }
            }
          )
          .finally(() => {
            go.disabled = false;
          });
      },
      'Mean, std, min, max and a histogram of each weight (computed by the kernel)'
    );
    section.append(go, output);
  }

  private _links(section: HTMLElement, label: string, ids: string[]): void {
    const vg = this._vg!;
    const row = h('div', 'kv-links');
    row.append(h('span', 'kv-links-label', `${label}: `));
    if (ids.length === 0) {
      row.append(h('span', 'kv-hint', 'none'));
    }
    for (const id of ids.slice(0, MAX_LINKS)) {
      const link = button(vg.nameOf(id), 'kv-link', () => this._actions.select(id), id);
      row.append(link);
    }
    if (ids.length > MAX_LINKS) {
      row.append(h('span', 'kv-hint', ` and ${ids.length - MAX_LINKS} more`));
    }
    section.append(row);
  }

  private _neighbours(vg: ViewGraph, id: string): void {
    const unique = (xs: string[]) => [...new Set(xs)];
    const section = this._section('Connections');
    this._links(section, 'Inputs from', unique(vg.inEdges(id).map(e => e.source)));
    this._links(section, 'Outputs to', unique(vg.outEdges(id).map(e => e.target)));
  }

  private _config(vg: ViewGraph, node: IGraphNode): void {
    const full = vg.fullConfig(node.id);
    if (full === null) {
      this.node.append(h('p', 'kv-hint', 'No config: get_config() failed for this layer.'));
      return;
    }
    const own = new Set(Object.keys(node.config ?? {}));
    const details = h('details', 'kv-config');
    const keys = Object.keys(full);
    details.append(
      h('summary', undefined, `Config (${keys.length} entries, ${own.size} set explicitly)`)
    );
    const table = h('table', 'kv-table kv-config-table');
    const body = h('tbody');
    for (const key of keys) {
      const tr = h('tr', own.has(key) ? 'kv-nondefault' : undefined);
      const th = h('th', undefined, key);
      if (own.has(key)) {
        th.title = 'Set explicitly: differs from the default';
      }
      tr.append(th, h('td', undefined, formatValue(full[key])));
      body.append(tr);
    }
    table.append(body);
    details.append(table, h('p', 'kv-hint', 'Bold keys differ from the class defaults.'));
    this.node.append(details);
  }

  private _showContainer(vg: ViewGraph, id: string): void {
    const node = vg.node(id);
    const collapsed = this._actions.isCollapsed(id);
    this._title(
      vg.nameOf(id),
      node
        ? `${node.kind === 'model' ? 'Nested model' : 'Custom layer'} · ${node.class_name}`
        : 'Block of layers (grouped by name)'
    );
    const toggle = button(collapsed ? 'Expand' : 'Collapse', 'kv-button kv-toggle', () =>
      this._actions.toggle(id)
    );
    this.node.append(toggle);
    this._reason(vg, id);
    const marked = vg.highlightedInside(id);
    if (marked.length > 0) {
      this._links(this._section('Marked layers inside'), 'Marked', [...marked]);
    }
    if (node?.error) {
      this.node.append(h('pre', 'kv-error-text', node.error));
    }
    if (node) {
      this._traceNote(node);
    }
    const summary = containerSummary(vg, id);
    const shapes = this._section('Shapes at its boundary');
    const box = h('div', 'kv-shapes');
    box.append(
      dataTable(
        ['Input', 'Output'],
        [[formatShapes(summary.inputShapes) || '—', formatShapes(summary.outputShapes) || '—']],
        'kv-table kv-calls'
      )
    );
    shapes.append(box);
    this._section('Contents').append(
      keyValueTable([
        ['Layers', formatCount(summary.layers)],
        ['Total params', formatCount(summary.params.total)],
        ['Trainable params', formatCount(summary.params.trainable)],
        ['Non-trainable params', formatCount(summary.params.non_trainable)]
      ])
    );
    this._costs(vg, id);
    const members = this._section('Members');
    this._links(members, 'Contains', [...vg.children(id)]);
    if (node) {
      this._config(vg, node);
    }
  }

  private _actions: IInspectorActions;
  private _overlay: IOverlayMetric | null = null;
  private _vg: ViewGraph | null = null;
  private _current: string | null = null;
}

/** Cost fields the cost overlays carry instead of `costs.nodes` (overlay key). */
const CARRIED: ReadonlyArray<[keyof ICost, string]> = [
  ['params', 'params'],
  ['macs', 'macs'],
  ['flops', 'flops'],
  ['activation_bytes', 'memory']
];

/**
 * A node's (or container's) cost as the payload splits it: `costs.nodes` keeps
 * what no overlay holds (a figure left out is 0, null unknown); the cost overlays
 * hold the others by node (a node with a reason there: unknown).
 */
export function costOf(vg: ViewGraph, id: string): ICost | undefined {
  const costs = vg.payload.costs;
  const own = costs?.nodes?.[id] ?? costs?.containers?.[id];
  if (own === undefined) {
    return undefined;
  }
  const cost: ICost = { ...own };
  for (const [field, key] of CARRIED) {
    const metric = vg.payload.overlays?.metrics.find(m => m.key === key);
    if (metric && cost[field] === undefined) {
      const value = metric.values[id];
      (cost as Record<string, unknown>)[field] =
        typeof value === 'number' ? value : id in metric.reasons ? null : 0;
    }
  }
  return cost;
}

/** A small SVG bar chart of a histogram. */
export function histogramSvg(
  counts: ReadonlyArray<number>,
  width = 120,
  height = 28
): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'kv-histogram');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  const peak = Math.max(1, ...counts);
  const bar = counts.length > 0 ? width / counts.length : width;
  counts.forEach((c, i) => {
    const rect = document.createElementNS(SVG_NS, 'rect');
    const barHeight = (c / peak) * (height - 1);
    rect.setAttribute('x', String(i * bar));
    rect.setAttribute('y', String(height - barHeight));
    rect.setAttribute('width', String(Math.max(bar - 0.5, 0.5)));
    rect.setAttribute('height', String(barHeight));
    svg.append(rect);
  });
  return svg;
}

/** The weight statistics: per weight its shape, mean, std, min, max and histogram. */
export function statsTable(stats: ReadonlyArray<IWeightStats>): HTMLElement {
  if (stats.length === 0) {
    return h('span', 'kv-hint', 'This layer has no weights.');
  }
  const list = h('div', 'kv-stats-table');
  for (const s of stats) {
    const card = h('div', 'kv-stat-card');
    const title = h('div', 'kv-stat-title');
    title.append(
      h('span', 'kv-stat-name', s.name),
      h('span', 'kv-hint', ` ${formatShape(s.shape)} ${s.dtype}`)
    );
    const numbers = h('div', 'kv-stat-numbers');
    for (const [label, value] of [
      ['mean', s.mean],
      ['std', s.std],
      ['min', s.min],
      ['max', s.max]
    ] as Array<[string, number | undefined]>) {
      const cell = h('span', 'kv-stat-number');
      const text = typeof value === 'number' ? formatNumber(value) : '—';
      cell.append(h('span', 'kv-hint', `${label} `), h('span', undefined, text));
      numbers.append(cell);
    }
    card.append(title, numbers);
    if (s.non_finite) {
      card.append(h('div', 'kv-error-text', `${formatCount(s.non_finite)} NaN or infinite values`));
    }
    if (s.histogram && s.histogram.counts.length > 0) {
      const hist = histogramSvg(s.histogram.counts, 240, 36);
      const edges = s.histogram.edges;
      if (edges.length > 1) {
        const range = `${formatNumber(edges[0])} … ${formatNumber(edges[edges.length - 1])}`;
        const tip = document.createElementNS(SVG_NS, 'title');
        tip.textContent = range;
        hist.append(tip);
        const axis = h('div', 'kv-stat-axis');
        axis.append(
          h('span', undefined, formatNumber(edges[0])),
          h('span', undefined, formatNumber(edges[edges.length - 1]))
        );
        card.append(hist, axis);
      } else {
        card.append(hist);
      }
    }
    list.append(card);
  }
  return list;
}
