// @vitest-environment happy-dom
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { afterEach, describe, expect, it } from 'vitest';

import { COMPARISON_VERSION, validateComparison } from '../comparison';
import { COMPARISON_MIME_TYPE, GraphOutput, rendererFactory } from '../index';
import { loadPayload } from './helpers';

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
