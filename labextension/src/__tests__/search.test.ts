import { describe, expect, it } from 'vitest';

import {
  collapseAll,
  containerSummary,
  expandAll,
  initialCollapsed,
  searchNodes
} from '../elements';
import { formatShapes } from '../format';
import { type ISearchState, searchIndex } from '../search';
import { ViewGraph } from '../viewgraph';
import { loadGraph, loadPayload } from './helpers';

describe('searchNodes', () => {
  const vg = loadGraph('toy');

  it('ranks exact before prefix before substring, case-insensitively', () => {
    const hits = searchNodes(vg, 'ENC', expandAll());
    expect(hits.map(h => [h.id, h.rank])).toEqual([
      ['enc', 0],
      ['enc/enc_in', 1],
      ['enc/stack_1_dense', 1],
      ['enc/stack_1_drop', 1],
      ['enc/stack_1_act', 1],
      ['enc/enc_out', 1],
      ['block:enc/stack_1', 2]
    ]);
  });

  it('matches ids as well as names, and ties keep graph order', () => {
    expect(searchNodes(vg, 'b1_', expandAll()).map(h => h.id)).toEqual([
      'b1_conv',
      'b1_bn',
      'b1_add'
    ]);
    expect(searchNodes(vg, 'block:b1', expandAll()).map(h => h.id)).toEqual(['block:b1']);
    expect(searchNodes(vg, '  ', expandAll())).toEqual([]);
    expect(searchNodes(vg, 'nothing-like-this', expandAll())).toEqual([]);
  });

  it('lists the collapsed containers to expand, outermost first', () => {
    const hits = searchNodes(vg, 'stack_1_drop', collapseAll(vg));
    expect(hits).toEqual([
      { id: 'enc/stack_1_drop', rank: 0, expand: ['enc', 'block:enc/stack_1'] }
    ]);
    const visible = searchNodes(vg, 'enc', collapseAll(vg))[0];
    expect(visible).toEqual({ id: 'enc', rank: 0, expand: [] });
  });

  it('finds a ResNet layer hidden in its collapsed block', () => {
    const r = loadGraph('resnet_lite');
    const [best] = searchNodes(r, 'conv3_block2_2_conv', initialCollapsed(r));
    expect(best.id).toBe('conv3_block2_2_conv');
    expect(best.rank).toBe(0);
    expect(best.expand).toEqual(['block:conv3_block2']);
  });
});

describe('containerSummary', () => {
  const vg = loadGraph('toy');

  it('counts layers and params of a block and finds its boundary tensors', () => {
    const s = containerSummary(vg, 'block:b1');
    expect(s.layers).toBe(3);
    expect(s.params).toEqual({ total: 104, trainable: 88, non_trainable: 16 });
    // `in` enters twice (b1_conv and b1_add) but is one tensor.
    expect(formatShapes(s.inputShapes)).toBe('(None, 8)');
    // b1_add leaves towards enc and join: one tensor.
    expect(formatShapes(s.outputShapes)).toBe('(None, 8)');
  });

  it('uses the calls of a nested model', () => {
    const s = containerSummary(vg, 'enc');
    expect(s.layers).toBe(4); // stack_1_* and enc_out: its InputLayer is not a layer
    expect(s.params.total).toBe(144);
    expect(formatShapes(s.inputShapes)).toBe('(None, 8)');
  });

  it('counts a model output produced inside a block as leaving it', () => {
    const r = loadGraph('resnet_lite');
    const s = containerSummary(r, 'block:conv2_block1');
    expect(formatShapes(s.inputShapes)).toBe('(None, 56, 56, 64)');
    expect(formatShapes(s.outputShapes)).toBe('(None, 56, 56, 256)');
    const nested = loadGraph('nested');
    expect(formatShapes(containerSummary(nested, 'tail').outputShapes)).toBe('(None, 3)');
  });
});

describe('searchIndex (which match Enter shows)', () => {
  const fresh: ISearchState = { query: '', index: 0, entered: false };

  it('shows the best match first, on typing and on the first Enter after it', () => {
    // typed, then the live search showed the best match: Enter must not skip it
    const typed: ISearchState = { query: 'block_3_project', index: 0, entered: false };
    expect(searchIndex(fresh, 'block_3_project', false, 2)).toBe(0);
    expect(searchIndex(typed, 'block_3_project', true, 2)).toBe(0);
    expect(searchIndex(fresh, 'block_3_project', true, 2)).toBe(0);
  });

  it('cycles on each further Enter, and starts again for another query', () => {
    const entered: ISearchState = { query: 'conv', index: 0, entered: true };
    expect(searchIndex(entered, 'conv', true, 3)).toBe(1);
    expect(searchIndex({ ...entered, index: 2 }, 'conv', true, 3)).toBe(0);
    expect(searchIndex(entered, 'conv1', true, 3)).toBe(0);
    expect(searchIndex(entered, 'conv', false, 3)).toBe(0);
    expect(searchIndex(entered, 'conv', true, 0)).toBe(0);
  });

  it('puts an exact name (any case) before an earlier name that starts with it', () => {
    const payload = loadPayload('resnet_lite');
    const pad = payload.graph.nodes.find(n => n.id === 'conv1_pad')!;
    pad.name = 'conv1_conv_pad'; // comes before conv1_conv in graph order
    const vg = new ViewGraph(payload);
    const hits = searchNodes(vg, 'CONV1_CONV', expandAll()).map(h => h.id);
    expect(hits.slice(0, 2)).toEqual(['conv1_conv', 'conv1_pad']);
  });
});
