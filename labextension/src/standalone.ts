/**
 * The entry of a standalone kerasviz HTML file (`kerasviz.save(model, "m.html")`):
 * bundled as an IIFE into kerasviz/static/standalone.js and inlined in the page
 * with the view payload, which sits in a `<script type="application/json">`
 * element (its `<`, `>` and `&` written as \u003c etc. by Python, so nothing in
 * a layer name can end the element). Reads and validates the payload, mounts the
 * same GraphView as the widget and the MIME renderer (no kernel: no weight
 * statistics, no activation runs) into the full-window container, and adds a
 * light / dark switch. No network: everything the page needs is in the file.
 */

import { button, h } from './dom';
import { GraphView } from './graphview';
import { validatePayload } from './validate';

/** Id of the `<script type="application/json">` element holding the view payload. */
export const PAYLOAD_ID = 'kv-payload';

/** Id of the element the graph view is built in. */
export const APP_ID = 'kv-app';

/** Class of the footer the theme switch goes into. */
export const FOOTER_CLASS = 'kv-page-footer';

/** Body classes forcing a theme; with neither, the system's (prefers-color-scheme). */
export const DARK_CLASS = 'kv-dark';
export const LIGHT_CLASS = 'kv-light';

/** The body class set while the system asks for dark (for the theme watcher). */
export const SYSTEM_DARK_CLASS = 'kv-system-dark';

const DARK_QUERY = '(prefers-color-scheme: dark)';

/** The page element carrying the view, for tests. */
export interface IStandaloneWindow extends Window {
  /** The graph view of the page (null when the payload could not be shown). */
  kvStandalone?: GraphView | null;
}

/** Is the page dark now (forced by the switch, or by the system)? */
export function isDark(doc: Document = document): boolean {
  const body = doc.body;
  if (body.classList.contains(DARK_CLASS)) {
    return true;
  }
  if (body.classList.contains(LIGHT_CLASS)) {
    return false;
  }
  return systemDark(doc);
}

function systemDark(doc: Document): boolean {
  const view = doc.defaultView;
  return !!view && typeof view.matchMedia === 'function' && view.matchMedia(DARK_QUERY).matches;
}

/**
 * Force the light or dark theme. The body's class changes, which the graph
 * view's theme watcher (theme.ts) sees: its canvas colours are resolved again.
 */
export function setDark(dark: boolean, doc: Document = document): void {
  doc.body.classList.toggle(DARK_CLASS, dark);
  doc.body.classList.toggle(LIGHT_CLASS, !dark);
}

/** The switch: a button naming the theme it switches to. */
function themeSwitch(doc: Document): HTMLButtonElement {
  const label = (b: HTMLButtonElement) => {
    const dark = isDark(doc);
    b.textContent = dark ? 'Light theme' : 'Dark theme';
    b.setAttribute('aria-pressed', String(dark));
  };
  const b = button('', 'kv-button kv-theme-switch', () => {
    setDark(!isDark(doc), doc);
    label(b);
  });
  b.title = 'Switch between the light and the dark theme';
  label(b);
  followSystem(doc, () => label(b));
  return b;
}

/**
 * Keep the body's {@link SYSTEM_DARK_CLASS} to the system's theme (the one rule
 * of standalone.css that sets the dark variables reads it; a class change on the
 * body also makes the canvas re-read its colours). `onChange` runs after each
 * change.
 */
function followSystem(doc: Document, onChange: () => void = () => undefined): void {
  const view = doc.defaultView;
  if (!view || typeof view.matchMedia !== 'function') {
    return;
  }
  const query = view.matchMedia(DARK_QUERY);
  doc.body.classList.toggle(SYSTEM_DARK_CLASS, query.matches);
  query.addEventListener?.('change', () => {
    doc.body.classList.toggle(SYSTEM_DARK_CLASS, query.matches);
    onChange();
  });
}

/**
 * Read the payload of the page, then show it: the graph view, or a message
 * saying why it cannot be shown. Returns the view (null: the message).
 */
export function mountStandalone(doc: Document = document): GraphView | null {
  const host = doc.getElementById(APP_ID) ?? doc.body;
  const source = doc.getElementById(PAYLOAD_ID);
  const footer = doc.querySelector(`.${FOOTER_CLASS}`);
  if (footer) {
    footer.append(themeSwitch(doc));
  } else {
    followSystem(doc);
  }
  const checked =
    source === null
      ? ({ ok: false, message: 'kerasviz: this page holds no graph (no view payload).' } as const)
      : validatePayload(source.textContent ?? '');
  host.replaceChildren();
  if (!checked.ok) {
    host.append(h('div', 'kv-root kv-note kv-note-error', checked.message));
    return null;
  }
  try {
    return new GraphView(host, checked.payload);
  } catch (error) {
    host.replaceChildren(
      h('div', 'kv-root kv-note kv-note-error', `kerasviz: could not draw this graph: ${error}`)
    );
    return null;
  }
}

function start(): void {
  (window as IStandaloneWindow).kvStandalone = mountStandalone(document);
}

if (typeof document !== 'undefined' && document.getElementById(PAYLOAD_ID) !== null) {
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start, { once: true });
  } else {
    start();
  }
}
