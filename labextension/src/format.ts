/**
 * Text formatting the Keras way: shapes as `(None, 64)`, counts as `25,636,712`,
 * config values as Python literals. Pure functions, no DOM.
 */

import { API_LABELS } from './contract';
import type { Shape } from './types';

/**
 * Keras-style text of one shape: `(None, 100, 512)`; null dims become `None`,
 * one dimension is written as a Python tuple `(None,)`, an unknown shape `?`.
 */
export function formatShape(shape: Shape | null | undefined): string {
  if (shape === null || shape === undefined) {
    return '?';
  }
  const dims = shape.map(d => (d === null ? 'None' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/**
 * Text of several shapes: one shape alone as `(None, 64)`, several as a list
 * `[(None, 1), (None, 2)]` (as `model.summary()` prints them), none as "".
 */
export function formatShapes(shapes: ReadonlyArray<Shape | null>): string {
  if (shapes.length === 0) {
    return '';
  }
  if (shapes.length === 1) {
    return formatShape(shapes[0]);
  }
  return `[${shapes.map(formatShape).join(', ')}]`;
}

/** An integer with thousands separators: 25636712 -> `25,636,712`. */
export function formatCount(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.trunc(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A statistic (mean, std, ...) in at most 4 significant digits. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) {
    return String(x);
  }
  if (x === 0) {
    return '0';
  }
  const abs = Math.abs(x);
  if (abs >= 1e5 || abs < 1e-3) {
    return x.toExponential(3);
  }
  return String(Number(x.toPrecision(4)));
}

/** How the model was written, for the header (contract.json's `api_labels`). */
export function apiLabel(api: string): string {
  return API_LABELS[api] ?? api;
}

/**
 * A JSON config value written as a Python literal (`None`, `True`, `'relu'`,
 * `[3, 3]`, `{'seed': None}`), as Keras users read configs. Iterative, so a deep
 * value cannot overflow the stack; output is capped at `maxLength` characters.
 */
export function formatValue(value: unknown, maxLength = 2000): string {
  const out: string[] = [];
  let length = 0;
  // The stack holds values to write, or literal text (wrapped) between them.
  const stack: Array<{ text: string } | { value: unknown }> = [{ value }];
  while (stack.length > 0 && length <= maxLength) {
    const item = stack.pop()!;
    let piece: string;
    if ('text' in item) {
      piece = item.text;
    } else {
      const v = item.value;
      if (v === null || v === undefined) {
        piece = 'None';
      } else if (typeof v === 'boolean') {
        piece = v ? 'True' : 'False';
      } else if (typeof v === 'number') {
        piece = String(v);
      } else if (typeof v === 'string') {
        piece = `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      } else if (Array.isArray(v)) {
        const parts: Array<{ text: string } | { value: unknown }> = [{ text: '[' }];
        v.forEach((x, i) => {
          if (i > 0) {
            parts.push({ text: ', ' });
          }
          parts.push({ value: x });
        });
        parts.push({ text: ']' });
        stack.push(...parts.reverse());
        continue;
      } else if (typeof v === 'object') {
        const parts: Array<{ text: string } | { value: unknown }> = [{ text: '{' }];
        Object.entries(v as Record<string, unknown>).forEach(([k, x], i) => {
          parts.push({ text: `${i > 0 ? ', ' : ''}'${k}': ` });
          parts.push({ value: x });
        });
        parts.push({ text: '}' });
        stack.push(...parts.reverse());
        continue;
      } else {
        piece = String(v);
      }
    }
    out.push(piece);
    length += piece.length;
  }
  const text = out.join('');
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}

/**
 * The activation of a layer from its full config: a name (`'relu'`), or the
 * class name of a serialized activation object; null when it has none.
 */
export function activationName(config: Record<string, unknown> | null): string | null {
  if (!config || !('activation' in config)) {
    return null;
  }
  const a = config.activation;
  if (typeof a === 'string') {
    return a;
  }
  if (a && typeof a === 'object') {
    const o = a as Record<string, unknown>;
    const name = o.registered_name ?? o.class_name ?? (o.config as any)?.name;
    return typeof name === 'string' ? name : formatValue(a, 80);
  }
  return a === null || a === undefined ? null : formatValue(a, 80);
}
