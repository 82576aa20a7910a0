/// <reference types="node" />
/**
 * Python's exports (to_ipycytoscape, Graphviz: kerasviz/export/cytoscape.py)
 * follow the renderer's rules: on the same payloads of real models
 * (fixtures/export_elements.json, written by scripts/make_fixtures.py),
 * buildElements makes the very elements Python made; and both sides write
 * shapes by one table of cases (fixtures/shape_text.json).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { buildElements, edgeShapeText } from '../elements';
import { formatShape } from '../format';
import type { IViewPayload, Shape } from '../types';
import { ViewGraph } from '../viewgraph';

interface IPyElement {
  data: Record<string, unknown>;
  classes: string;
}

interface IFixture {
  cases: Array<{
    name: string;
    payload: IViewPayload;
    states: Array<{ collapsed: string[]; elements: { nodes: IPyElement[]; edges: IPyElement[] } }>;
  }>;
}

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf-8')) as T;
}

const exported = fixture<IFixture>('export_elements.json');
const table = fixture<{
  shape_text: Array<{ shape: Shape | null; text: string }>;
  edge_shape_text: Array<{ shapes: Array<Shape | null>; text: string }>;
}>('shape_text.json');

describe('the exports make what the renderer makes', () => {
  it('covers several models and states', () => {
    expect(exported.cases.length).toBeGreaterThanOrEqual(4);
  });

  for (const c of exported.cases) {
    c.states.forEach((state, i) => {
      it(`${c.name}, state ${i} (collapsed: ${state.collapsed.join(', ') || 'none'})`, () => {
        const vg = new ViewGraph(c.payload);
        const els = buildElements(vg, new Set(state.collapsed));
        const nodes = els.filter(e => e.group === 'nodes');
        const edges = els.filter(e => e.group === 'edges');
        // Same nodes in the same order (parents first), same data and classes.
        expect(nodes.map(n => ({ data: n.data, classes: n.classes }))).toEqual(
          state.elements.nodes
        );
        expect(edges.map(e => ({ data: e.data, classes: e.classes }))).toEqual(
          state.elements.edges
        );
        expect(nodes.length).toBeGreaterThan(0);
      });
    });
  }
});

describe('one table of shape texts', () => {
  for (const { shape, text } of table.shape_text) {
    it(`formatShape(${JSON.stringify(shape)}) is ${text}`, () => {
      expect(formatShape(shape)).toBe(text);
    });
  }
  for (const { shapes, text } of table.edge_shape_text) {
    it(`edgeShapeText(${JSON.stringify(shapes)}) is "${text}"`, () => {
      expect(edgeShapeText(shapes)).toBe(text);
    });
  }
});
