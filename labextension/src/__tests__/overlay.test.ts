// @vitest-environment happy-dom
/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { GraphView } from '../graphview';
import { costOf } from '../inspector';
import { ViewGraph } from '../viewgraph';
import {
  colorAt,
  formatMetricValue,
  inkFor,
  overlayLegend,
  overlayPaint,
  overlayPosition
} from '../overlay';
import type { IOverlayMetric, IOverlays, IViewPayload } from '../types';
import widget from '../widget';
import { fakeLiveModel, loadPayload, settle } from './helpers';

interface ICase {
  metric: IOverlayMetric;
  positions: Record<string, number>;
  colors: Record<string, string>;
  inks: Record<string, string>;
  text: Record<string, string>;
}

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'overlay.json'), 'utf-8')) as {
  stops: string[];
  ink: string[];
  cases: ICase[];
  ramp: Record<string, string>;
};

function overlaysOf(metrics: IOverlayMetric[], selected: string | null = null): IOverlays {
  return { metrics, stops: fixture.stops, ink: fixture.ink, selected };
}

describe('the colour scale is the one kerasviz.view.overlays computes', () => {
  it('gives the same position, colour, label colour and text for every value', () => {
    for (const c of fixture.cases) {
      const paint = overlayPaint(overlaysOf([c.metric]), c.metric);
      expect(paint.size).toBe(Object.keys(c.colors).length);
      for (const [id, value] of Object.entries(c.metric.values)) {
        expect(overlayPosition(value, c.metric)).toBeCloseTo(c.positions[id], 12);
        expect(paint.get(id)).toEqual({ fill: c.colors[id], ink: c.inks[id] });
        expect(formatMetricValue(value, c.metric.unit)).toBe(c.text[id]);
      }
    }
    for (const [t, color] of Object.entries(fixture.ramp)) {
      expect(colorAt(Number(t), fixture.stops)).toBe(color);
    }
  });

  it('runs from the first stop to the last, dark ink on light fills', () => {
    expect(colorAt(0, fixture.stops)).toBe(fixture.stops[0]);
    expect(colorAt(1, fixture.stops)).toBe(fixture.stops[fixture.stops.length - 1]);
    expect(inkFor(fixture.stops[0], fixture.ink)).toBe(fixture.ink[0]);
    expect(inkFor(fixture.stops[fixture.stops.length - 1], fixture.ink)).toBe(fixture.ink[1]);
  });

  it('paints nothing from stops that are not plain colours', () => {
    const c = fixture.cases[0];
    const bad = { ...overlaysOf([c.metric]), stops: ['red);background:url(x)', '#000000'] };
    expect(overlayPaint(bad, c.metric).size).toBe(0);
    const legend = overlayLegend(bad, c.metric);
    expect(legend.querySelector('.kv-overlay-bar')).toBeNull();
  });
});

/** The seed fixture with a user metric added (it has the cost overlays). */
function withUserMetric(selected: string | null): IViewPayload {
  const p = loadPayload('seed');
  const ids = p.graph.nodes.map(n => n.id);
  const user: IOverlayMetric = {
    key: 'user:<b>ms</b>',
    label: '<b>ms</b>',
    unit: 'value',
    scale: 'linear',
    min: 1,
    max: 2,
    values: { [ids[1]]: 1, [ids[2]]: 2 },
    reasons: {}
  };
  return {
    ...p,
    overlays: { ...p.overlays!, metrics: [...p.overlays!.metrics, user], selected }
  };
}

describe('the overlay menu, legend and inspector', () => {
  it('lists every overlay, shows its legend, and the inspector its value', () => {
    const p = withUserMetric(null);
    expect(p.overlays!.metrics.map(m => m.key)).toEqual(
      expect.arrayContaining(['params', 'macs', 'flops', 'memory', 'share'])
    );
    const host = document.createElement('div');
    const chosen: Array<string | null> = [];
    const view = new GraphView(host, p, { onOverlay: key => chosen.push(key) });
    const select = host.querySelector('.kv-overlay-select') as HTMLSelectElement;
    expect([...select.options].map(o => o.value)).toEqual([
      '',
      ...p.overlays!.metrics.map(m => m.key)
    ]);
    // the kinds legend first
    expect(host.querySelector('.kv-legend')).not.toBeNull();
    expect(host.querySelector('.kv-overlay-legend')).toBeNull();
    select.value = 'flops';
    select.dispatchEvent(new Event('change'));
    expect(view.overlay).toBe('flops');
    expect(chosen).toEqual(['flops']);
    const legend = host.querySelector('.kv-overlay-legend') as HTMLElement;
    expect(legend.querySelector('.kv-overlay-label')!.textContent).toBe('FLOPs');
    expect(host.querySelector('.kv-legend')).toBeNull();
    // the inspector: the layer's cost, and its share of the model's FLOPs
    const dense = p.graph.nodes.find(n => n.class_name === 'Dense')!;
    view.select(dense.id);
    const inspector = host.querySelector('.kv-inspector') as HTMLElement;
    const costText = inspector.textContent!;
    expect(costText).toContain('Cost (batch 1)');
    expect(costText).toContain('MACs');
    expect(costText).toContain('Share of FLOPs');
    // a user metric: its label is text, and the inspector gives the node's value
    const userKey = 'user:<b>ms</b>';
    view.setOverlay(userKey);
    expect(select.value).toBe(userKey);
    expect(host.querySelector('.kv-overlay-legend b')).toBeNull();
    expect(host.querySelector('.kv-overlay-label')!.textContent).toBe('<b>ms</b>');
    view.select(p.graph.nodes[2].id);
    expect(inspector.textContent).toContain('<b>ms</b>');
    // an unknown key changes nothing; null goes back to the kinds
    view.setOverlay('nope');
    expect(view.overlay).toBe(userKey);
    view.setOverlay(null);
    expect(host.querySelector('.kv-legend')).not.toBeNull();
    expect(select.value).toBe('');
    view.dispose();
  });

  it('opens on the overlay the payload selects (a saved notebook)', () => {
    const host = document.createElement('div');
    const view = new GraphView(host, withUserMetric('memory'));
    expect(view.overlay).toBe('memory');
    expect(host.querySelector('.kv-overlay-label')!.textContent).toBe('Activation memory');
    view.dispose();
  });

  it('keeps overlay_metric in sync with the kernel both ways', async () => {
    const { model, traits, emit } = fakeLiveModel({
      data: withUserMetric(null),
      selected: null,
      overlay_metric: 'params'
    });
    const el = document.createElement('div');
    const cleanup = await widget.render({ model, el });
    const view = (el.querySelector('.kv-root') as HTMLElement & { kvView?: GraphView }).kvView!;
    expect(view.overlay).toBe('params');
    traits.overlay_metric = 'share';
    emit('change:overlay_metric');
    expect(view.overlay).toBe('share');
    const select = el.querySelector('.kv-overlay-select') as HTMLSelectElement;
    select.value = 'macs';
    select.dispatchEvent(new Event('change'));
    expect(traits.overlay_metric).toBe('macs');
    expect(model.save_changes).toHaveBeenCalled();
    // new data keeps the kernel's overlay
    emit('change:data');
    await settle();
    const rebuilt = (el.querySelector('.kv-root') as HTMLElement & { kvView?: GraphView }).kvView!;
    expect(rebuilt.overlay).toBe('macs');
    cleanup();
  });
});

describe('the Activation stats button', () => {
  it('asks the kernel for one run and says what went wrong', async () => {
    const { model, sent, emit } = fakeLiveModel({
      data: withUserMetric(null),
      selected: null,
      overlay_metric: null
    });
    const el = document.createElement('div');
    const cleanup = await widget.render({ model, el });
    const button = [...el.querySelectorAll('button')].find(
      b => b.textContent === 'Activation stats'
    )!;
    expect(button).toBeDefined();
    button.click();
    expect(sent).toContainEqual({ type: 'activation_stats' });
    const status = el.querySelector('.kv-search-status') as HTMLElement;
    expect(status.textContent).toMatch(/running the model/);
    emit('msg:custom', { type: 'activation_stats', error: 'ValueError: <input> has a None' });
    await new Promise(r => setTimeout(r, 0));
    expect(status.textContent).toBe('ValueError: <input> has a None');
    expect(status.querySelector('input')).toBeNull();
    button.click();
    emit('msg:custom', { type: 'activation_stats', ok: true });
    await new Promise(r => setTimeout(r, 0));
    expect(status.textContent).toBe('');
    cleanup();
  });

  it('is absent without a kernel (a saved notebook)', () => {
    const host = document.createElement('div');
    const view = new GraphView(host, withUserMetric(null));
    expect([...host.querySelectorAll('button')].map(b => b.textContent)).not.toContain(
      'Activation stats'
    );
    view.dispose();
  });
});

describe('costOf', () => {
  it('joins what costs.nodes keeps with the figures the overlays carry', () => {
    const p = loadPayload('seed');
    const vg = new ViewGraph(p);
    const dense = p.graph.nodes.find(n => n.class_name === 'Dense')!;
    const kept = p.costs!.nodes[dense.id];
    expect(kept.macs).toBeUndefined(); // carried by the overlays, not repeated
    const macs = p.overlays!.metrics.find(m => m.key === 'macs')!;
    const cost = costOf(vg, dense.id)!;
    expect(cost.macs).toBe(macs.values[dense.id]);
    expect(cost.macs).toBeGreaterThan(0);
    expect(cost.param_bytes).toBe(kept.param_bytes);
    const input = p.graph.nodes.find(n => n.class_name === 'InputLayer')!;
    expect(costOf(vg, input.id)!.macs).toBe(0);
    expect(costOf(vg, 'no such node')).toBeUndefined();
  });
});
