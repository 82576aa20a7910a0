import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';

import { buildElements, expandAll } from '../elements';
import { LABEL_HEIGHT, LABEL_WIDTH, replaceLabelSizing } from '../measure';
import type { IStyleRule } from '../types';
import {
  DEFAULT_STYLESHEET,
  ownSelection,
  payloadStylesheet,
  resolveStylesheet,
  resolveValue
} from '../theme';
import { checkPayload, ViewGraph } from '../viewgraph';
import { loadPayload } from './helpers';

const vars: Record<string, string> = { '--jp-ui-font-color1': ' #eeeeee', '--empty': '' };
const lookup = (name: string) => vars[name] ?? '';

describe('CSS variables in the stylesheet', () => {
  it('uses the variable when set, else the fallback', () => {
    expect(resolveValue('var(--jp-ui-font-color1, #000)', lookup)).toBe('#eeeeee');
    expect(resolveValue('var(--jp-layout-color0, #ffffff)', lookup)).toBe('#ffffff');
    expect(resolveValue('var(--empty, rgba(0, 0, 0, 0.5))', lookup)).toBe('rgba(0, 0, 0, 0.5)');
  });

  it('resolves nested fallbacks and text around the var()', () => {
    expect(resolveValue('var(--a, var(--jp-ui-font-color1, red))', lookup)).toBe('#eeeeee');
    expect(resolveValue('1px solid var(--b, blue)', lookup)).toBe('1px solid blue');
  });

  it('drops properties it cannot resolve', () => {
    expect(resolveValue('var(--nothing)', lookup)).toBeNull();
    const sheet = resolveStylesheet(
      [{ selector: 'node', style: { color: 'var(--nothing)', width: 10, label: 'data(label)' } }],
      lookup
    );
    expect(sheet).toEqual([{ selector: 'node', style: { width: 10, label: 'data(label)' } }]);
  });
});

describe('cytoscape quirks', () => {
  it('double-quotes font family names', () => {
    const sheet = resolveStylesheet(
      [
        {
          selector: 'node',
          style: { 'font-family': "var(--f, system-ui, 'Segoe UI', sans-serif)" }
        }
      ],
      lookup
    );
    expect(sheet[0].style['font-family']).toBe('system-ui, "Segoe UI", sans-serif');
  });
});

describe('selection', () => {
  it('points :selected rules at the kv-selected class, leaving others alone', () => {
    const rules: IStyleRule[] = [
      { selector: 'node:selected', style: { 'border-width': 5 } },
      { selector: 'edge:selected, node.a:selected', style: { width: 3 } },
      { selector: 'node.kv-match', style: { 'border-width': 4 } }
    ];
    expect(ownSelection(rules).map(r => r.selector)).toEqual([
      'node.kv-selected',
      'edge.kv-selected, node.a.kv-selected',
      'node.kv-match'
    ]);
    expect(ownSelection(rules)[2]).toBe(rules[2]);
  });
});

describe('label sizing', () => {
  it('replaces width/height: label by data fields and reads the node font', async () => {
    const { replaceLabelSizing, LabelMeasurer } = await import('../measure');
    const { rules, font } = replaceLabelSizing([
      {
        selector: 'node',
        style: { width: 'label', height: 'label', 'font-size': 11, 'font-family': 'sans-serif' }
      },
      { selector: 'node.kv-input', style: { width: 40 } }
    ]);
    expect(rules[0].style).toMatchObject({
      width: 'data(kvLabelWidth)',
      height: 'data(kvLabelHeight)'
    });
    expect(rules[1].style.width).toBe(40);
    expect(font).toEqual({ size: 11, family: 'sans-serif', weight: 'normal' });
    const size = new LabelMeasurer(font!).measure('ab\nabcd');
    expect(size.h).toBe(22);
    expect(size.w).toBeGreaterThan(0);
    expect(replaceLabelSizing([{ selector: 'node', style: { width: 30 } }]).font).toBeNull();
  });
});

describe('a payload without a stylesheet (older notebooks)', () => {
  it("is drawn with style.py's stylesheet, bundled: labels, family colours, shapes", () => {
    const p = loadPayload('toy');
    const own = payloadStylesheet(p);
    expect(own).toBe(p.style!.stylesheet);
    delete (p as { style?: unknown }).style;
    expect(checkPayload(p)).toBeNull(); // accepted, then drawn as below
    const sheet = payloadStylesheet(p);
    // style.py's, bundled (tests/test_export_elements.py checks the copy is current)
    expect(sheet).toBe(DEFAULT_STYLESHEET);
    const { rules } = replaceLabelSizing(resolveStylesheet(sheet, () => ''));
    const vg = new ViewGraph(p);
    const cy = cytoscape({
      headless: true,
      styleEnabled: true,
      elements: buildElements(vg, expandAll()).map(e => ({
        ...e,
        data: { ...e.data, [LABEL_WIDTH]: 100, [LABEL_HEIGHT]: 30 }
      })) as cytoscape.ElementDefinition[],
      style: rules as cytoscape.StylesheetJson
    });
    const dense = cy.nodes('[kind = "dense"]').first();
    expect(dense.nonempty()).toBe(true);
    expect(dense.style('label')).toBe(`${dense.data('name')}\n${dense.data('class_name')}`);
    expect(dense.style('background-color')).toBe('rgb(46,116,162)'); // style.py's Dense
    expect(dense.style('color')).toBe('rgb(33,33,33)'); // --jp-ui-font-color1's fallback
    const edge = cy.edges('.kv-shapes').first();
    expect(edge.style('label')).toBe(edge.data('shape'));
    expect(edge.data('shape')).toMatch(/^\(None, /);
    cy.destroy();
  });
});
