/**
 * The payload's cytoscape stylesheet holds `var(--jp-...)` values; canvas drawing
 * cannot read CSS variables, so they are resolved against the host element's
 * computed style, and again when the JupyterLab theme changes.
 */

import type { IStyleRule } from './types';

/** Looks up a CSS custom property; "" when it is not set. */
export type VariableLookup = (name: string) => string;

/** Index of the `)` closing the `(` at `open`, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') {
      depth++;
    } else if (text[i] === ')') {
      depth--;
      if (depth === 0) {
        return i;
      }
    }
  }
  return -1;
}

/**
 * Replace every `var(--name[, fallback])` in a value by the variable's value, or
 * else its fallback (itself resolved). Null when a variable has neither.
 */
export function resolveValue(value: string, lookup: VariableLookup): string | null {
  let text = value;
  // Innermost first, so a var() inside a fallback is resolved before its owner.
  for (let guard = 0; guard < 64; guard++) {
    const start = text.lastIndexOf('var(');
    if (start < 0) {
      return text.trim();
    }
    const end = closingParen(text, start + 3);
    if (end < 0) {
      return null;
    }
    const inner = text.slice(start + 4, end);
    const comma = inner.indexOf(',');
    const name = (comma < 0 ? inner : inner.slice(0, comma)).trim();
    const fallback = comma < 0 ? null : inner.slice(comma + 1).trim();
    const found = lookup(name).trim();
    const replacement = found !== '' ? found : fallback;
    if (replacement === null || replacement === '') {
      return null;
    }
    text = text.slice(0, start) + replacement + text.slice(end + 1);
  }
  return null;
}

/**
 * A copy of the stylesheet with CSS variables resolved; properties that cannot
 * be resolved are left out (cytoscape then uses its default).
 */
export function resolveStylesheet(
  rules: ReadonlyArray<IStyleRule>,
  lookup: VariableLookup
): IStyleRule[] {
  return rules.map(rule => {
    const style: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(rule.style ?? {})) {
      if (typeof value !== 'string') {
        style[key] = value;
        continue;
      }
      let resolved = value.includes('var(') ? resolveValue(value, lookup) : value;
      if (resolved !== null && key === 'font-family') {
        // Cytoscape accepts double-quoted family names only; CSS (and
        // --jp-ui-font-family) often single-quotes them.
        resolved = resolved.replace(/'/g, '"');
      }
      if (resolved !== null) {
        style[key] = resolved;
      }
    }
    return { selector: rule.selector, style };
  });
}

/** The class the renderer gives the selected node (its own selection, see below). */
export const SELECTED_CLASS = 'kv-selected';

/**
 * Point `:selected` rules at the `kv-selected` class. The payload's stylesheet is
 * plain cytoscape (ipycytoscape uses it with cytoscape's own selection); the
 * renderer turns cytoscape's selection off (`autounselectify`) and keeps the class
 * itself, which spares each click two passes over every element.
 */
export function ownSelection(rules: ReadonlyArray<IStyleRule>): IStyleRule[] {
  return rules.map(rule =>
    rule.selector.includes(':selected')
      ? { ...rule, selector: rule.selector.replace(/:selected\b/g, `.${SELECTED_CLASS}`) }
      : rule
  );
}

/** A lookup reading custom properties from an element's computed style. */
export function computedLookup(element: Element): VariableLookup {
  const computed = getComputedStyle(element);
  return name => computed.getPropertyValue(name);
}

/**
 * Call `onChange` when JupyterLab switches theme (it sets
 * `data-jp-theme-light` / `data-jp-theme-name` on `document.body`). Returns a
 * function that stops watching.
 */
export function watchTheme(onChange: () => void): () => void {
  if (typeof MutationObserver === 'undefined' || !document.body) {
    return () => undefined;
  }
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name', 'class', 'style']
  });
  return () => observer.disconnect();
}

/**
 * Used when a payload carries no stylesheet: legible in light and dark themes.
 * Python's stylesheet (colours per layer family) normally replaces it.
 */
export const FALLBACK_STYLESHEET: IStyleRule[] = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 11,
      'font-family': 'var(--jp-ui-font-family, sans-serif)',
      color: 'var(--jp-ui-font-color1, #1f1f1f)',
      shape: 'round-rectangle',
      width: 150,
      height: 40,
      'background-color': 'var(--jp-layout-color2, #eeeeee)',
      'border-width': 1,
      'border-color': 'var(--jp-border-color1, #9e9e9e)'
    }
  },
  {
    selector: 'node.kv-container',
    style: {
      'text-valign': 'top',
      'background-opacity': 0.08,
      'border-style': 'dashed',
      padding: 12
    }
  },
  { selector: 'node.kv-collapsed', style: { 'border-style': 'dashed', 'border-width': 2 } },
  {
    selector: 'node:selected',
    style: { 'border-width': 3, 'border-color': 'var(--jp-brand-color1, #1976d2)' }
  },
  { selector: 'node.kv-match', style: { 'border-width': 3, 'border-color': '#f9a825' } },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      'line-color': 'var(--jp-border-color1, #9e9e9e)',
      'target-arrow-color': 'var(--jp-border-color1, #9e9e9e)'
    }
  },
  {
    selector: 'edge.kv-shapes',
    style: {
      label: 'data(shape)',
      'font-size': 9,
      color: 'var(--jp-ui-font-color2, #555555)',
      'text-background-color': 'var(--jp-layout-color0, #ffffff)',
      'text-background-opacity': 0.8
    }
  }
];
