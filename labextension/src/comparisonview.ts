/**
 * The comparison view both hosts draw: the live `kerasviz.compare()` widget
 * (widget.ts) and a saved comparison's MIME output (index.ts, through
 * {@link ComparisonPane}). Plain DOM and no Lumino, so the anywidget bundle stays
 * small; everything from the payload goes in as text.
 */

import { codePanel } from './code';
import type {
  IComparisonColumn,
  IComparisonHost,
  IComparisonPayload,
  IDiffTable,
  IReasonGroup,
  SelectionPair
} from './comparison';
import { COMPARISON_VERSION } from './contract';
import { dataTable, h } from './dom';
import { GraphView } from './graphview';
import type { IViewPayload } from './types';
import { isObject, quote, validatePayload } from './validate';

/** The outcome of {@link validateComparison}. */
export type ComparisonResult =
  { ok: true; payload: IComparisonPayload } | { ok: false; message: string };

/**
 * Check that `data` is a comparison this renderer can draw: the envelope, and
 * every column's view payload with the graph renderer's own checks.
 */
export function validateComparison(data: unknown): ComparisonResult {
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return refuse('the output data is not JSON. Run the cell again to redraw it.');
    }
  }
  if (!isObject(value) || !('kerasviz_comparison' in value)) {
    return refuse(
      'this output is not a kerasviz comparison (it has no "kerasviz_comparison" ' +
        'version). Run the cell again to redraw it.'
    );
  }
  if (value.kerasviz_comparison !== COMPARISON_VERSION) {
    return refuse(
      `this comparison has version ${quote(value.kerasviz_comparison)}, but ` +
        `this renderer reads version ${COMPARISON_VERSION}. Upgrade kerasviz so that ` +
        'the Python package and the front end match, then run the cell again.'
    );
  }
  if (typeof value.title !== 'string' || !Array.isArray(value.columns)) {
    return refuse('the comparison has no title or no columns.');
  }
  const columns: IComparisonColumn[] = [];
  for (let i = 0; i < value.columns.length; i++) {
    const c = value.columns[i];
    if (!isObject(c) || typeof c.title !== 'string') {
      return refuse(`column #${i} has no title.`);
    }
    let view: IViewPayload | null = null;
    if (c.view !== null && c.view !== undefined) {
      const checked = validatePayload(c.view, false);
      if (!checked.ok) {
        return refuse(`the graph of column ${quote(c.title)}: ${checked.message}`);
      }
      view = checked.payload;
    }
    columns.push({
      title: c.title,
      view,
      code: typeof c.code === 'string' ? c.code : null,
      code_title: typeof c.code_title === 'string' ? c.code_title : null,
      notes: strings(c.notes),
      reason_groups: reasonGroups(c.reason_groups)
    });
  }
  const v = value.verdict;
  const verdict =
    isObject(v) && typeof v.title === 'string'
      ? { title: v.title, ok: v.ok === true, lines: strings(v.lines) }
      : null;
  const t = value.table;
  const table = isObject(t) && Array.isArray(t.rows) ? diffTable(t) : null;
  const mapping: Record<string, string> = {};
  if (isObject(value.mapping)) {
    for (const [k, v] of Object.entries(value.mapping)) {
      if (typeof v === 'string') {
        mapping[k] = v;
      }
    }
  }
  return {
    ok: true,
    payload: {
      kerasviz_comparison: COMPARISON_VERSION,
      title: value.title,
      columns,
      verdict,
      table,
      mapping
    }
  };
}

function refuse(reason: string): ComparisonResult {
  return { ok: false, message: `kerasviz: cannot show this comparison: ${reason}` };
}

/** Make `element` act on a click or Enter/Space, as a button does. */
function clickable(
  element: HTMLElement,
  className: string,
  title: string,
  action: () => void
): void {
  element.classList.add(className);
  element.tabIndex = 0;
  element.title = title;
  element.setAttribute('role', 'button');
  element.addEventListener('click', action);
  element.addEventListener('keydown', event => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      action();
    }
  });
}

/** A `<ul>` of text items. */
function textList(items: ReadonlyArray<string>, className?: string): HTMLUListElement {
  const list = h('ul', className);
  for (const item of items) {
    list.append(h('li', undefined, item));
  }
  return list;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(x => (typeof x === 'string' ? x : String(x))) : [];
}

/** The reason groups of a column; a reason saved as bare text names no layer. */
function reasonGroups(value: unknown): IReasonGroup[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value
    .filter(isObject)
    .filter(g => typeof g.summary === 'string')
    .map(g => ({
      summary: g.summary as string,
      reasons: (Array.isArray(g.reasons) ? g.reasons : []).map(r =>
        isObject(r)
          ? { text: typeof r.text === 'string' ? r.text : '', nodes: strings(r.nodes) }
          : { text: String(r), nodes: [] }
      )
    }));
}

/** The table of differences, with the layers of each row (none where missing). */
function diffTable(t: Record<string, unknown>): IDiffTable {
  const rows = (t.rows as unknown[]).filter(Array.isArray).map(strings);
  const saved = Array.isArray(t.row_nodes) ? t.row_nodes : [];
  const row_nodes = rows.map((_row, i) => {
    const n = saved[i];
    return isObject(n)
      ? { left: strings(n.left), right: strings(n.right) }
      : { left: [], right: [] };
  });
  return { head: strings(t.head), rows, row_nodes };
}
/**
 * A comparison, drawn in plain DOM (no Lumino, so the widget bundle stays small): a title, the columns side by side (graph, code panel, reasons),
 * the verdict and the table of differences. Read-only when drawn from a saved
 * output; the live widget passes a host that syncs the selection with the kernel
 * and asks it for weight statistics.
 */
export class ComparisonView {
  /** Build the comparison in a new `.kv-comparison` element ({@link node}). */
  constructor(payload: IComparisonPayload, host: IComparisonHost = {}) {
    this.node = h('div', 'kv-comparison');
    this._host = host;
    this._forward = new Map(Object.entries(payload.mapping));
    this._back = new Map([...this._forward].map(([a, b]) => [b, a]));
    const node = this.node;
    node.append(h('h3', 'kv-cmp-title', payload.title));
    const row = h('div', 'kv-cmp-row');
    const graphs: Array<GraphView | null> = [];
    payload.columns.forEach((column, index) => {
      const col = h('div', 'kv-cmp-col');
      col.append(h('h4', 'kv-cmp-col-title', column.title));
      if (column.notes.length > 0) {
        const [first, ...rest] = column.notes;
        col.append(h('p', 'kv-cmp-note', first));
        if (column.reason_groups.length > 0) {
          col.append(this._reasonList(column.reason_groups));
        } else if (rest.length > 0) {
          col.append(textList(rest, 'kv-cmp-notes'));
        }
      }
      let graph: GraphView | null = null;
      if (column.view !== null) {
        const box = h('div', 'kv-cmp-graph');
        col.append(box);
        const request = host.requestWeightStats;
        graph = new GraphView(box, column.view, {
          onSelect: id => this._userSelect(index, id),
          requestWeightStats: request ? id => request(index, id) : undefined
        });
      }
      graphs.push(graph);
      if (column.code !== null) {
        col.append(codePanel(column.code, column.code_title));
      }
      row.append(col);
    });
    this._graphs = graphs;
    this.views = graphs.filter((g): g is GraphView => g !== null);
    node.append(row);
    const verdict = payload.verdict;
    if (verdict !== null) {
      const box = h('div', `kv-cmp-verdict ${verdict.ok ? 'kv-cmp-ok' : 'kv-cmp-bad'}`);
      box.append(h('strong', undefined, verdict.title), textList(verdict.lines));
      node.append(box);
    }
    if (payload.table !== null && payload.table.rows.length > 0) {
      node.append(this._diffTable(payload.table));
    }
  }

  /** The graphs drawn, one per column that has one. */
  readonly views: ReadonlyArray<GraphView>;

  /** The element the comparison is drawn in (`.kv-comparison`). */
  readonly node: HTMLDivElement;

  /** The graph of each column (null for a column without one). */
  get graphs(): ReadonlyArray<GraphView | null> {
    return this._graphs;
  }

  /** The selected node id of each column. */
  get selected(): SelectionPair {
    return [this._graphs[0]?.selected ?? null, this._graphs[1]?.selected ?? null];
  }

  /** Select a node id (or null) in each column, as given; does not call the host. */
  select(pair: SelectionPair): void {
    pair.forEach((id, index) => {
      const graph = this._graphs[index];
      if (graph && graph.selected !== id) {
        graph.select(id);
      }
    });
  }

  /** The node id in column `to` that matches `id` of the other column, or null. */
  counterpart(to: number, id: string | null): string | null {
    if (id === null) {
      return null;
    }
    return (to === 1 ? this._forward : this._back).get(id) ?? null;
  }

  /** Dispose of both graphs and remove the element. */
  dispose(): void {
    for (const view of this.views) {
      view.dispose();
    }
    this.node.remove();
  }

  /** The user selected `id` in column `index`: its counterpart follows, the host hears. */
  private _userSelect(index: number, id: string | null): void {
    const pair: SelectionPair = [null, null];
    pair[index] = id;
    pair[1 - index] = this.counterpart(1 - index, id);
    this._choose(pair);
  }

  /** Select `pair`, mark `marks` (per column) in the graphs, and tell the host. */
  private _choose(pair: SelectionPair, marks?: [string[], string[]]): void {
    this.select(pair);
    this._graphs.forEach((graph, index) => {
      graph?.mark(marks ? marks[index] : []);
    });
    this._host.onSelect?.(this.selected);
  }

  /** Show the layers a reason names, in whichever graph has them. */
  private _showReason(nodes: ReadonlyArray<string>): void {
    const pair: SelectionPair = [null, null];
    const marks: [string[], string[]] = [[], []];
    this._graphs.forEach((graph, index) => {
      const here = graph === null ? [] : nodes.filter(id => graph.has(id));
      marks[index] = here;
      pair[index] = here[0] ?? null;
    });
    for (const index of [0, 1]) {
      if (pair[index] === null && pair[1 - index] !== null) {
        pair[index] = this.counterpart(index, pair[1 - index]);
      }
    }
    this._choose(pair, marks);
  }

  /** One item per group; a group of several reasons opens to list every one. */
  private _reasonList(groups: ReadonlyArray<IReasonGroup>): HTMLUListElement {
    const list = h('ul', 'kv-cmp-notes');
    for (const group of groups) {
      const item = h('li');
      if (group.reasons.length > 1) {
        const details = h('details', 'kv-reason-group');
        const summary = h('summary', undefined, `${group.summary} `);
        summary.append(h('span', 'kv-show-all', '(show all)'));
        const inner = h('ul');
        for (const reason of group.reasons) {
          inner.append(this._reasonItem(reason.text, reason.nodes));
        }
        details.append(summary, inner);
        item.append(details);
        list.append(item);
      } else {
        const nodes = group.reasons[0]?.nodes ?? [];
        list.append(this._reasonItem(group.summary, nodes));
      }
    }
    return list;
  }

  /** A reason as a list item that, clicked, shows its layers in the graph. */
  private _reasonItem(text: string, nodes: ReadonlyArray<string>): HTMLLIElement {
    const item = h('li', undefined, text);
    if (nodes.length > 0) {
      clickable(item, 'kv-cmp-reason', 'Show these layers in the graph', () =>
        this._showReason(nodes)
      );
    }
    return item;
  }

  /** The table of differences; a row, clicked, selects its layers on both sides. */
  private _diffTable(table: IDiffTable): HTMLTableElement {
    const element = dataTable(table.head, table.rows, 'kv-table kv-cmp-table');
    const rows = element.querySelectorAll<HTMLTableRowElement>('tbody > tr');
    table.row_nodes.forEach((nodes, index) => {
      const tr = rows[index];
      if (tr === undefined || nodes.left.length + nodes.right.length === 0) {
        return;
      }
      clickable(tr, 'kv-cmp-diff-row', 'Show these layers in both graphs', () => {
        const pair: SelectionPair = [nodes.left[0] ?? null, nodes.right[0] ?? null];
        this._choose(pair, [nodes.left, nodes.right]);
      });
    });
    return element;
  }

  private _host: IComparisonHost;
  private _graphs: ReadonlyArray<GraphView | null>;
  private _forward: Map<string, string>;
  private _back: Map<string, string>;
}
