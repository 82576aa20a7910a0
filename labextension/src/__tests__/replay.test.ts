// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { buildElements } from '../elements';
import { findSourceLine, goToSource, sourceList } from '../source';
import { PLAY_STEP_MS, ReplayView, validateReplay } from '../replayview';
import type { IReplayPayload, IViewPayload } from '../types';
import { ViewGraph } from '../viewgraph';
import widget from '../widget';
import { fakeLiveModel, nodesOf } from './helpers';

function loadReplay(): IReplayPayload {
  const path = join(__dirname, 'fixtures', 'replay.json');
  return JSON.parse(readFileSync(path, 'utf-8')) as IReplayPayload;
}

const current = (root: HTMLElement) =>
  [...root.querySelectorAll('.kv-replay-line')].findIndex(l =>
    l.classList.contains('kv-replay-current')
  ) + 1;

afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe('validateReplay', () => {
  it('accepts the fixture and refuses other versions and broken steps', () => {
    const p = loadReplay();
    expect(validateReplay(p).ok).toBe(true);
    const v2 = validateReplay({ ...p, kerasviz_replay: 2 });
    expect(v2.ok).toBe(false);
    expect(!v2.ok && v2.message).toMatch(/version 2/);
    const broken = { ...p, steps: [{ ...p.steps[0], view: { kerasviz_view: 9 } }] };
    const refused = validateReplay(broken);
    expect(!refused.ok && refused.message).toMatch(/step 1/);
    expect(validateReplay(null).ok).toBe(false);
  });
});

describe('ReplayView', () => {
  it('starts at the payload start, and the buttons, slider and keys move the line', () => {
    const p = loadReplay();
    const onStep = vi.fn();
    const view = new ReplayView({ ...p, start: 0 }, { onStep });
    document.body.append(view.node);
    const root = view.node;
    expect(view.index).toBe(0);
    expect(current(root)).toBe(p.steps[0].line);
    const status = root.querySelector('.kv-replay-status')!.textContent!;
    expect(status).toContain(`Step 1 of ${p.steps.length}`);
    const [first, back, , next, last] = root.querySelectorAll<HTMLButtonElement>('.kv-replay-btn');
    expect(first.disabled && back.disabled).toBe(true);
    next.click();
    expect(view.index).toBe(1);
    expect(onStep).toHaveBeenLastCalledWith(1);
    expect(current(root)).toBe(p.steps[1].line);
    // lines above the current one are done
    expect(root.querySelectorAll('.kv-replay-done').length).toBe(p.steps[1].line! - 1);
    root.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    expect(view.index).toBe(2);
    const slider = root.querySelector<HTMLInputElement>('.kv-replay-slider')!;
    slider.value = '0';
    slider.dispatchEvent(new Event('input'));
    expect(view.index).toBe(0);
    last.click();
    const end = p.steps.length - 1;
    expect(view.index).toBe(end);
    // the last step is the failure: its line is red and the view explains it
    expect(root.querySelector('.kv-replay-current')!.classList).toContain('kv-replay-error');
    expect(root.querySelector('.kv-explained-message')!.textContent).toMatch(/shapes must match/);
    view.show(1); // the kernel moves it: the host is not told again
    expect(onStep).toHaveBeenCalledTimes(4);
    expect(view.index).toBe(1);
    view.dispose();
  });

  it('plays to the end and stops', () => {
    vi.useFakeTimers();
    const p = loadReplay();
    const view = new ReplayView({ ...p, start: p.steps.length - 1 });
    view.toggle(); // at the end: plays from the start
    expect(view.index).toBe(0);
    expect(view.playing).toBe(true);
    vi.advanceTimersByTime(PLAY_STEP_MS * (p.steps.length + 1));
    expect(view.index).toBe(p.steps.length - 1);
    expect(view.playing).toBe(false);
    view.dispose();
  });

  it('draws names and source as text only', () => {
    const p = loadReplay();
    const view = new ReplayView(p);
    document.body.append(view.node);
    expect(view.node.querySelector('img')).toBeNull();
    expect(view.node.textContent).toContain('<img src=x onerror=alert(1)>');
    view.dispose();
  });
});

describe('marks', () => {
  it('give new and failed nodes, and the edges into them, their classes', () => {
    const p = loadReplay();
    const second = p.steps[1].view as IViewPayload;
    const nodes = nodesOf(buildElements(new ViewGraph(second), new Set()));
    expect(nodes.get('<img src=x onerror=alert(1)>')!.classes).toContain('kv-mark-new');
    expect(nodes.get('pixels')!.classes).not.toContain('kv-mark-new');
    const failedView = p.steps[p.steps.length - 1].view as IViewPayload;
    const elements = buildElements(new ViewGraph(failedView), new Set());
    expect(nodesOf(elements).get('add')!.classes).toContain('kv-mark-failed');
    const into = elements.filter(
      e => e.group === 'edges' && (e.data as { target?: string }).target === 'add'
    );
    expect(into).toHaveLength(2);
    expect(into.every(e => e.classes.includes('kv-mark-failed'))).toBe(true);
  });
});

describe('the replay widget', () => {
  it('keeps step in sync both ways', async () => {
    const p = loadReplay();
    const { model, emit, traits } = fakeLiveModel({ data: p, step: 0 });
    const el = document.createElement('div');
    document.body.append(el);
    const cleanup = await widget.render({ model, el });
    const root = el.querySelector('.kv-replay') as HTMLElement & { kvReplay?: ReplayView };
    expect(root.kvReplay!.index).toBe(0);
    root.querySelectorAll<HTMLButtonElement>('.kv-replay-btn')[3].click();
    expect(traits.step).toBe(1);
    traits.step = 3;
    emit('change:step');
    expect(root.kvReplay!.index).toBe(3);
    cleanup();
    expect(el.children).toHaveLength(0);
  });
});

describe('source links', () => {
  function notebookCell(count: number, lines: string[]): HTMLElement {
    const cell = document.createElement('div');
    cell.className = 'jp-CodeCell';
    const area = document.createElement('div');
    area.className = 'jp-InputArea';
    const prompt = document.createElement('div');
    prompt.className = 'jp-InputPrompt';
    prompt.textContent = `[${count}]:`;
    const content = document.createElement('div');
    content.className = 'cm-content';
    for (const text of lines) {
      const line = document.createElement('div');
      line.className = 'cm-line';
      line.textContent = text;
      content.append(line);
    }
    area.append(prompt, content);
    cell.append(area);
    return cell;
  }

  it('find the cell by its prompt and flash the line', () => {
    vi.useFakeTimers();
    document.body.append(notebookCell(3, ['a']), notebookCell(4, ['%%kerasviz', 'x = 1', 'y']));
    const source = { cell: 4, line: 2, code: 'x = 1' };
    expect(findSourceLine(source)!.textContent).toBe('x = 1');
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    expect(goToSource(source)).toBe(true);
    expect(scrolled).toHaveBeenCalled();
    expect(findSourceLine(source)!.classList).toContain('kv-source-flash');
    vi.advanceTimersByTime(3000);
    expect(findSourceLine(source)!.classList).not.toContain('kv-source-flash');
    expect(goToSource({ cell: 9, line: 1, code: '' })).toBe(false);
    expect(findSourceLine({ cell: null, line: 1, code: '' })).toBeNull();
  });

  it('say why when the line is not in the page, and keep the code as text', () => {
    const list = sourceList([{ cell: 7, line: 2, code: 'x = <b>1</b>' }]);
    document.body.append(list);
    expect(list.querySelector('.kv-source-link')!.textContent).toBe('Built at cell [7], line 2');
    expect(list.querySelector('b')).toBeNull();
    list.querySelector<HTMLButtonElement>('.kv-source-link')!.click();
    expect(list.querySelector('.kv-source-status')!.textContent).toMatch(/not in this page/);
  });
});
