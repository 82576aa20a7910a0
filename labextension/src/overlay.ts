/**
 * Overlays: a number per node painted as a colour, with a legend. The metrics
 * come ready in the payload (`overlays`, made by kerasviz/view/overlays.py, the
 * one owner of what each metric is); this module turns a value into its colour
 * exactly as overlays.py does for the static export (overlay.test.ts checks both
 * against one fixture) and builds the legend from text.
 */

import { h } from './dom';
import { formatCount, formatNumber } from './format';
import type { IOverlayMetric, IOverlays } from './types';

/** A node's paint under an overlay: fill and label colour. */
export interface IPaint {
  /** The fill (`#rrggbb`). */
  fill: string;
  /** The label colour that reads on the fill. */
  ink: string;
}

const HEX = /^#[0-9a-fA-F]{6}$/;

/** Where `value` sits on the metric's scale, 0 (lowest) to 1 (highest). */
export function overlayPosition(value: number, metric: IOverlayMetric): number {
  const low = metric.min;
  const high = metric.max;
  if (low === null || high === null || high === low) {
    return 0.5; // one value for every node: the middle, not "the most"
  }
  let v = value;
  let lo = low;
  let hi = high;
  if (metric.scale === 'log') {
    v = Math.log10(1 + Math.max(value, 0));
    lo = Math.log10(1 + Math.max(low, 0));
    hi = Math.log10(1 + Math.max(high, 0));
  }
  return Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
}

/** Python's round(): halves to even, so both sides pick the same colour byte. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function rgb(color: string): [number, number, number] {
  const c = color.slice(1);
  return [0, 2, 4].map(i => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];
}

/** The colour at position `t` (0..1) along `stops` (`#rrggbb`). */
export function colorAt(t: number, stops: ReadonlyArray<string>): string {
  const clamped = Math.min(1, Math.max(0, t));
  const scaled = clamped * (stops.length - 1);
  const i = Math.min(Math.floor(scaled), stops.length - 2);
  const f = scaled - i;
  const a = rgb(stops[i]);
  const b = rgb(stops[i + 1]);
  return (
    '#' +
    a
      .map((x, k) =>
        roundHalfEven(x + (b[k] - x) * f)
          .toString(16)
          .padStart(2, '0')
      )
      .join('')
  );
}

function linear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** The label colour that reads on `fill`: `ink[0]` (dark) on light, `ink[1]` on dark. */
export function inkFor(fill: string, ink: ReadonlyArray<string>): string {
  const [r, g, b] = rgb(fill).map(c => linear(c / 255));
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.18 ? ink[0] : ink[1];
}

/** The stops and inks of the payload, or null when they are not plain colours. */
function palette(overlays: IOverlays): { stops: string[]; ink: string[] } | null {
  const stops = (overlays.stops ?? []).filter(s => HEX.test(s));
  const ink = (overlays.ink ?? ['#1a1a1a', '#ffffff']).filter(s => HEX.test(s));
  if (stops.length < 2 || stops.length !== overlays.stops.length || ink.length !== 2) {
    return null;
  }
  return { stops, ink };
}

/** Node id → paint of every node the metric has a value for. */
export function overlayPaint(overlays: IOverlays, metric: IOverlayMetric): Map<string, IPaint> {
  const paint = new Map<string, IPaint>();
  const p = palette(overlays);
  if (p === null) {
    return paint;
  }
  for (const [id, value] of Object.entries(metric.values ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value)) {
      const fill = colorAt(overlayPosition(value, metric), p.stops);
      paint.set(id, { fill, ink: inkFor(fill, p.ink) });
    }
  }
  return paint;
}

/** A metric's value as the legend and inspector write it. */
export function formatMetricValue(value: number, unit: IOverlayMetric['unit']): string {
  switch (unit) {
    case 'share':
      return `${formatNumber(Math.round(value * 1000) / 10)} %`;
    case 'bytes':
      return formatBytes(value);
    case 'count':
      return formatShort(value);
    default:
      return formatNumber(value);
  }
}

/** 1234 → "1.23 K", 3.8e9 → "3.8 G"; exact below 10,000. */
export function formatShort(n: number): string {
  const a = Math.abs(n);
  if (a < 10_000) {
    return formatCount(Math.round(n));
  }
  for (const [size, suffix] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K']
  ] as Array<[number, string]>) {
    if (a >= size) {
      return `${(n / size).toPrecision(3).replace(/\.?0+$/, '')} ${suffix}`;
    }
  }
  return String(n);
}

/** Bytes in B, KB, MB, GB (powers of 1,024, as memory is counted). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toPrecision(3).replace(/\.?0+$/, '')} ${units[i]}`;
}

/** The legend of an overlay: its label, the colour bar, the range, the scale. */
export function overlayLegend(overlays: IOverlays, metric: IOverlayMetric): HTMLElement {
  const legend = h('div', 'kv-overlay-legend');
  legend.setAttribute('aria-label', `Overlay legend: ${metric.label}`);
  legend.append(h('span', 'kv-overlay-label', metric.label));
  const p = palette(overlays);
  if (metric.min === null || metric.max === null || p === null) {
    legend.append(h('span', 'kv-hint', 'no layer has a value'));
    return legend;
  }
  const bar = h('span', 'kv-overlay-bar');
  // the stops were checked to be #rrggbb: nothing else reaches the style
  bar.style.setProperty('background-image', `linear-gradient(to right, ${p.stops.join(', ')})`);
  legend.append(
    h('span', 'kv-overlay-min', formatMetricValue(metric.min, metric.unit)),
    bar,
    h('span', 'kv-overlay-max', formatMetricValue(metric.max, metric.unit))
  );
  if (metric.scale === 'log') {
    legend.append(h('span', 'kv-hint', 'log scale'));
  }
  const missing = Object.keys(metric.reasons ?? {}).length;
  if (missing > 0) {
    legend.append(h('span', 'kv-hint kv-overlay-missing', `${missing} without a value (faded)`));
  }
  return legend;
}

/** The metric of `key` in the payload, or null. */
export function findMetric(
  overlays: IOverlays | undefined,
  key: string | null
): IOverlayMetric | null {
  if (!overlays || key === null) {
    return null;
  }
  return overlays.metrics.find(m => m.key === key) ?? null;
}
