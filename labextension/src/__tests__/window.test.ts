import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';

import { probeSizes } from '../canvas';
import { buildElements, type INodeData } from '../elements';
import { LABEL_HEIGHT, LABEL_WIDTH, replaceLabelSizing } from '../measure';
import { payloadStylesheet, resolveStylesheet } from '../theme';
import type { IStyleRule } from '../types';
import { contains, sizeKey, styleFields, WindowIndex, windowAround } from '../window';
import { loadGraph } from './helpers';

/** A column of `n` 40 x 20 nodes 100 apart (n0 at y = 0), each joined to the next. */
function column(n: number, skip = 0) {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}` }));
  const positions = new Map(nodes.map((v, i) => [v.id, { x: 0, y: i * 100 }]));
  const sizes = new Map(nodes.map(v => [v.id, { w: 40, h: 20 }]));
  const edges = nodes.slice(1).map((v, i) => ({ id: `e${i}`, source: `n${i}`, target: v.id }));
  if (skip > 0) {
    edges.push({ id: 'long', source: 'n0', target: `n${skip}` });
  }
  return { nodes, edges, positions, sizes };
}

describe('WindowIndex.select', () => {
  it('holds the nodes in the box, the far ends of edges leaving it, and edges between held nodes', () => {
    const c = column(100);
    const index = new WindowIndex(c.nodes, c.edges, c.positions, c.sizes);
    const got = index.select({ x1: -50, y1: 450, x2: 50, y2: 750 });
    // n5..n7 overlap the box; the edges n4->n5 and n7->n8 cross its edge
    expect(got.nodes).toEqual(['n4', 'n5', 'n6', 'n7', 'n8']);
    expect(got.edges).toEqual(['e4', 'e5', 'e6', 'e7']);
    expect(index.nodeCount).toBe(100);
    expect(index.edgeCount).toBe(99);
  });

  it('holds a long edge that crosses the box with both of its ends far away', () => {
    const c = column(100, 90);
    const index = new WindowIndex(c.nodes, c.edges, c.positions, c.sizes);
    const got = index.select({ x1: -50, y1: 4450, x2: 50, y2: 4550 });
    expect(got.nodes).toContain('n0');
    expect(got.nodes).toContain('n90');
    expect(got.edges).toContain('long');
    expect(got.nodes).not.toContain('n30');
  });

  it('holds an expanded container with all its members, and extra nodes anywhere', () => {
    const c = column(50);
    // n10..n19 inside `block`, which is inside `outer`
    const nodes = [
      ...c.nodes.slice(0, 10),
      { id: 'outer' },
      { id: 'block', parent: 'outer' },
      ...c.nodes.slice(10, 20).map(n => ({ ...n, parent: 'block' })),
      ...c.nodes.slice(20)
    ];
    const index = new WindowIndex(nodes, c.edges, c.positions, c.sizes);
    const got = index.select({ x1: -50, y1: 1190, x2: 50, y2: 1210 }, ['n45']);
    expect(got.nodes.slice(0, 12)).toEqual([
      'outer',
      'block',
      ...Array.from({ length: 10 }, (_, i) => `n${10 + i}`)
    ]);
    expect(got.nodes).toContain('n45');
    expect(got.nodes).not.toContain('n30');
    // a container's box is its members' and room for its padding
    expect(index.box('block')).toEqual({ x1: -50, y1: 960, x2: 50, y2: 1940 });
    expect(index.box('outer')).toEqual({ x1: -80, y1: 930, x2: 80, y2: 1970 });
    expect([...index.neighbours('n10')].sort()).toEqual(['n11', 'n9']);
  });
});

describe('windowAround and contains', () => {
  it('grows the viewport by its size on each side', () => {
    const held = windowAround({ x1: 0, y1: 0, x2: 100, y2: 50 }, 1);
    expect(held).toEqual({ x1: -100, y1: -50, x2: 200, y2: 100 });
    expect(contains(held, { x1: 90, y1: 40, x2: 190, y2: 90 })).toBe(true);
    expect(contains(held, { x1: 110, y1: 40, x2: 210, y2: 90 })).toBe(false);
  });
});

describe('styleFields and sizeKey', () => {
  it('finds the data fields of selectors and of size mappers, not of labels or colours', () => {
    const rules: IStyleRule[] = [
      {
        selector: 'node[kind = "dense"]',
        style: { width: 'data(kvLabelWidth)', label: 'data(label)', color: 'data(kvInk)' }
      },
      {
        selector: 'edge[count > 1], node[^params]',
        style: { height: 'mapData(params, 0, 9, 1, 5)' }
      },
      { selector: 'node.kv-input', style: { color: 'red' } }
    ];
    expect(styleFields(rules)).toEqual(['count', 'kind', 'kvLabelWidth', 'params']);
  });

  it('keys nodes by their classes and the fields read, not by names', () => {
    const a = sizeKey({ id: 'a', name: 'a', kind: 'dense', w: 3 }, 'x y', ['kind', 'w']);
    const b = sizeKey({ id: 'b', name: 'b', kind: 'dense', w: 3 }, 'y  x', ['kind', 'w']);
    const c = sizeKey({ id: 'c', name: 'c', kind: 'conv', w: 3 }, 'x y', ['kind', 'w']);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe('probeSizes', () => {
  it('gives every node the size cytoscape gives it with all nodes styled', () => {
    const vg = loadGraph('resnet_lite');
    const { rules } = replaceLabelSizing(
      resolveStylesheet(payloadStylesheet(vg.payload), () => '')
    );
    const style = rules as unknown as cytoscape.StylesheetJson;
    // keyed by what sizes a node, not by its (unique) label: few probes
    expect(styleFields(rules)).toEqual(['count', 'kind', 'kvLabelHeight', 'kvLabelWidth']);
    const els = buildElements(vg, new Set());
    // label sizes as the measurer would give: by label length
    for (const el of els) {
      if (el.group === 'nodes') {
        const d = el.data as INodeData & Record<string, unknown>;
        d[LABEL_WIDTH] = d.label.length * 7;
        d[LABEL_HEIGHT] = d.label.split('\n').length * 12;
      }
    }
    const parents = new Set(els.map(e => (e.data as INodeData).parent).filter(Boolean));
    const leaves = els.filter(e => e.group === 'nodes' && !parents.has(e.data.id));
    expect(leaves.length).toBeGreaterThan(10);
    const full = cytoscape({ headless: true, styleEnabled: true, style, elements: els as never });
    const sizes = probeSizes(style, leaves);
    expect(sizes.size).toBe(leaves.length);
    const widths = new Set<number>();
    for (const el of leaves) {
      const n = full.getElementById(el.data.id);
      expect(sizes.get(el.data.id)).toEqual({ w: n.outerWidth(), h: n.outerHeight() });
      widths.add(n.outerWidth());
    }
    expect(widths.size).toBeGreaterThan(3); // the sizes really differ
    full.destroy();
  });
});
