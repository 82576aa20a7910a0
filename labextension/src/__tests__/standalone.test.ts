// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';

import {
  APP_ID,
  DARK_CLASS,
  FOOTER_CLASS,
  isDark,
  LIGHT_CLASS,
  mountStandalone,
  PAYLOAD_ID,
  setDark
} from '../standalone';
import { loadPayload } from './helpers';

/** The body of a standalone page (as kerasviz/export/html.py writes it). */
function page(payloadText: string | null): void {
  document.body.className = '';
  document.body.replaceChildren();
  const app = document.createElement('main');
  app.id = APP_ID;
  app.textContent = 'This kerasviz graph needs JavaScript.';
  const footer = document.createElement('footer');
  footer.className = FOOTER_CLASS;
  document.body.append(app, footer);
  if (payloadText !== null) {
    const script = document.createElement('script');
    script.type = 'application/json';
    script.id = PAYLOAD_ID;
    script.textContent = payloadText;
    document.body.append(script);
  }
}

/** JSON escaped as Python's json_for_script writes it. */
function escaped(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

afterEach(() => {
  document.body.replaceChildren();
  document.body.className = '';
});

describe('mountStandalone', () => {
  it('draws the escaped payload with the names as text', () => {
    page(escaped(loadPayload('xss')));
    const view = mountStandalone(document);
    expect(view).not.toBeNull();
    const app = document.getElementById(APP_ID)!;
    expect(app.querySelector('.kv-root')).not.toBeNull();
    expect(app.textContent).not.toContain('needs JavaScript');
    expect(app.querySelector('.kv-model-name')?.textContent).toBe('<svg onload=alert(3)>');
    expect(document.querySelectorAll('img, svg, b').length).toBe(0);
    view!.select('<img src=x onerror=alert(1)>');
    expect(view!.selected).toBe('<img src=x onerror=alert(1)>');
    view!.dispose();
  });

  it('says why when the payload cannot be shown', () => {
    page('{"kerasviz_view": 99}');
    expect(mountStandalone(document)).toBeNull();
    expect(document.querySelector('.kv-note-error')?.textContent).toMatch(/version 99/);
    page('not json');
    expect(mountStandalone(document)).toBeNull();
    expect(document.querySelector('.kv-note-error')?.textContent).toMatch(/not JSON/);
    page(null);
    expect(mountStandalone(document)).toBeNull();
    expect(document.querySelector('.kv-note-error')?.textContent).toMatch(/no view payload/);
  });

  it('adds a theme switch that forces dark and light', () => {
    page(escaped(loadPayload('toy')));
    const view = mountStandalone(document);
    const toggle = document.querySelector<HTMLButtonElement>('.kv-theme-switch')!;
    const startDark = isDark(document);
    toggle.click();
    expect(isDark(document)).toBe(!startDark);
    expect(document.body.classList.contains(startDark ? LIGHT_CLASS : DARK_CLASS)).toBe(true);
    expect(toggle.getAttribute('aria-pressed')).toBe(String(!startDark));
    setDark(true, document);
    expect(isDark(document)).toBe(true);
    setDark(false, document);
    expect(isDark(document)).toBe(false);
    view?.dispose();
  });
});
