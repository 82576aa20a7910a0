/**
 * The payload's cytoscape stylesheet (made by kerasviz/style.py, the one owner of
 * the look) holds `var(--jp-...)` values; canvas drawing cannot read CSS
 * variables, so they are resolved against the host element's computed style, and
 * again when the JupyterLab theme changes. No rules or colours of its own here.
 */

import defaultStylesheet from './default_stylesheet.json';
import type { IStyleRule, IViewPayload } from './types';

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
 * What a payload that carries no stylesheet is drawn with: kerasviz/style.py's
 * stylesheet as of this build (default_stylesheet.json, written by
 * `python labextension/scripts/make_fixtures.py`; tests/test_contract.py fails when the copy differs).
 * The look has one owner, style.py: this file only resolves its variables.
 */
export const DEFAULT_STYLESHEET: ReadonlyArray<IStyleRule> =
  defaultStylesheet as unknown as IStyleRule[];

/** The stylesheet to draw a payload with: its own, or DEFAULT_STYLESHEET. */
export function payloadStylesheet(payload: IViewPayload): ReadonlyArray<IStyleRule> {
  const sheet = payload.style?.stylesheet;
  return Array.isArray(sheet) && sheet.length > 0 ? sheet : DEFAULT_STYLESHEET;
}
