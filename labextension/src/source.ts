/**
 * Links from a layer to the line that built it: "built at cell [4], line 7".
 * In JupyterLab and Notebook 7 a click scrolls the notebook to that cell's line
 * and flashes it; elsewhere (a standalone page, a cell no longer shown, a cell
 * re-run under another number) the line stays as text and the link says why.
 */

import { h } from './dom';
import type { ISource } from './types';

/** Class of the line flashed in the notebook's editor. */
export const FLASH_CLASS = 'kv-source-flash';

/** How long the flash lasts. */
export const FLASH_MS = 2500;

/** "cell [4], line 7" (or "line 7" outside a cell). */
export function describeSource(source: ISource): string {
  return source.cell !== null && source.cell !== undefined
    ? `cell [${source.cell}], line ${source.line}`
    : `line ${source.line}`;
}

/**
 * The editor line of `source` in the page's notebook: the cell whose input
 * prompt reads `[N]:` (JupyterLab 4 and Notebook 7 draw it so), then the line
 * of its CodeMirror 6 editor. Null when there is no such cell in the page.
 */
export function findSourceLine(source: ISource, root: ParentNode = document): HTMLElement | null {
  if (source.cell === null || source.cell === undefined) {
    return null;
  }
  const wanted = `[${source.cell}]`;
  for (const prompt of root.querySelectorAll<HTMLElement>('.jp-CodeCell .jp-InputPrompt')) {
    if ((prompt.textContent ?? '').replace(/\s|:/g, '') !== wanted) {
      continue;
    }
    const cell = prompt.closest('.jp-CodeCell');
    const lines = cell?.querySelectorAll<HTMLElement>('.jp-InputArea .cm-content .cm-line');
    if (lines && lines.length >= source.line) {
      return lines[source.line - 1];
    }
  }
  return null;
}

/** Scroll to the line and flash it; false when it is not in the page. */
export function goToSource(source: ISource, root: ParentNode = document): boolean {
  const line = findSourceLine(source, root);
  if (line === null) {
    return false;
  }
  line.scrollIntoView({ block: 'center', behavior: 'smooth' });
  line.classList.add(FLASH_CLASS);
  setTimeout(() => line.classList.remove(FLASH_CLASS), FLASH_MS);
  return true;
}

/**
 * The inspector's "Built at" entry: one row per source line, the place a button
 * (goes to the line) and the code as text.
 */
export function sourceList(sources: ReadonlyArray<ISource>): HTMLElement {
  const list = h('div', 'kv-sources');
  for (const source of sources) {
    const row = h('div', 'kv-source');
    const link = h('button', 'kv-source-link', `Built at ${describeSource(source)}`);
    link.type = 'button';
    link.title = 'Show this line in the notebook';
    const status = h('span', 'kv-source-status');
    link.addEventListener('click', () => {
      status.textContent = goToSource(source)
        ? ''
        : source.cell === null || source.cell === undefined
          ? ' (not a notebook cell)'
          : ` (cell [${source.cell}] is not in this page, or was run again)`;
    });
    row.append(link, status, h('code', 'kv-source-code', source.code.trim()));
    list.append(row);
  }
  return list;
}
