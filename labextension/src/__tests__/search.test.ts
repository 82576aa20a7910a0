import { describe, expect, it } from 'vitest';

import {
  collapseAll,
  containerSummary,
  expandAll,
  initialCollapsed,
  searchNodes
} from '../elements';
import { formatShapes } from '../format';
import { loadGraph } from './helpers';

describe('searchNodes', () => {
  const vg = loadGraph('toy');

  it('ranks exact before prefix before substring, case-insensitively', () => {
    const hits = searchNodes(vg, 'ENC', expandAll());
    expect(hits.map(h => [h.id, h.rank])).toEqual([
      ['enc', 0],
      ['enc/enc_in', 1],
      ['enc/enc_dense', 1],
      ['enc/enc_drop', 1],
      ['block:enc/stack', 2]
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
    const hits = searchNodes(vg, 'enc_drop', collapseAll(vg));
    expect(hits).toEqual([{ id: 'enc/enc_drop', rank: 0, expand: ['enc', 'block:enc/stack'] }]);
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
    expect(s.layers).toBe(3);
    expect(s.params.total).toBe(72);
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
