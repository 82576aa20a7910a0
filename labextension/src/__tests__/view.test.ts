// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';

import { GraphView } from '../graphview';
import type { IViewPayload } from '../types';
import { checkPayload } from '../viewgraph';
import widget from '../widget';
import { fakeLiveModel, loadPayload, settle } from './helpers';

/** A stand-in for anywidget's model. */
function fakeModel(data: IViewPayload) {
  const { traits: state, ...rest } = fakeLiveModel({ data, selected: null });
  return { state, ...rest };
}

describe('checkPayload', () => {
  it('refuses other envelope and schema versions with a clear message', () => {
    const p = loadPayload('toy');
    expect(checkPayload(p)).toBeNull();
    expect(checkPayload({ ...p, kerasviz_view: 2 })).toMatch(
      /version 2, but this renderer reads version 1/
    );
    expect(checkPayload({ ...p, graph: { ...p.graph, version: 3 } })).toMatch(/schema version 3/);
    expect(checkPayload(null)).toMatch(/empty/);
  });
});

describe('GraphView without a canvas size (before it is attached)', () => {
  it('builds header, toolbar and inspector, and selects through collapsed containers', () => {
    const host = document.createElement('div');
    const onSelect = vi.fn();
    const view = new GraphView(host, loadPayload('toy'), { onSelect });
    const root = host.querySelector('.kv-root') as HTMLElement & { kvView?: GraphView };
    expect(root.kvView).toBe(view);
    expect(view.cy).toBeNull();
    expect(root.querySelector('.kv-model-name')!.textContent).toBe('toy');
    expect([...view.collapsed]).toEqual(['enc']);
    view.select('enc/stack_1_drop');
    expect(view.selected).toBe('enc/stack_1_drop');
    expect([...view.collapsed]).toEqual([]);
    expect(root.querySelector('.kv-inspector .kv-title')!.textContent).toBe('stack_1_drop');
    expect(root.querySelector('.kv-inspector .kv-shapes')!.textContent).toContain('(None, 8)');
    expect(onSelect).not.toHaveBeenCalled();
    view.dispose();
    expect(host.children).toHaveLength(0);
  });

  it('shows a refused payload as a message', () => {
    const host = document.createElement('div');
    const view = new GraphView(host, {
      ...loadPayload('toy'),
      kerasviz_view: 7
    } as unknown as IViewPayload);
    expect(host.querySelector('.kv-note-error')!.textContent).toMatch(/version 7/);
    view.dispose();
  });

  it('searches, and says when nothing matches', () => {
    const host = document.createElement('div');
    const onSelect = vi.fn();
    const view = new GraphView(host, loadPayload('toy'), { onSelect });
    expect(view.search('stack_1_d')).toEqual(['enc/stack_1_dense', 'enc/stack_1_drop']);
    expect(view.selected).toBe('enc/stack_1_dense');
    expect(onSelect).toHaveBeenCalledWith('enc/stack_1_dense');
    // Enter after typing shows the best match (already shown), further Enters the next
    view.search('stack_1_d', true);
    expect(view.selected).toBe('enc/stack_1_dense');
    view.search('stack_1_d', true);
    expect(view.selected).toBe('enc/stack_1_drop');
    view.search('stack_1_d', true);
    expect(view.selected).toBe('enc/stack_1_dense');
    view.search('zzz<b>', true);
    expect(host.querySelector('.kv-search-status')!.textContent).toBe('no layer named “zzz<b>”');
    expect(host.querySelector('.kv-search-status b')).toBeNull();
    view.dispose();
  });
});

describe('the anywidget entry', () => {
  it('syncs `selected` both ways, rebuilds on data changes and cleans up', async () => {
    const { model, state, emit, listeners } = fakeModel(loadPayload('toy'));
    const el = document.createElement('div');
    const cleanup = await widget.render({ model, el });
    const view = (el.querySelector('.kv-root') as any).kvView as GraphView;
    // Python -> view
    state.selected = 'b1_bn';
    emit('change:selected');
    expect(view.selected).toBe('b1_bn');
    expect(el.querySelector('.kv-error-text')!.textContent).toContain('<boom>');
    // view -> Python (a neighbour link is a user action)
    (el.querySelector('button.kv-link') as HTMLButtonElement).click();
    expect(state.selected).toBe('b1_conv');
    expect(model.save_changes).toHaveBeenCalled();
    // new data keeps the selection when the node still exists
    state.data = loadPayload('toy');
    emit('change:data');
    await settle();
    const rebuilt = (el.querySelector('.kv-root') as any).kvView as GraphView;
    expect(rebuilt.selected).toBe('b1_conv');
    expect(el.querySelectorAll('.kv-root')).toHaveLength(1);
    cleanup();
    expect(el.children).toHaveLength(0);
    expect(listeners.get('change:selected')).toHaveLength(0);
    expect(listeners.get('msg:custom')).toHaveLength(0);
  });
});
