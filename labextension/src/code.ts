/**
 * Code panels: Python source with syntax highlighting and a Copy button, for the
 * generated code of a comparison (live and saved alike). A small tokenizer of our
 * own; every token goes into the page as text (`textContent`), never as HTML.
 */

import { h } from './dom';

/** What a token is; `kv-tok-<kind>` is its class (plain text has none). */
export type TokenKind =
  | 'keyword'
  | 'builtin'
  | 'string'
  | 'comment'
  | 'number'
  | 'decorator'
  | 'def'
  | 'operator'
  | 'plain';

/** A run of source text and its kind. */
export interface IToken {
  kind: TokenKind;
  text: string;
}

/** How long the Copy button says "Copied". */
export const COPIED_MS = 1500;

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif ' +
    'else except finally for from global if import in is lambda nonlocal not or ' +
    'pass raise return try while with yield match case'
  ).split(' ')
);

const BUILTINS = new Set(
  (
    'abs all any bool bytes callable dict dir enumerate filter float format getattr ' +
    'hasattr hash id int isinstance issubclass iter len list map max min next object ' +
    'open print range repr reversed round set setattr slice sorted str sum super ' +
    'tuple type vars zip self cls'
  ).split(' ')
);

// Sticky patterns, tried in order at the current position.
const COMMENT = /#[^\n]*/y;
const STRING_START = /[rRbBuUfF]{0,2}("""|'''|"|')/y;
const NUMBER =
  /(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)/y;
const NAME = /[A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*/y;
const DECORATOR = /@[A-Za-z_][\w.]*/y;
const OPERATOR = /\*\*=?|\/\/=?|->|:=|[-+*/%@&|^~<>!=]=?|[<>]{2}=?/y;
const SPACE = /[ \t\f\r\n]+/y;

function matchAt(pattern: RegExp, source: string, at: number): string | null {
  pattern.lastIndex = at;
  const m = pattern.exec(source);
  return m !== null && m[0].length > 0 ? m[0] : null;
}

/** Where the string opened at `at` (after its prefix and `quote`) ends. */
function stringEnd(source: string, at: number, quote: string): number {
  let i = at;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (quote.length === 1 && c === '\n') {
      return i; // an unterminated one-line string stops at the line's end
    }
    if (source.startsWith(quote, i)) {
      return i + quote.length;
    }
    i++;
  }
  return source.length;
}

/** Is position `at` the first non-blank character of its line? */
function startsLine(source: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (source[i] === ' ' || source[i] === '\t')) {
    i--;
  }
  return i < 0 || source[i] === '\n';
}

/**
 * Split Python source into tokens: keywords, builtins, strings (triple-quoted and
 * prefixed too), comments, numbers, decorators, the names after `def`/`class`,
 * operators; everything else is plain. Joining the texts gives the source back.
 */
export function tokenize(source: string): IToken[] {
  const out: IToken[] = [];
  const push = (kind: TokenKind, text: string) => {
    const last = out[out.length - 1];
    if (last !== undefined && last.kind === kind) {
      last.text += text;
    } else {
      out.push({ kind, text });
    }
  };
  let i = 0;
  let afterDef = false;
  while (i < source.length) {
    const space = matchAt(SPACE, source, i);
    if (space !== null) {
      push('plain', space);
      i += space.length;
      continue;
    }
    const comment = matchAt(COMMENT, source, i);
    if (comment !== null) {
      push('comment', comment);
      i += comment.length;
      continue;
    }
    STRING_START.lastIndex = i;
    const opened = STRING_START.exec(source);
    if (opened !== null) {
      const end = stringEnd(source, i + opened[0].length, opened[1]);
      push('string', source.slice(i, end));
      i = end;
      afterDef = false;
      continue;
    }
    const name = matchAt(NAME, source, i);
    if (name !== null) {
      if (KEYWORDS.has(name)) {
        push('keyword', name);
        afterDef = name === 'def' || name === 'class';
      } else {
        push(afterDef ? 'def' : BUILTINS.has(name) ? 'builtin' : 'plain', name);
        afterDef = false;
      }
      i += name.length;
      continue;
    }
    afterDef = false;
    const number = matchAt(NUMBER, source, i);
    if (number !== null) {
      push('number', number);
      i += number.length;
      continue;
    }
    const decorator =
      source[i] === '@' && startsLine(source, i) ? matchAt(DECORATOR, source, i) : null;
    if (decorator !== null) {
      push('decorator', decorator);
      i += decorator.length;
      continue;
    }
    const operator = matchAt(OPERATOR, source, i);
    if (operator !== null) {
      push('operator', operator);
      i += operator.length;
      continue;
    }
    push('plain', source[i]);
    i++;
  }
  return out;
}

/** Fill `code` with the highlighted tokens of `source` (spans of text). */
export function highlightInto(code: HTMLElement, source: string): void {
  code.textContent = '';
  for (const token of tokenize(source)) {
    if (token.kind === 'plain') {
      code.append(document.createTextNode(token.text));
    } else {
      code.append(h('span', `kv-tok kv-tok-${token.kind}`, token.text));
    }
  }
}

/** Put `text` on the clipboard: the Clipboard API, else a selected textarea. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // no Clipboard API here (an insecure origin, a denied permission): fall back
  }
  const area = h('textarea', 'kv-code-clipboard');
  area.value = text;
  area.setAttribute('readonly', '');
  document.body.append(area);
  area.select();
  try {
    if (!document.execCommand('copy')) {
      throw new Error('the browser refused to copy');
    }
  } finally {
    area.remove();
  }
}

/**
 * A code panel (`.kv-code`): a bar with the title and a Copy button, and the
 * highlighted source in `pre.kv-cmp-code`, which scrolls sideways (never wraps).
 */
export function codePanel(source: string, title: string | null): HTMLElement {
  const panel = h('div', 'kv-code');
  const bar = h('div', 'kv-code-bar');
  bar.append(h('span', 'kv-code-title', title ?? ''));
  const copy = h('button', 'kv-button kv-code-copy', 'Copy');
  copy.type = 'button';
  copy.title = 'Copy the code to the clipboard';
  let timer: ReturnType<typeof setTimeout> | undefined;
  copy.addEventListener('click', () => {
    copyText(source).then(
      () => say('Copied'),
      () => say('Copy failed')
    );
  });
  const say = (text: string) => {
    copy.textContent = text;
    clearTimeout(timer);
    timer = setTimeout(() => {
      copy.textContent = 'Copy';
    }, COPIED_MS);
  };
  bar.append(copy);
  const pre = h('pre', 'kv-cmp-code');
  const code = h('code');
  highlightInto(code, source);
  pre.append(code);
  panel.append(bar, pre);
  return panel;
}
