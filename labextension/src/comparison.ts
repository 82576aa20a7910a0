/**
 * A saved `kerasviz.compare()` output: two columns (a read-only graph, the code of
 * that side, notes) and the verdict, drawn from
 * `application/vnd.kerasviz.comparison+json` when the live widget is gone.
 * Everything from the payload goes in as text.
 */

import { Widget } from '@lumino/widgets';

import { dataTable, h } from './dom';
import { GraphView } from './graphview';
import type { IViewPayload } from './types';
import { isObject, quote, validatePayload } from './validate';

/** The MIME type of a saved comparison; `kerasviz.mimebundle.COMPARISON_MIME_TYPE`. */
export const COMPARISON_MIME_TYPE = 'application/vnd.kerasviz.comparison+json';

/** The comparison payload version (`kerasviz_comparison`) this renderer reads. */
export const COMPARISON_VERSION = 1;

/** One side of a comparison. */
export interface IComparisonColumn {
  title: string;
  /** A view payload, or null for a side without a graph ("Why not Sequential"). */
  view: IViewPayload | null;
  code: string | null;
  code_title: string | null;
  notes: string[];
  /**
   * Reasons grouped by kind ("16 merges: a, b, c, ... and 13 more"), each opening to
   * every reason; when present they replace the notes after the first.
   */
  reason_groups: IReasonGroup[];
}

/** Reasons of one kind: a summary line and every reason. */
export interface IReasonGroup {
  summary: string;
  reasons: string[];
}

/** What `Comparison.saved_payload()` writes. */
export interface IComparisonPayload {
  kerasviz_comparison: number;
  title: string;
  columns: IComparisonColumn[];
  verdict: { title: string; ok: boolean; lines: string[] } | null;
  table: { head: string[]; rows: string[][] } | null;
  /** Node id in the first column's graph → its counterpart in the second's. */
  mapping: Record<string, string>;
}

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
      reason_groups: Array.isArray(c.reason_groups)
        ? c.reason_groups
            .filter(isObject)
            .filter(g => typeof g.summary === 'string')
            .map(g => ({ summary: g.summary as string, reasons: strings(g.reasons) }))
        : []
    });
  }
  const v = value.verdict;
  const verdict =
    isObject(v) && typeof v.title === 'string'
      ? { title: v.title, ok: v.ok === true, lines: strings(v.lines) }
      : null;
  const t = value.table;
  const table =
    isObject(t) && Array.isArray(t.rows)
      ? { head: strings(t.head), rows: t.rows.filter(Array.isArray).map(strings) }
      : null;
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

/** The comparison drawn read-only: a title, the columns side by side, the verdict. */
export class ComparisonPane extends Widget {
  constructor(payload: IComparisonPayload) {
    super();
    this.addClass('kv-comparison');
    const node = this.node;
    node.append(h('h3', 'kv-cmp-title', payload.title));
    const row = h('div', 'kv-cmp-row');
    const views: GraphView[] = [];
    // Selecting a layer on one side selects its counterpart on the other, as the
    // live widget does; GraphView.select() does not call onSelect, so no echo.
    const forward = new Map(Object.entries(payload.mapping));
    const back = new Map([...forward].map(([a, b]) => [b, a]));
    const follow = (from: number) => (id: string | null) => {
      const other = views[1 - from];
      if (views.length === 2 && other) {
        other.select(id === null ? null : ((from === 0 ? forward : back).get(id) ?? null));
      }
    };
    for (const column of payload.columns) {
      const col = h('div', 'kv-cmp-col');
      col.append(h('h4', 'kv-cmp-col-title', column.title));
      if (column.notes.length > 0) {
        const [first, ...rest] = column.notes;
        col.append(h('p', 'kv-cmp-note', first));
        if (column.reason_groups.length > 0) {
          col.append(reasonList(column.reason_groups));
        } else if (rest.length > 0) {
          col.append(textList(rest, 'kv-cmp-notes'));
        }
      }
      if (column.view !== null) {
        // kv-mime-graph: drawn from the payload, as a saved graph output is
        const host = h('div', 'kv-cmp-graph kv-mime-graph');
        col.append(host);
        views.push(new GraphView(host, column.view, { onSelect: follow(views.length) }));
      }
      if (column.code !== null) {
        if (column.code_title) {
          col.append(h('div', 'kv-cmp-code-title', column.code_title));
        }
        col.append(h('pre', 'kv-cmp-code', column.code));
      }
      row.append(col);
    }
    node.append(row);
    const verdict = payload.verdict;
    if (verdict !== null) {
      const box = h('div', `kv-cmp-verdict ${verdict.ok ? 'kv-cmp-ok' : 'kv-cmp-bad'}`);
      box.append(h('strong', undefined, verdict.title), textList(verdict.lines));
      node.append(box);
    }
    if (payload.table !== null && payload.table.rows.length > 0) {
      node.append(dataTable(payload.table.head, payload.table.rows, 'kv-table kv-cmp-table'));
    }
    this.views = views;
  }

  /** The graphs drawn, one per column that has one. */
  readonly views: ReadonlyArray<GraphView>;

  /** Not a single graph. */
  readonly view = null;

  dispose(): void {
    if (!this.isDisposed) {
      for (const view of this.views) {
        view.dispose();
      }
    }
    super.dispose();
  }
}

function refuse(reason: string): ComparisonResult {
  return { ok: false, message: `kerasviz: cannot show this comparison: ${reason}` };
}

/** A `<ul>` of text items. */
/** One item per group; a group of several reasons opens to list every one. */
function reasonList(groups: ReadonlyArray<IReasonGroup>): HTMLUListElement {
  const list = h('ul', 'kv-cmp-notes');
  for (const group of groups) {
    const item = h('li');
    if (group.reasons.length > 1) {
      const details = h('details', 'kv-reason-group');
      const summary = h('summary', undefined, `${group.summary} `);
      summary.append(h('span', 'kv-show-all', '(show all)'));
      details.append(summary, textList(group.reasons));
      item.append(details);
    } else {
      item.textContent = group.summary;
    }
    list.append(item);
  }
  return list;
}

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
