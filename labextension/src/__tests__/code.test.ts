// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';

import { codePanel, COPIED_MS, tokenize, type TokenKind } from '../code';

const EVIL = '<img src=x onerror="window.__kvPwned=1">';

/** The non-plain tokens of `source` as [kind, text] pairs. */
function marked(source: string): Array<[TokenKind, string]> {
  return tokenize(source)
    .filter(t => t.kind !== 'plain')
    .map(t => [t.kind, t.text]);
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  document.body.textContent = '';
});

describe('tokenize', () => {
  it('gives the source back, every character once', () => {
    const sources = [
      'import keras\nfrom keras import layers\n',
      'x = f"{a!r}" + rb\'\\x00\' # done\n',
      '"""doc\nstring"""\n@dec.orator\ndef f(a, *b, **c) -> None:\n    return a ** 2\n',
      "s = 'unterminated\nnext = 1\n",
      'ünïcode_name = 1.5e-3j + 0x_ff + .5'
    ];
    for (const source of sources) {
      expect(
        tokenize(source)
          .map(t => t.text)
          .join('')
      ).toBe(source);
    }
  });

  it('finds keywords, builtins, numbers, comments and operators', () => {
    expect(marked('import keras  # the API\nx = len(y) + 3.5e2')).toEqual([
      ['keyword', 'import'],
      ['comment', '# the API'],
      ['operator', '='],
      ['builtin', 'len'],
      ['operator', '+'],
      ['number', '3.5e2']
    ]);
    expect(marked('if a is not None: pass')).toEqual([
      ['keyword', 'if'],
      ['keyword', 'is'],
      ['keyword', 'not'],
      ['keyword', 'None'],
      ['keyword', 'pass']
    ]);
    // a name that starts like a keyword or a number is a name
    expect(marked('important = x1 + classy')).toEqual([
      ['operator', '='],
      ['operator', '+']
    ]);
  });

  it('reads strings whole: prefixes, escapes, triple quotes over lines', () => {
    expect(marked('a = "say \\"hi\\""')).toEqual([
      ['operator', '='],
      ['string', '"say \\"hi\\""']
    ]);
    expect(marked("b = rb'\\d+' + f'{x}'")).toEqual([
      ['operator', '='],
      ['string', "rb'\\d+'"],
      ['operator', '+'],
      ['string', "f'{x}'"]
    ]);
    const triple = '"""one # not a comment\ntwo \' three"""';
    expect(marked(`doc = ${triple}\n`)).toEqual([
      ['operator', '='],
      ['string', triple]
    ]);
    // an unterminated one-line string stops at its line's end
    expect(marked("s = 'open\nx = 1")).toEqual([
      ['operator', '='],
      ['string', "'open"],
      ['operator', '='],
      ['number', '1']
    ]);
  });

  it('marks decorators at the start of a line and the names def and class define', () => {
    expect(
      marked('@keras.saving.register\nclass Block(layers.Layer):\n  def call(self, x):')
    ).toEqual([
      ['decorator', '@keras.saving.register'],
      ['keyword', 'class'],
      ['def', 'Block'],
      ['keyword', 'def'],
      ['def', 'call'],
      ['builtin', 'self']
    ]);
    // `@` between operands is matrix multiplication, not a decorator
    expect(marked('y = a @ b')).toEqual([
      ['operator', '='],
      ['operator', '@']
    ]);
  });
});

describe('codePanel', () => {
  it('puts every token in as text, with a class per kind', () => {
    const source = `model = keras.Sequential(name='${EVIL}')  # ${EVIL}`;
    const panel = codePanel(source, `Sequential API ${EVIL}`);
    document.body.append(panel);
    expect(panel.querySelector('pre.kv-cmp-code')!.textContent).toBe(source);
    expect(panel.querySelector('.kv-code-title')!.textContent).toBe(`Sequential API ${EVIL}`);
    expect(panel.querySelector('.kv-tok-string')!.textContent).toBe(`'${EVIL}'`);
    expect(panel.querySelector('.kv-tok-comment')!.textContent).toBe(`# ${EVIL}`);
    expect(panel.querySelector('img')).toBeNull();
  });

  it('copies the code, says so, and falls back to a textarea', async () => {
    vi.useFakeTimers();
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal('navigator', { clipboard: { writeText } });
    const panel = codePanel('x = 1\n', 'T');
    document.body.append(panel);
    const copy = panel.querySelector('button.kv-code-copy') as HTMLButtonElement;
    expect(copy.textContent).toBe('Copy');
    copy.click();
    await vi.waitFor(() => expect(copy.textContent).toBe('Copied'));
    expect(writeText).toHaveBeenCalledWith('x = 1\n');
    vi.advanceTimersByTime(COPIED_MS + 1);
    expect(copy.textContent).toBe('Copy');

    // no Clipboard API: a selected textarea and execCommand('copy'), then removed
    vi.stubGlobal('navigator', {});
    const copied: string[] = [];
    document.execCommand = ((command: string) => {
      const area = document.querySelector('textarea.kv-code-clipboard') as HTMLTextAreaElement;
      copied.push(`${command}:${area.value}`);
      return true;
    }) as typeof document.execCommand;
    copy.click();
    await vi.waitFor(() => expect(copy.textContent).toBe('Copied'));
    expect(copied).toEqual(['copy:x = 1\n']);
    expect(document.querySelector('textarea')).toBeNull();

    // both refused: the button says it failed
    document.execCommand = (() => false) as typeof document.execCommand;
    vi.advanceTimersByTime(COPIED_MS + 1);
    copy.click();
    await vi.waitFor(() => expect(copy.textContent).toBe('Copy failed'));
  });
});
