import { describe, expect, it } from 'vitest';

import {
  buildElements,
  collapseAll,
  expandAll,
  initialCollapsed,
  type IEdgeData,
  type INodeData
} from '../elements';
import {
  BENT_LABEL_HALF,
  bentEdges,
  computeLayout,
  dagreLayout,
  edgeLabels,
  LABEL_CLEARANCE,
  labelSize,
  layeredLayout,
  type ILayoutEdge,
  type ILayoutNode
} from '../layout';
import { checkPayload, ViewGraph } from '../viewgraph';
import { loadGraph, loadPayload } from './helpers';

/** Layout input from built elements, every node 100 x 40. */
function layoutInput(vg: ViewGraph, collapsed: ReadonlySet<string>) {
  const els = buildElements(vg, collapsed);
  const parents = new Set(
    els
      .filter(e => e.group === 'nodes')
      .map(e => (e.data as INodeData).parent)
      .filter(Boolean)
  );
  const nodes: ILayoutNode[] = els
    .filter(e => e.group === 'nodes')
    .map(e => {
      const d = e.data as INodeData;
      return { id: d.id, width: 100, height: 40, parent: d.parent, compound: parents.has(d.id) };
    });
  const edges: ILayoutEdge[] = els
    .filter(e => e.group === 'edges')
    .map(e => ({ source: (e.data as IEdgeData).source, target: (e.data as IEdgeData).target }));
  return { nodes, edges };
}

/** A chain of n nodes with a skip edge around every second one. */
function chain(n: number): { nodes: ILayoutNode[]; edges: ILayoutEdge[] } {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, width: 100, height: 40 }));
  const edges: ILayoutEdge[] = [];
  for (let i = 1; i < n; i++) {
    edges.push({ source: `n${i - 1}`, target: `n${i}` });
    if (i >= 2 && i % 2 === 0) {
      edges.push({ source: `n${i - 2}`, target: `n${i}` });
    }
  }
  return { nodes, edges };
}

describe('dagre', () => {
  it('lays out compound nodes top to bottom, following the edges', () => {
    const vg = loadGraph('toy');
    const { nodes, edges } = layoutInput(vg, expandAll());
    const result = computeLayout(vg, expandAll(), nodes, edges);
    expect(result.strategy).toBe('dagre');
    const p = result.positions;
    expect(p.has('enc')).toBe(false); // compounds follow their children
    expect(p.get('in')!.y).toBeLessThan(p.get('b1_conv')!.y);
    expect(p.get('b1_conv')!.y).toBeLessThan(p.get('b1_bn')!.y);
    expect(p.get('join')!.y).toBeLessThan(p.get('out')!.y);
  });

  it('honours rankdir LR', () => {
    const { nodes, edges } = chain(5);
    const p = dagreLayout(nodes, edges, 'LR', false);
    expect(p.get('n0')!.x).toBeLessThan(p.get('n4')!.x);
    expect(Math.abs(p.get('n0')!.y - p.get('n1')!.y)).toBeLessThan(60);
  });
});

describe('the layered fallback', () => {
  it('places 5,000 nodes of a deep chain without recursion, fast', () => {
    const { nodes, edges } = chain(5000);
    const start = Date.now();
    const p = layeredLayout(nodes, edges, 'TB');
    expect(Date.now() - start).toBeLessThan(2000);
    expect(p.size).toBe(5000);
    for (let i = 1; i < 5000; i++) {
      expect(p.get(`n${i}`)!.y).toBeGreaterThan(p.get(`n${i - 1}`)!.y);
    }
  });

  it('puts parallel branches side by side and survives a cycle', () => {
    const nodes = ['a', 'b', 'c', 'd'].map(id => ({ id, width: 100, height: 40 }));
    const edges = [
      { source: 'a', target: 'b' },
      { source: 'a', target: 'c' },
      { source: 'b', target: 'd' },
      { source: 'c', target: 'd' },
      { source: 'd', target: 'a' }
    ];
    const p = layeredLayout(nodes, edges, 'TB');
    expect(p.size).toBe(4);
    expect(p.get('b')!.y).toBe(p.get('c')!.y);
    expect(p.get('b')!.x).not.toBe(p.get('c')!.x);
    const lr = layeredLayout(nodes, edges, 'LR');
    expect(lr.get('b')!.x).toBe(lr.get('c')!.x);
  });

  it('is used above dagre_max_nodes when there are no positions', () => {
    const p = loadPayload('toy');
    p.options = { ...p.options, dagre_max_nodes: 3 };
    const vg = new ViewGraph(p);
    const { nodes, edges } = layoutInput(vg, expandAll());
    expect(computeLayout(vg, expandAll(), nodes, edges).strategy).toBe('layered');
  });
});

describe('positions a payload carries (older payloads)', () => {
  it('are ignored: the renderer lays every view out itself', () => {
    const p = loadPayload('toy');
    p.options = { ...p.options, dagre_max_nodes: 3 };
    (p as unknown as Record<string, unknown>).positions = Object.fromEntries(
      p.graph.nodes.map((n, i) => [n.id, [i * 10, i * 100]])
    );
    expect(checkPayload(p)).toBeNull(); // an older payload still draws
    const vg = new ViewGraph(p);
    const state = collapseAll(vg);
    const { nodes, edges } = layoutInput(vg, state);
    const result = computeLayout(vg, state, nodes, edges);
    expect(result.strategy).toBe('layered');
    expect(result.positions.get('out')).not.toEqual({ x: 90, y: 900 });
  });
});

describe('bentEdges', () => {
  it('bows skip connections that would cross the nodes of a column', () => {
    const { nodes, edges } = chain(5);
    const p = layeredLayout(nodes, edges, 'TB');
    const sizes = new Map(nodes.map(n => [n.id, { w: n.width, h: n.height }]));
    const bends = bentEdges(p, sizes, edges, 'TB');
    const bent = [...bends.keys()].map(i => `${edges[i].source}->${edges[i].target}`);
    expect(bent).toEqual(['n0->n2', 'n2->n4']);
    // the label sits at the middle of the curve, half the bend out: clear of
    // the column (half width 50) by its own half extent and 8 px
    const skip = edges.findIndex(e => e.source === 'n0' && e.target === 'n2');
    expect(bends.get(skip)! / 2).toBe(50 + BENT_LABEL_HALF.TB + 8);
    expect(bentEdges(p, sizes, edges, 'TB', 20).get(skip)! / 2).toBe(50 + 20 + 8);
  });
});

describe('shape labels', () => {
  it('estimates label sizes generously from their text', () => {
    expect(labelSize('')).toEqual({ w: 0, h: 0 });
    const { w, h } = labelSize('(None, 112, 112, 32)');
    expect(w).toBeGreaterThan(100); // about 85 px drawn at 9 px
    expect(h).toBeGreaterThan(11);
  });

  it('writes the labels as the elements do, aggregated edges joined', () => {
    const vg = loadGraph('resnet_lite');
    for (const collapsed of [initialCollapsed(vg), expandAll(), collapseAll(vg)]) {
      const els = buildElements(vg, collapsed).filter(e => e.group === 'edges');
      const data = els.map(e => e.data as IEdgeData);
      const labels = edgeLabels(vg, collapsed, data);
      expect(labels).toEqual(data.map(d => d.shape));
    }
  });

  for (const rankdir of ['TB', 'LR'] as const) {
    it(`the layered layout keeps the longest label plus clearance between ranks (${rankdir})`, () => {
      const p = loadPayload('resnet_lite');
      p.options = { ...p.options, rankdir, dagre_max_nodes: 3 };
      const vg = new ViewGraph(p);
      const { nodes, edges } = layoutInput(vg, expandAll());
      const result = computeLayout(vg, expandAll(), nodes, edges);
      expect(result.strategy).toBe('layered');
      const labels = edgeLabels(vg, expandAll(), edges).map(labelSize);
      const horizontal = rankdir === 'LR';
      const longest = Math.max(...labels.map(l => (horizontal ? l.w : l.h)));
      expect(longest).toBeGreaterThan(0);
      let checked = 0;
      for (const e of edges) {
        const s = result.positions.get(e.source)!;
        const t = result.positions.get(e.target)!;
        // every node is 100 x 40 (layoutInput)
        const gap = horizontal ? t.x - s.x - 100 : t.y - s.y - 40;
        expect(gap).toBeGreaterThanOrEqual(longest + 2 * LABEL_CLEARANCE - 0.5);
        checked++;
      }
      expect(checked).toBeGreaterThan(5);
    });

    it(`dagre keeps each label's length plus clearance between ranks (${rankdir})`, () => {
      const { nodes, edges } = chain(6);
      const texts = edges.map((_e, i) => (i % 2 ? '(None, 7, 7, 1280)' : '(None, 10)'));
      const labels = texts.map(labelSize);
      const p = dagreLayout(nodes, edges, rankdir, false, 2 * LABEL_CLEARANCE, labels);
      const horizontal = rankdir === 'LR';
      edges.forEach((e, i) => {
        const s = p.get(e.source)!;
        const t = p.get(e.target)!;
        const half = horizontal ? 50 : 20;
        const gap = horizontal ? t.x - s.x - 2 * half : t.y - s.y - 2 * half;
        const along = horizontal ? labels[i].w : labels[i].h;
        expect(gap).toBeGreaterThanOrEqual(along + 2 * LABEL_CLEARANCE - 0.5);
      });
    });
  }
});
