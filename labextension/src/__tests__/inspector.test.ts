// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';

import { buildHeader, buildLegend, Toolbar } from '../chrome';
import { Inspector, statsTable, type IInspectorActions } from '../inspector';
import { ViewGraph } from '../viewgraph';
import { loadGraph } from './helpers';

function makeInspector(vg: ViewGraph, extra: Partial<IInspectorActions> = {}) {
  const actions: IInspectorActions = {
    select: vi.fn(),
    toggle: vi.fn(),
    isCollapsed: id => id === 'enc',
    ...extra
  };
  const inspector = new Inspector(actions);
  inspector.setGraph(vg);
  document.body.append(inspector.node);
  return { inspector, actions };
}

describe('the inspector', () => {
  it('shows the group hint only on a graph that has groups', () => {
    const seed = makeInspector(loadGraph('seed')).inspector; // no blocks, no nested model
    seed.show(null);
    expect(seed.node.textContent).toContain('Select a layer');
    expect(seed.node.textContent).not.toContain('collapsed group');
    const toy = makeInspector(loadGraph('toy')).inspector; // blocks and a nested model
    toy.show(null);
    expect(toy.node.querySelector('.kv-hint-groups')!.textContent).toContain('collapsed group');
  });

  it('shows every call and the output shape in .kv-shapes', () => {
    const { inspector } = makeInspector(loadGraph('seed'));
    inspector.show('concatenate');
    const shapes = inspector.node.querySelector('.kv-shapes')!;
    expect(shapes.textContent).toContain('(None, 37)');
    expect(shapes.textContent).toContain('[(None, 32), (None, 5)]');
    expect(inspector.node.querySelector('.kv-title')!.textContent).toBe('concatenate');
  });

  it('lists weights, params, activation and the full config with non-defaults marked', () => {
    const { inspector } = makeInspector(loadGraph('toy'));
    inspector.show('b1_conv');
    const text = inspector.node.textContent!;
    expect(text).toContain('Trainable params72');
    expect(text).toContain('Activationrelu');
    const weightRows = [...inspector.node.querySelectorAll('table')].find(t =>
      t.textContent!.includes('kernel')
    )!;
    expect(weightRows.textContent).toContain('(8, 8)');
    const config = inspector.node.querySelector('details.kv-config')!;
    const rows = [...config.querySelectorAll('tr')].map(tr => [
      tr.querySelector('th')!.textContent,
      tr.querySelector('td')!.textContent,
      tr.classList.contains('kv-nondefault')
    ]);
    // The name first, then the class defaults (as Keras's get_config() lists them),
    // then the layer's own entries; the entries it sets are marked.
    expect(rows.slice(0, 3)).toEqual([
      ['name', "'b1_conv'", false],
      ['trainable', 'True', false],
      [
        'dtype',
        "{'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, " +
          "'registered_name': None}",
        false
      ]
    ]);
    expect(rows.filter(r => r[2])).toEqual([
      ['activation', "'relu'", true],
      ['units', '8', true]
    ]);
    expect(rows.find(r => r[0] === 'use_bias')).toEqual(['use_bias', 'True', false]);
  });

  it('shows the error text and links neighbours that move the selection', () => {
    const { inspector, actions } = makeInspector(loadGraph('toy'));
    inspector.show('b1_bn');
    expect(inspector.node.querySelector('.kv-error-text')!.textContent).toBe(
      'get_config() raised TypeError: <boom>'
    );
    const links = [...inspector.node.querySelectorAll<HTMLButtonElement>('button.kv-link')];
    expect(links.map(l => l.textContent)).toEqual(['b1_conv', 'b1_add']);
    links[1].click();
    expect(actions.select).toHaveBeenCalledWith('b1_add');
  });

  it("says where a custom layer's inside comes from, or why it is not shown", () => {
    const vg = loadGraph('traced');
    const { inspector } = makeInspector(vg, { isCollapsed: () => true });
    inspector.show('block');
    expect(inspector.node.textContent).toContain('Custom layer · Residual');
    const note = inspector.node.querySelector('.kv-trace-note')!;
    expect(note.textContent).toContain('traced from its call()');
    expect(note.classList.contains('kv-untraced')).toBe(false);
    inspector.show('picky');
    const refused = inspector.node.querySelector('.kv-trace-note.kv-untraced')!;
    expect(refused.textContent).toContain('Its wiring is not shown');
    expect(refused.textContent).toContain('symbolic tensors are not welcome here');
    inspector.show('block/first');
    expect(inspector.node.querySelector('.kv-trace-note')).toBeNull();
  });

  it('describes a container with an expand button', () => {
    const { inspector, actions } = makeInspector(loadGraph('toy'));
    inspector.show('enc');
    expect(inspector.node.textContent).toContain('Nested model · Functional');
    const toggle = inspector.node.querySelector<HTMLButtonElement>('button.kv-toggle')!;
    expect(toggle.textContent).toBe('Expand');
    toggle.click();
    expect(actions.toggle).toHaveBeenCalledWith('enc');
    inspector.show('block:b1');
    expect(inspector.node.querySelector('.kv-shapes')!.textContent).toContain('(None, 8)');
    expect(inspector.node.textContent).toContain('Layers3');
  });

  it('offers weight statistics only with a kernel, and renders them', async () => {
    const noKernel = makeInspector(loadGraph('toy')).inspector;
    noKernel.show('b1_conv');
    // no button without a kernel, but a note saying what it takes
    expect([...noKernel.node.querySelectorAll('button')].map(b => b.textContent)).not.toContain(
      'Weight statistics'
    );
    expect(noKernel.node.querySelector('.kv-stats-no-kernel')!.textContent).toBe(
      'Weight statistics need a running kernel: run the cell again to compute them.'
    );
    const request = vi.fn(async () => [
      {
        name: 'kernel',
        shape: [8, 8],
        dtype: 'float32',
        mean: 0.01,
        std: 0.2,
        min: -0.5,
        max: 0.5,
        histogram: { counts: [1, 4, 2], edges: [-0.5, -0.1, 0.2, 0.5] }
      }
    ]);
    const { inspector } = makeInspector(loadGraph('toy'), { requestWeightStats: request });
    inspector.show('b1_conv');
    const button = [...inspector.node.querySelectorAll('button')].find(
      b => b.textContent === 'Weight statistics'
    )!;
    button.click();
    await vi.waitFor(() => expect(inspector.node.querySelector('.kv-stats-table')).not.toBeNull());
    expect(request).toHaveBeenCalledWith('b1_conv');
    expect(inspector.node.querySelectorAll('.kv-histogram rect')).toHaveLength(3);
    expect(inspector.node.querySelector('.kv-stats-table')!.textContent).toContain('0.2');
  });

  it('shows a failed request as text', async () => {
    const request = vi.fn(async () => {
      throw new Error('<b>kernel died</b>');
    });
    const { inspector } = makeInspector(loadGraph('toy'), { requestWeightStats: request });
    inspector.show('b1_conv');
    [...inspector.node.querySelectorAll('button')]
      .find(b => b.textContent === 'Weight statistics')!
      .click();
    await vi.waitFor(() =>
      expect(inspector.node.querySelector('.kv-stats .kv-error-text')).not.toBeNull()
    );
    expect(inspector.node.querySelector('.kv-stats b')).toBeNull();
    expect(inspector.node.querySelector('.kv-stats')!.textContent).toBe('<b>kernel died</b>');
  });
});

describe('nothing from the payload becomes HTML', () => {
  it('renders malicious names as text in the header, legend and inspector', () => {
    const vg = loadGraph('xss');
    const root = document.createElement('div');
    document.body.append(root);
    root.append(
      buildHeader(vg),
      new Toolbar(vg, { search: vi.fn(), fit: vi.fn(), expandAll: vi.fn(), collapseAll: vi.fn() })
        .node
    );
    const { inspector } = makeInspector(vg);
    inspector.show('<img src=x onerror=alert(1)>');
    root.append(inspector.node);
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('svg')).toBeNull();
    expect(root.querySelector('script')).toBeNull();
    expect(root.querySelector('.kv-model-name')!.textContent).toBe('<svg onload=alert(3)>');
    expect(root.querySelector('.kv-title')!.textContent).toBe('<img src=x onerror=alert(1)>');
    const links = [...root.querySelectorAll('button.kv-link')].map(b => b.textContent);
    expect(links).toContain('out"><script>alert(2)<\\script>');
  });

  it('copes with weights that have no finite values', () => {
    const table = statsTable([{ name: 'k', shape: [2], dtype: 'float32', non_finite: 2 }]);
    expect(table.textContent).toContain('mean —');
    expect(table.textContent).toContain('2 NaN or infinite values');
  });

  it('renders stats names as text', () => {
    const table = statsTable([
      { name: '<img src=x>', shape: [1], dtype: 'float32', mean: 0, std: 0, min: 0, max: 0 }
    ]);
    expect(table.querySelector('img')).toBeNull();
    expect(table.textContent).toContain('<img src=x>');
  });
});

describe('highlight reasons', () => {
  it('shows why a node is marked, as text, and lists marked layers in a container', async () => {
    const { loadPayload } = await import('./helpers');
    const p = loadPayload('toy');
    p.highlight = { 'enc/stack_1_drop': '<img src=x> rate differs' };
    const { inspector } = makeInspector(new ViewGraph(p));
    inspector.show('enc/stack_1_drop');
    const note = inspector.node.querySelector('.kv-highlight-reason')!;
    expect(note.textContent).toBe('<img src=x> rate differs');
    expect(note.querySelector('img')).toBeNull();
    inspector.show('enc');
    const links = [...inspector.node.querySelectorAll('button.kv-link')].map(b => b.textContent);
    expect(links).toContain('stack_1_drop');
  });
});

describe('the legend', () => {
  it('keeps the order the payload lists, also when a saved notebook sorted the keys', () => {
    const vg = loadGraph('seed');
    const kinds = vg.payload.style!.kinds!;
    const order = vg.payload.style!.order!;
    expect(order).toEqual(Object.keys(kinds));
    const sorted = Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b)));
    const saved = new ViewGraph({ ...vg.payload, style: { ...vg.payload.style, kinds: sorted } });
    const labels = (legend: HTMLElement) =>
      [...legend.querySelectorAll('.kv-legend-item')].map(i => i.textContent);
    expect(labels(buildLegend(saved))).toEqual(labels(buildLegend(vg)));
    expect(labels(buildLegend(vg))).toEqual(['Input', 'Dense', 'Recurrent', 'Embedding', 'Merge']);
  });
});

describe('layer counts', () => {
  it('count layers as Python does: no InputLayer, no container (tests/test_counts.py)', () => {
    const vg = loadGraph('nested');
    expect(['mid', 'mid/deep', 'tail'].map(id => vg.layerCount(id))).toEqual([2, 1, 1]);
    const { inspector } = makeInspector(vg);
    inspector.show('mid');
    const row = [...inspector.node.querySelectorAll('tr')].find(r =>
      r.textContent!.startsWith('Layers')
    )!;
    expect(row.textContent).toBe('Layers2');
  });
});
