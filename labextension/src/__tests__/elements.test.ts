import { describe, expect, it } from 'vitest';

import {
  buildElements,
  collapse,
  collapseAll,
  expand,
  expandAll,
  initialCollapsed,
  representative,
  reveal,
  toggle,
  type IElementDef
} from '../elements';
import { ViewGraph } from '../viewgraph';
import { edgesOf, loadGraph, loadPayload, nodesOf } from './helpers';

const ids = (els: IElementDef[], group: 'nodes' | 'edges') =>
  els.filter(e => e.group === group).map(e => e.data.id);

describe('buildElements on a small Functional payload', () => {
  const vg = loadGraph('toy');

  it('reads the containers and view parents', () => {
    expect([...vg.containers].sort()).toEqual(['block:b1', 'block:enc/stack_1', 'enc']);
    expect(vg.parentOf('enc/stack_1_dense')).toBe('block:enc/stack_1');
    expect(vg.ancestors('enc/stack_1_dense')).toEqual(['block:enc/stack_1', 'enc']);
    expect(vg.layerCount('enc')).toBe(4); // its InputLayer is not counted
    expect(vg.layerCount('block:b1')).toBe(3);
  });

  it('with the initial state hides what the collapsed nested model holds', () => {
    const state = initialCollapsed(vg);
    expect([...state]).toEqual(['enc']);
    const els = buildElements(vg, state);
    // Depth first, siblings in the order of their first layer; parents first.
    expect(ids(els, 'nodes')).toEqual([
      'in',
      'block:b1',
      'b1_conv',
      'b1_bn',
      'b1_add',
      'enc',
      'join',
      'out'
    ]);
    const nodes = nodesOf(els);
    expect(nodes.get('in')!.classes).toEqual(['kv-input']);
    expect(nodes.get('in')!.data.parent).toBeUndefined();
    expect(nodes.get('out')!.classes).toEqual(['kv-output']);
    expect(nodes.get('b1_bn')!.classes).toEqual(['kv-error']);
    expect(nodes.get('b1_conv')!.data).toEqual({
      id: 'b1_conv',
      name: 'b1_conv',
      label: 'b1_conv\nDense',
      kind: 'dense',
      class_name: 'Dense',
      params: 72,
      parent: 'block:b1'
    });
    expect(nodes.get('block:b1')!.classes).toEqual(['kv-container', 'kv-block']);
    expect(nodes.get('block:b1')!.data).toMatchObject({
      label: 'b1',
      kind: 'block',
      params: 104,
      layers: 3
    });
    expect(nodes.get('enc')!.classes).toEqual(['kv-collapsed', 'kv-model']);
    expect(nodes.get('enc')!.data).toMatchObject({
      label: 'enc\n(4 layers)',
      kind: 'model',
      params: 144
    });
    // Edges into the collapsed model end at it; its inner edges are gone.
    const edges = edgesOf(els);
    expect([...edges.keys()].sort()).toEqual(
      [
        'b1_add->enc',
        'b1_add->join',
        'b1_bn->b1_add',
        'b1_conv->b1_bn',
        'enc->join',
        'in->b1_add',
        'in->b1_conv',
        'join->out'
      ].sort()
    );
    expect(edges.get('enc->join')).toMatchObject({
      id: 'e:enc->join',
      shape: '(None, 8)',
      count: 1
    });
    expect(edges.get('join->out')!.classes).toEqual(['kv-shapes']);
  });

  it('expanded, gives the nested model and its block as compound nodes', () => {
    const els = buildElements(vg, expandAll());
    const nodes = nodesOf(els);
    expect(nodes.get('enc')!.classes).toEqual(['kv-container', 'kv-model']);
    expect(nodes.get('enc')!.data.label).toBe('enc (Functional)');
    expect(nodes.get('block:enc/stack_1')!.data.parent).toBe('enc');
    expect(nodes.get('enc/stack_1_drop')!.data.parent).toBe('block:enc/stack_1');
    const order = ids(els, 'nodes');
    expect(order.indexOf('enc')).toBeLessThan(order.indexOf('block:enc/stack_1'));
    expect(order.indexOf('block:enc/stack_1')).toBeLessThan(order.indexOf('enc/stack_1_dense'));
    expect(ids(els, 'edges')).toHaveLength(12);
  });

  it('re-routes edges to the outermost collapsed container and merges parallel ones', () => {
    const state = collapseAll(vg);
    expect([...state].sort()).toEqual(['block:b1', 'block:enc/stack_1', 'enc']);
    const els = buildElements(vg, state);
    expect(ids(els, 'nodes')).toEqual(['in', 'block:b1', 'enc', 'join', 'out']);
    const edges = edgesOf(els);
    expect([...edges.keys()].sort()).toEqual(
      ['block:b1->enc', 'block:b1->join', 'enc->join', 'in->block:b1', 'join->out'].sort()
    );
    const merged = edges.get('in->block:b1')!;
    expect(merged.count).toBe(2);
    expect(merged.shape).toBe('(None, 8)');
    expect(nodesOf(els).get('block:b1')!.data.label).toBe('b1\n(3 layers)');
    // The inner block is collapsed too, but hidden: enc stands for its members.
    expect(representative(vg, state, 'enc/stack_1_drop')).toBe('enc');
  });

  it('opens collapsed containers one level at a time', () => {
    let state = collapseAll(vg);
    state = expand(vg, state, 'enc');
    const nodes = nodesOf(buildElements(vg, state));
    expect(nodes.get('block:enc/stack_1')!.classes).toContain('kv-collapsed');
    expect(nodes.get('block:enc/stack_1')!.data.parent).toBe('enc');
    expect(nodes.has('enc/stack_1_dense')).toBe(false);
    const edges = edgesOf(buildElements(vg, state));
    expect(edges.get('enc/enc_in->block:enc/stack_1')!.count).toBe(1);
    expect(edges.get('block:enc/stack_1->enc/enc_out')!.count).toBe(1);
    expect(edges.get('enc/enc_out->join')!.count).toBe(1);
  });
});

describe('state transitions', () => {
  const vg = loadGraph('toy');

  it('collapse adds containers only, and returns the same state for no-ops', () => {
    const s0 = expandAll();
    const s1 = collapse(vg, s0, 'block:b1');
    expect([...s1]).toEqual(['block:b1']);
    expect(collapse(vg, s1, 'block:b1')).toBe(s1);
    expect(collapse(vg, s1, 'b1_conv')).toBe(s1);
    expect(s0.size).toBe(0);
  });

  it('expand opens the container and every collapsed one around it', () => {
    const all = collapseAll(vg);
    const s = expand(vg, all, 'block:enc/stack_1');
    expect([...s]).toEqual(['block:b1']);
  });

  it('reveal opens only the containers around a node', () => {
    const all = collapseAll(vg);
    const s = reveal(vg, all, 'block:enc/stack_1');
    expect([...s].sort()).toEqual(['block:b1', 'block:enc/stack_1']);
    expect(reveal(vg, s, 'in')).toBe(s);
  });

  it('toggle flips one container', () => {
    const s = toggle(vg, expandAll(), 'enc');
    expect([...s]).toEqual(['enc']);
    expect([...toggle(vg, s, 'enc')]).toEqual([]);
  });
});

describe('real payloads from kerasviz.view.view_payload', () => {
  it('seed model: two inputs, two outputs, shapes on edges', () => {
    const vg = loadGraph('seed');
    const els = buildElements(vg, initialCollapsed(vg));
    const nodes = nodesOf(els);
    expect(nodes.size).toBe(10);
    expect(nodes.get('main_input')!.classes).toContain('kv-input');
    expect(nodes.get('aux_input')!.classes).toContain('kv-input');
    expect(nodes.get('main_output')!.classes).toContain('kv-output');
    expect(nodes.get('aux_output')!.classes).toContain('kv-output');
    expect(nodes.get('embedding')!.data.label).toBe('embedding\nEmbedding');
    expect(edgesOf(els).get('embedding->lstm')!.shape).toBe('(None, 100, 512)');
  });

  it('nested models start collapsed, and expand to three levels', () => {
    const vg = loadGraph('nested');
    const start = buildElements(vg, initialCollapsed(vg));
    expect(ids(start, 'nodes')).toEqual(['outer_in', 'mid', 'tail', 'head']);
    expect([...edgesOf(start).keys()]).toEqual(['outer_in->mid', 'mid->tail', 'tail->head']);
    const open = nodesOf(buildElements(vg, expandAll()));
    expect(open.get('mid/deep/deep_dense')!.data.parent).toBe('mid/deep');
    expect(open.get('mid/deep')!.data.parent).toBe('mid');
  });

  it('ResNet50 opens with its blocks collapsed, edges between blocks', () => {
    const vg = loadGraph('resnet_lite');
    const state = initialCollapsed(vg);
    const els = buildElements(vg, state);
    const nodes = nodesOf(els);
    const collapsedNodes = [...nodes.values()].filter(n => n.classes.includes('kv-collapsed'));
    expect(collapsedNodes).toHaveLength(17);
    expect(nodes.get('block:conv2_block1')!.data.label).toMatch(/^conv2_block1\n\(\d+ layers\)$/);
    expect(nodes.get('block:conv2_block1')!.data.parent).toBe('block:conv2');
    expect(nodes.has('conv2_block1_1_conv')).toBe(false);
    for (const e of edgesOf(els).values()) {
      expect(nodes.has(e.source)).toBe(true);
      expect(nodes.has(e.target)).toBe(true);
      expect(e.source).not.toBe(e.target);
    }
    // Every model-level parameter is inside some top-level item, counted once.
    const top = vg.children(null).reduce((a, id) => a + vg.params(id).total, 0);
    expect(top).toBe(vg.graph.model.params.total);
    expect(buildElements(vg, expandAll()).filter(e => e.group === 'nodes')).toHaveLength(
      vg.graph.nodes.length + (vg.payload.blocks ?? []).length
    );
  });
});

describe('user data stays data', () => {
  it('keeps a malicious layer name as an inert string in element data', () => {
    const vg = loadGraph('xss');
    const nodes = nodesOf(buildElements(vg, new Set()));
    const evil = '<img src=x onerror=alert(1)>';
    const node = nodes.get(evil)!;
    expect(node.data.id).toBe(evil);
    expect(node.data.name).toBe(evil);
    expect(node.data.label).toBe(`${evil}\nDense`);
    expect(typeof node.data.label).toBe('string');
  });

  it('survives a parent cycle and unknown parents in bad data', () => {
    const p = loadPayload('toy');
    p.parents = { ...p.parents, 'block:b1': 'b1_add', out: 'nowhere' };
    const vg = new ViewGraph(p);
    const els = buildElements(vg, new Set());
    expect(nodesOf(els).get('out')!.data.parent).toBeUndefined();
    expect(nodesOf(els).size).toBe(14);
  });
});

describe('highlight', () => {
  it('marks highlighted nodes, and a collapsed container hiding one', () => {
    const p = loadPayload('toy');
    p.highlight = { 'enc/stack_1_drop': 'differs: rate 0.5 vs 0.1', join: '<b>why</b>' };
    const vg = new ViewGraph(p);
    expect(vg.highlightedInside('enc')).toEqual(['enc/stack_1_drop']);
    const start = nodesOf(buildElements(vg, initialCollapsed(vg)));
    expect(start.get('enc')!.classes).toContain('kv-highlight');
    expect(start.get('join')!.classes).toContain('kv-highlight');
    expect(start.get('out')!.classes).not.toContain('kv-highlight');
    const open = nodesOf(buildElements(vg, expandAll()));
    expect(open.get('enc')!.classes).not.toContain('kv-highlight');
    expect(open.get('enc/stack_1_drop')!.classes).toContain('kv-highlight');
  });
});
