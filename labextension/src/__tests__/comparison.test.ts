// @vitest-environment happy-dom
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { afterEach, describe, expect, it } from 'vitest';

import { COMPARISON_VERSION, validateComparison, type SelectionPair } from '../comparison';
import { ComparisonView } from '../comparisonview';
import { COMPARISON_MIME_TYPE, GraphOutput, rendererFactory } from '../index';
import type { IWeightStats } from '../types';
import widget from '../widget';
import { fakeLiveModel, loadPayload, settle } from './helpers';

const EVIL = '<img src=x onerror="window.__kvPwned=1">';

/** What `Comparison.saved_payload()` writes for a model in both APIs. */
function bothApis(): Record<string, unknown> {
  return {
    kerasviz_comparison: COMPARISON_VERSION,
    title: `seed_functional: Sequential API vs Functional API ${EVIL}`,
    columns: [
      {
        title: 'Sequential',
        view: loadPayload('toy'),
        code: `model = keras.Sequential(name="${EVIL}")`,
        code_title: 'Sequential API',
        notes: []
      },
      {
        title: 'Functional',
        view: loadPayload('seed'),
        code: 'model = keras.Model(inputs, outputs)',
        code_title: 'Functional API',
        notes: []
      }
    ],
    verdict: { title: 'Equivalent', ok: true, lines: ['same topology', `same outputs ${EVIL}`] },
    table: null,
    mapping: { in: 'main_input', b1_conv: 'lstm' }
  };
}

function render(data: unknown): Promise<GraphOutput> {
  const output = rendererFactory.createRenderer({
    mimeType: COMPARISON_MIME_TYPE
  } as IRenderMime.IRendererOptions) as GraphOutput;
  const model = {
    trusted: false,
    data: { [COMPARISON_MIME_TYPE]: data },
    metadata: {},
    setData: () => undefined
  };
  return output.renderModel(model as unknown as IRenderMime.IMimeModel).then(() => output);
}

afterEach(() => {
  document.body.textContent = '';
});

describe('validateComparison', () => {
  it('accepts a saved comparison and checks every graph in it', () => {
    const ok = validateComparison(bothApis());
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.payload.columns.map(c => c.view?.graph.model.name)).toEqual([
        'toy',
        'seed_functional'
      ]);
      expect(ok.payload.verdict?.ok).toBe(true);
    }
    expect(validateComparison(JSON.stringify(bothApis())).ok).toBe(true);
  });

  it('says what is wrong, in one sentence', () => {
    const wrongVersion = { ...bothApis(), kerasviz_comparison: 99 };
    const r1 = validateComparison(wrongVersion);
    expect(r1.ok).toBe(false);
    expect(!r1.ok && r1.message).toContain('version 99');
    const badGraph = bothApis();
    (badGraph.columns as Array<Record<string, unknown>>)[1].view = {
      kerasviz_view: 1,
      graph: null
    };
    const r2 = validateComparison(badGraph);
    expect(!r2.ok && r2.message).toContain('the graph of column "Functional"');
    const r3 = validateComparison('{not json');
    expect(!r3.ok && r3.message).toContain('not JSON');
    const r4 = validateComparison({ graph: {} });
    expect(!r4.ok && r4.message).toContain('not a kerasviz comparison');
  });
});

describe('a saved comparison without its live widget', () => {
  it('draws both graphs, the code of each side and the verdict, all as text', async () => {
    const output = await render(bothApis());
    const node = output.node;
    expect(node.querySelectorAll('.kv-root').length).toBe(2);
    expect(output.views.map(v => v.selected)).toEqual([null, null]);
    expect(node.querySelector('.kv-cmp-title')!.textContent).toContain(EVIL);
    const code = [...node.querySelectorAll('pre.kv-cmp-code')].map(p => p.textContent);
    expect(code).toEqual([
      `model = keras.Sequential(name="${EVIL}")`,
      'model = keras.Model(inputs, outputs)'
    ]);
    const verdict = node.querySelector('.kv-cmp-verdict')!;
    expect(verdict.classList.contains('kv-cmp-ok')).toBe(true);
    expect(verdict.textContent).toContain('Equivalent');
    expect(verdict.querySelectorAll('li').length).toBe(2);
    expect(node.querySelector('img')).toBeNull(); // user text never becomes HTML
    // the inspector of a saved graph works from the payload
    output.views[1].select('lstm');
    expect(node.querySelectorAll('.kv-inspector')[1].textContent).toContain('(None, 32)');
    output.dispose();
  });

  it('a click on one side selects the counterpart on the other', async () => {
    const output = await render(bothApis());
    const [left, right] = output.views;
    const tap = (view: typeof left, id: string | null) =>
      (view as unknown as { _userSelect(id: string | null, centre: boolean): void })._userSelect(
        id,
        false
      );
    tap(left, 'b1_conv');
    expect(right.selected).toBe('lstm');
    tap(right, 'main_input');
    expect(left.selected).toBe('in');
    tap(right, 'aux_input'); // no counterpart
    expect(left.selected).toBeNull();
    tap(left, 'in');
    expect(right.selected).toBe('main_input');
    tap(left, null);
    expect(right.selected).toBeNull();
  });

  it('shows the reasons of a model that cannot be Sequential, and a diff table', async () => {
    const notSeq = {
      ...bothApis(),
      columns: [
        {
          title: 'Why not Sequential',
          view: null,
          code: null,
          notes: ['It cannot.', "a merge: 'concatenate'"]
        },
        (bothApis().columns as unknown[])[1]
      ],
      verdict: null,
      table: { head: ['status', 'first model'], rows: [['changed', EVIL]] }
    };
    const output = await render(notSeq);
    const node = output.node;
    expect(node.querySelectorAll('.kv-root').length).toBe(1);
    expect(node.querySelector('.kv-cmp-note')!.textContent).toBe('It cannot.');
    expect(node.querySelector('.kv-cmp-notes')!.textContent).toBe("a merge: 'concatenate'");
    expect(node.querySelector('.kv-cmp-verdict')).toBeNull();
    const cells = [...node.querySelectorAll('.kv-cmp-table td')].map(td => td.textContent);
    expect(cells).toEqual(['changed', EVIL]);
    expect(node.querySelector('img')).toBeNull();
  });

  it('groups reasons of one kind into a line that opens to every reason', async () => {
    const merges = [1, 2, 3, 4].map(i => `a merge: 'add_${i}' (Add) takes 2 tensors ${EVIL}`);
    const grouped = {
      ...bothApis(),
      columns: [
        {
          title: 'Why not Sequential',
          view: null,
          code: null,
          notes: ['It cannot.', 'more than one input', '4 merges: add_1, ...'],
          reason_groups: [
            { summary: "more than one input: 'a', 'b'", reasons: ["more than one input: 'a'"] },
            { summary: `4 merges: add_1, add_2, add_3, ... and 1 more ${EVIL}`, reasons: merges },
            { summary: 42, reasons: [] } // not a group: dropped
          ]
        },
        (bothApis().columns as unknown[])[1]
      ],
      verdict: null
    };
    const output = await render(grouped);
    const list = output.node.querySelector('.kv-cmp-notes')!;
    const items = [...list.children];
    expect(items.length).toBe(2);
    expect(items[0].textContent).toBe("more than one input: 'a', 'b'");
    expect(items[0].querySelector('details')).toBeNull();
    const details = items[1].querySelector('details.kv-reason-group')!;
    expect(details.querySelector('summary')!.textContent).toBe(
      `4 merges: add_1, add_2, add_3, ... and 1 more ${EVIL} (show all)`
    );
    expect([...details.querySelectorAll('li')].map(li => li.textContent)).toEqual(merges);
    expect(output.node.querySelector('img')).toBeNull();
  });

  it('shows a message instead of a broken comparison', async () => {
    const output = await render({ ...bothApis(), columns: 'nope' });
    expect(output.node.querySelectorAll('.kv-root.kv-mime-message').length).toBe(1);
    expect(output.node.textContent).toContain('cannot show this comparison');
  });
});

/** A payload as `compare()` makes it for a model that cannot be Sequential. */
function notSequential(): Record<string, unknown> {
  return {
    ...bothApis(),
    columns: [
      {
        title: 'Why not Sequential',
        view: null,
        code: null,
        code_title: null,
        notes: ['It cannot.', "more than one input: 'main_input', 'aux_input'", '2 x'],
        reason_groups: [
          {
            summary: "more than one input: 'main_input', 'aux_input'",
            reasons: [
              {
                text: "more than one input: 'main_input', 'aux_input'",
                nodes: ['main_input', 'aux_input']
              }
            ]
          },
          {
            summary: '2 shared layers: lstm, main_input',
            reasons: [
              { text: "a shared layer: 'lstm' ...", nodes: ['lstm'] },
              { text: 'names no layer', nodes: [] }
            ]
          }
        ]
      },
      (bothApis().columns as unknown[])[1]
    ],
    verdict: null,
    mapping: {}
  };
}

/** Simulate a user's tap on a node of a graph (what GraphCanvas reports). */
function tap(view: unknown, id: string | null): void {
  (view as { _userSelect(id: string | null, centre: boolean): void })._userSelect(id, false);
}

function pane(data: unknown, host = {}): ComparisonView {
  const checked = validateComparison(data);
  if (!checked.ok) {
    throw new Error(checked.message);
  }
  const view = new ComparisonView(checked.payload, host);
  document.body.append(view.node);
  return view;
}

describe('the comparison view with a host (the live widget)', () => {
  it('tells the host the selection pair, and takes one without echoing it', () => {
    const seen: SelectionPair[] = [];
    const view = pane(bothApis(), { onSelect: (pair: SelectionPair) => seen.push(pair) });
    const [left, right] = view.views;
    tap(left, 'b1_conv');
    tap(right, 'aux_input'); // no counterpart on the left
    expect(seen).toEqual([
      ['b1_conv', 'lstm'],
      [null, 'aux_input']
    ]);
    view.select(['in', 'main_input']); // from the kernel: no call back
    expect(view.selected).toEqual(['in', 'main_input']);
    expect(seen.length).toBe(2);
    view.dispose();
    expect(document.querySelector('.kv-comparison')).toBeNull();
  });

  it('asks the host for the weight statistics of the right graph', async () => {
    const asked: Array<[number, string]> = [];
    const view = pane(bothApis(), {
      requestWeightStats: (column: number, node: string) => {
        asked.push([column, node]);
        return Promise.resolve([] as IWeightStats[]);
      }
    });
    view.views[1].select('lstm');
    const button = [...view.node.querySelectorAll('.kv-inspector')][1].querySelector(
      'button.kv-button'
    ) as HTMLButtonElement | null;
    const stats = [...view.node.querySelectorAll('.kv-inspector button')].find(
      b => b.textContent === 'Weight statistics'
    ) as HTMLButtonElement;
    expect(button).not.toBeNull();
    stats.click();
    expect(asked).toEqual([[1, 'lstm']]);
    // saved (no host): the inspector says a kernel is needed, no button
    const saved = pane(bothApis());
    saved.views[1].select('lstm');
    expect(saved.node.querySelector('.kv-stats-no-kernel')).not.toBeNull();
    expect(
      [...saved.node.querySelectorAll('button')].some(b => b.textContent === 'Weight statistics')
    ).toBe(false);
  });

  it('a click on a reason selects and marks the layers it names, from its data', () => {
    const seen: SelectionPair[] = [];
    const view = pane(notSequential(), { onSelect: (pair: SelectionPair) => seen.push(pair) });
    const reasons = [...view.node.querySelectorAll('.kv-cmp-reason')] as HTMLElement[];
    // the single-reason group's line, and the one reason of the other that names a layer
    expect(reasons.map(r => r.textContent)).toEqual([
      "more than one input: 'main_input', 'aux_input'",
      "a shared layer: 'lstm' ..."
    ]);
    const graph = view.views[0];
    reasons[0].click();
    expect(graph.selected).toBe('main_input');
    expect(graph.marked).toEqual(['main_input', 'aux_input']);
    expect(seen).toEqual([[null, 'main_input']]);
    reasons[1].dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(graph.selected).toBe('lstm');
    expect(graph.marked).toEqual(['lstm']);
    // a tap on the graph clears the marks the reason made
    tap(graph, 'aux_input');
    expect(graph.marked).toEqual([]);
  });

  it('a click on a row of differences selects its layers on both sides', () => {
    const diff = {
      ...bothApis(),
      verdict: null,
      table: {
        head: ['status', 'first model', 'second model', 'what differs'],
        rows: [
          ['changed', 'b1_conv', 'lstm', `units ${EVIL}`],
          ['added', '', 'aux_input', 'only in the second model']
        ],
        row_nodes: [
          { left: ['b1_conv'], right: ['lstm'] },
          { left: [], right: ['aux_input'] }
        ]
      }
    };
    const seen: SelectionPair[] = [];
    const view = pane(diff, { onSelect: (pair: SelectionPair) => seen.push(pair) });
    const rows = [...view.node.querySelectorAll('tr.kv-cmp-diff-row')] as HTMLElement[];
    expect(rows.length).toBe(2);
    rows[0].click();
    expect(view.selected).toEqual(['b1_conv', 'lstm']);
    expect(view.views.map(v => v.marked)).toEqual([['b1_conv'], ['lstm']]);
    rows[1].click();
    expect(view.selected).toEqual([null, 'aux_input']);
    expect(seen).toEqual([
      ['b1_conv', 'lstm'],
      [null, 'aux_input']
    ]);
    expect(view.node.querySelector('img')).toBeNull();
  });
});

/** A stand-in for anywidget's model of a Comparison. */
function comparisonModel(data: unknown) {
  return fakeLiveModel({ data, selected: ['in', null] });
}

describe('the anywidget entry, given a comparison', () => {
  it('draws the comparison view and syncs `selected` both ways', async () => {
    const { model, traits, saved, emit, listeners } = comparisonModel(bothApis());
    const el = document.createElement('div');
    document.body.append(el);
    const cleanup = await widget.render({ model, el });
    expect(el.querySelectorAll('.kv-comparison .kv-root').length).toBe(2);
    expect(el.querySelectorAll('.kv-code .kv-tok-string').length).toBe(2); // name="..." is split by EVIL's quotes
    const views = [...el.querySelectorAll('.kv-root')].map(
      r => (r as unknown as { kvView: { selected: string | null } }).kvView
    );
    // the initial trait value, as given
    expect(views.map(v => v.selected)).toEqual(['in', null]);
    // Python -> view
    traits.selected = ['b1_conv', 'lstm'];
    emit('change:selected');
    expect(views.map(v => v.selected)).toEqual(['b1_conv', 'lstm']);
    expect(saved).toEqual([]); // no echo
    // view -> Python
    tap(views[1], 'main_input');
    expect(traits.selected).toEqual(['in', 'main_input']);
    expect(saved).toEqual([['in', 'main_input']]);
    // new data from Python: drawn again, the selection kept where it still exists
    traits.data = { ...bothApis(), title: 'again' };
    emit('change:data');
    await settle();
    expect(el.querySelectorAll('.kv-comparison').length).toBe(1);
    expect(el.querySelector('.kv-cmp-title')!.textContent).toBe('again');
    const again = [...el.querySelectorAll('.kv-root')].map(
      r => (r as unknown as { kvView: { selected: string | null } }).kvView.selected
    );
    expect(again).toEqual(['in', 'main_input']);
    cleanup();
    expect(el.querySelector('.kv-comparison')).toBeNull();
    expect(listeners.get('change:selected')!.size).toBe(0);
    expect(listeners.get('msg:custom')!.size).toBe(0);
  });

  it('asks the kernel for weight statistics with the column, and matches the reply', async () => {
    const { model, sent, emit } = comparisonModel(bothApis());
    const el = document.createElement('div');
    document.body.append(el);
    await widget.render({ model, el });
    const right = el.querySelectorAll('.kv-root')[1] as unknown as {
      kvView: { select(id: string): void };
    };
    right.kvView.select('lstm');
    const inspector = el.querySelectorAll('.kv-inspector')[1];
    const stats = [...inspector.querySelectorAll('button')].find(
      b => b.textContent === 'Weight statistics'
    )!;
    stats.click();
    expect(sent).toEqual([{ type: 'weight_stats', node: 'lstm', column: 1 }]);
    // a reply for the other column's node of the same id is not this one's
    emit('msg:custom', { type: 'weight_stats', node: 'lstm', column: 0, error: 'wrong' });
    emit('msg:custom', {
      type: 'weight_stats',
      node: 'lstm',
      column: 1,
      stats: [{ name: 'lstm/kernel', shape: [2, 2], dtype: 'float32', non_finite: 0 }]
    });
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(inspector.textContent).toContain('lstm/kernel');
    expect(inspector.textContent).not.toContain('wrong');
  });

  it('shows a message for a comparison it cannot draw', async () => {
    const { model } = comparisonModel({ ...bothApis(), kerasviz_comparison: 99 });
    const el = document.createElement('div');
    await widget.render({ model, el });
    expect(el.querySelector('.kv-note-error')!.textContent).toContain('version 99');
  });
});
