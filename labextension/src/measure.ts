/**
 * Node sizes from their labels, measured once per label with a canvas.
 *
 * Cytoscape's own `width: label` sizing is deprecated, and in 3.35 it caches
 * "takes up no space" for a node asked before its label was measured: such nodes
 * are never drawn. So a stylesheet's `label` sizes are replaced by data fields
 * that the renderer fills in from these measurements.
 */

import type { IStyleRule } from './types';

/** Node data field holding the label width (replaces `width: label`). */
export const LABEL_WIDTH = 'kvLabelWidth';

/** Node data field holding the label height (replaces `height: label`). */
export const LABEL_HEIGHT = 'kvLabelHeight';

/** The font a stylesheet gives node labels. */
export interface ILabelFont {
  /** Size in px. */
  size: number;
  /** CSS font family list. */
  family: string;
  /** CSS font weight. */
  weight: string;
}

/**
 * Replace `label` widths and heights by `data(...)` mappers; returns the new
 * rules and the node font (from the first plain `node` rule), or null for the
 * font when nothing needed replacing.
 */
export function replaceLabelSizing(rules: ReadonlyArray<IStyleRule>): {
  rules: IStyleRule[];
  font: ILabelFont | null;
} {
  let used = false;
  const out = rules.map(rule => {
    const style = { ...rule.style };
    if (style.width === 'label') {
      style.width = `data(${LABEL_WIDTH})`;
      used = true;
    }
    if (style.height === 'label') {
      style.height = `data(${LABEL_HEIGHT})`;
      used = true;
    }
    return { selector: rule.selector, style };
  });
  if (!used) {
    return { rules: out, font: null };
  }
  const base = rules.find(r => r.selector.trim() === 'node')?.style ?? {};
  const size = parseFloat(String(base['font-size'] ?? 16));
  return {
    rules: out,
    font: {
      size: Number.isFinite(size) ? size : 16,
      family: String(base['font-family'] ?? 'sans-serif'),
      weight: String(base['font-weight'] ?? 'normal')
    }
  };
}

/** Measures label text the way cytoscape does (widest line x lines * size). */
export class LabelMeasurer {
  /** A measurer for one font. */
  constructor(font: ILabelFont) {
    this._font = font;
    const canvas = typeof document !== 'undefined' ? document.createElement('canvas') : null;
    this._context = canvas?.getContext?.('2d') ?? null;
  }

  /** Width and height of a (multi-line) label; `bold` for emphasised nodes. */
  measure(label: string, bold = false): { w: number; h: number } {
    const key = `${bold ? 'b' : 'n'}${label}`;
    const hit = this._cache.get(key);
    if (hit) {
      return hit;
    }
    const lines = label.split('\n');
    let w = 0;
    for (const line of lines) {
      w = Math.max(w, this._lineWidth(line, bold));
    }
    const size = { w: Math.max(w, 1), h: Math.max(lines.length * this._font.size, 1) };
    this._cache.set(key, size);
    return size;
  }

  /**
   * One line's width, measured once per line: labels are `name\nClassName`, so
   * the class lines of a 10,000-layer model are a handful of texts.
   */
  private _lineWidth(line: string, bold: boolean): number {
    const key = `${bold ? 'b' : 'n'}${line}`;
    const hit = this._lines.get(key);
    if (hit !== undefined) {
      return hit;
    }
    const f = this._font;
    const c = this._context;
    let width: number;
    if (c) {
      const font = `${bold ? 'bold' : f.weight} ${f.size}px ${f.family}`;
      if (font !== this._contextFont) {
        c.font = font; // parsed on every set: set only when it changes
        this._contextFont = font;
      }
      width = Math.ceil(c.measureText(line).width);
    } else {
      width = Math.ceil(line.length * f.size * 0.6);
    }
    this._lines.set(key, width);
    return width;
  }

  private _font: ILabelFont;
  private _context: CanvasRenderingContext2D | null;
  private _cache = new Map<string, { w: number; h: number }>();
  private _lines = new Map<string, number>();
  private _contextFont = '';
}
