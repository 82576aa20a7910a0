// @vitest-environment happy-dom
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel, Widget } from '@lumino/widgets';
import { afterEach, describe, expect, it, vi } from 'vitest';

import extension, {
  CLASS_NAME,
  COMPARISON_MIME_TYPE,
  GraphOutput,
  MIME_TYPE,
  RANK,
  REPLAY_MIME_TYPE,
  rendererFactory
} from '../index';
import { LIVE_RETRY_FOR_MS, LIVE_RETRY_MS, LIVE_WAIT_MS, WIDGET_VIEW_MIME_TYPE } from '../live';
import { loadPayload } from './helpers';

const WIDGET_VIEW = { version_major: 2, version_minor: 1, model_id: 'abc123' };

/** A MIME model as JupyterLab's output area gives it. */
function mimeModel(data: Record<string, unknown>, trusted = false): IRenderMime.IMimeModel {
  return {
    trusted,
    data,
    metadata: {},
    setData: () => undefined
  } as unknown as IRenderMime.IMimeModel;
}

/** A renderer for the kerasviz MIME type, made by the factory. */
function makeOutput(): GraphOutput {
  return rendererFactory.createRenderer({
    mimeType: MIME_TYPE
  } as IRenderMime.IRendererOptions) as GraphOutput;
}

type Behaviour = 'widget' | 'missing' | 'restoring' | 'pending';

/**
 * A stand-in for the Jupyter widget renderer: shows a view element; says the
 * model is missing (text only); answers while its manager restores the widget
 * state (the view comes later, from `showView`); or has no manager yet and never
 * answers.
 */
class FakeWidgetRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly behaviour: Behaviour) {
    super();
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.rendered.push(model);
    this.node.textContent = 'Loading widget...';
    if (this.behaviour === 'pending') {
      return new Promise<void>(() => undefined);
    }
    if (this.behaviour === 'missing') {
      this.node.textContent = 'Error displaying widget: model not found';
      return Promise.resolve();
    }
    if (this.behaviour === 'restoring') {
      return Promise.resolve();
    }
    return Promise.resolve().then(() => this.showView());
  }

  /** What the widget manager does once the model is there. */
  showView(): void {
    this.node.textContent = '';
    const view = document.createElement('div');
    view.className = 'fake-widget-view';
    this.node.append(view);
  }

  rendered: IRenderMime.IMimeModel[] = [];
}

/** An output area: a panel with a `rendermime` that knows widget views. */
class FakeOutputArea extends Panel {
  constructor(
    public behaviour: Behaviour,
    widgetViews = true
  ) {
    super();
    this.rendermime = {
      mimeTypes: widgetViews
        ? [WIDGET_VIEW_MIME_TYPE, MIME_TYPE, 'text/plain']
        : [MIME_TYPE, 'text/plain'],
      createRenderer: (mimeType: string) => {
        expect(mimeType).toBe(WIDGET_VIEW_MIME_TYPE);
        const r = new FakeWidgetRenderer(this.behaviour);
        this.made.push(r);
        return r;
      }
    };
  }

  readonly rendermime: {
    mimeTypes: string[];
    createRenderer(mimeType: string): IRenderMime.IRenderer;
  };
  made: FakeWidgetRenderer[] = [];
}

/** Render `model` in an output area attached to the page, the way JupyterLab does. */
async function renderInArea(area: Panel, model: IRenderMime.IMimeModel): Promise<GraphOutput> {
  const output = makeOutput();
  await output.renderModel(model); // before attaching, as OutputArea does
  const child = new Panel(); // the prompt + output panel of one output
  child.addWidget(output);
  area.addWidget(child);
  Widget.attach(area, document.body);
  await flush();
  return output;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
}

function roots(output: Widget): number {
  return output.node.querySelectorAll('.kv-root').length;
}

afterEach(() => {
  vi.useRealTimers();
  document.body.textContent = '';
});

describe('the extension object', () => {
  it('registers a safe renderer for the kerasviz MIME type, ranked before widget views', () => {
    expect(MIME_TYPE).toBe('application/vnd.kerasviz.graph+json');
    expect(extension.id).toBe('kerasviz:mime');
    expect(extension.rendererFactory).toBe(rendererFactory);
    expect(extension.dataType).toBe('json');
    expect(rendererFactory.safe).toBe(true);
    expect(rendererFactory.mimeTypes).toEqual([MIME_TYPE, COMPARISON_MIME_TYPE, REPLAY_MIME_TYPE]);
    // jupyterlab-manager registers widget views at rank -10; text/html is 50
    expect(extension.rank).toBe(RANK);
    expect(RANK).toBeLessThan(-10);
    expect(rendererFactory.defaultRank).toBe(RANK);
    expect(makeOutput().hasClass(CLASS_NAME)).toBe(true);
  });
});

describe('a saved replay', () => {
  it('is drawn from its packed output with every step, no kernel needed', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const replay = JSON.parse(
      readFileSync(join(__dirname, 'fixtures', 'replay.json'), 'utf-8')
    ) as Record<string, unknown>;
    const output = rendererFactory.createRenderer({
      mimeType: REPLAY_MIME_TYPE
    } as IRenderMime.IRendererOptions) as GraphOutput;
    await output.renderModel(mimeModel({ [REPLAY_MIME_TYPE]: replay }));
    const root = output.node.querySelector('.kv-replay')!;
    expect(root).not.toBeNull();
    expect(root.querySelectorAll('.kv-replay-btn')).toHaveLength(5);
    expect(output.views).toHaveLength(1);
    await output.renderModel(mimeModel({ [REPLAY_MIME_TYPE]: { ...replay, kerasviz_replay: 5 } }));
    expect(output.node.querySelector('.kv-note-error')!.textContent).toMatch(/version 5/);
    output.dispose();
  });
});

describe('GraphOutput without a live widget', () => {
  it('draws the payload read-only: inspector without weight statistics', async () => {
    const output = makeOutput();
    await output.renderModel(mimeModel({ [MIME_TYPE]: loadPayload('seed') }));
    expect(roots(output)).toBe(1);
    const view = output.view!;
    expect(view).not.toBeNull();
    expect(output.live).toBeNull();
    expect(output.node.querySelector('.kv-model-name')!.textContent).toBe('seed_functional');
    view.select('lstm');
    const inspector = output.node.querySelector('.kv-inspector')!;
    expect(inspector.querySelector('.kv-title')!.textContent).toBe('lstm');
    expect(inspector.textContent).toContain('(None, 32)');
    expect(inspector.querySelector('.kv-stats-no-kernel')!.textContent).toContain(
      'need a running kernel'
    );
    expect([...output.node.querySelectorAll('button')].map(b => b.textContent)).not.toContain(
      'Weight statistics'
    );
    output.dispose();
    expect(output.node.querySelector('.kv-root')).toBeNull();
  });

  it('ignores the widget view of an untrusted output (never asks the widget renderer)', async () => {
    const area = new FakeOutputArea('widget');
    const output = await renderInArea(
      area,
      mimeModel({ [MIME_TYPE]: loadPayload('toy'), [WIDGET_VIEW_MIME_TYPE]: WIDGET_VIEW }, false)
    );
    expect(area.made).toHaveLength(0);
    expect(roots(output)).toBe(1);
    expect(output.view).not.toBeNull();
    area.dispose();
  });

  it('draws layer names from the payload as text, never as HTML', async () => {
    const output = makeOutput();
    await output.renderModel(mimeModel({ [MIME_TYPE]: loadPayload('xss') }));
    output.view!.select('<img src=x onerror=alert(1)>');
    expect(output.node.querySelector('img')).toBeNull();
    expect(output.node.querySelector('script')).toBeNull();
    expect(output.node.querySelector('.kv-title')!.textContent).toBe(
      '<img src=x onerror=alert(1)>'
    );
    output.dispose();
  });

  it('shows why a payload cannot be drawn, as text', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kerasviz_view: 99 }, /version 99, but this renderer reads version 1/],
      ['not json at all', /not JSON/],
      [{ kerasviz_view: 1 }, /no model graph/],
      [{ kerasviz_view: 1, graph: { version: 5 } }, /schema version 5/],
      [
        { kerasviz_view: '<img src=x onerror=alert(1)>' },
        /version "<img src=x onerror=alert\(1\)>"/
      ]
    ];
    for (const [data, message] of cases) {
      const output = makeOutput();
      await output.renderModel(mimeModel({ [MIME_TYPE]: data }));
      const note = output.node.querySelector('.kv-note-error');
      expect(note, String(data)).not.toBeNull();
      expect(note!.textContent).toMatch(message);
      expect(output.node.querySelector('img')).toBeNull();
      expect(output.view).toBeNull();
      output.dispose();
    }
  });

  it('draws the new payload when the output is updated', async () => {
    const output = makeOutput();
    await output.renderModel(mimeModel({ [MIME_TYPE]: { kerasviz_view: 2 } }));
    expect(output.node.querySelector('.kv-note-error')).not.toBeNull();
    await output.renderModel(mimeModel({ [MIME_TYPE]: loadPayload('toy') }));
    expect(output.node.querySelector('.kv-note-error')).toBeNull();
    expect(roots(output)).toBe(1);
    output.dispose();
  });

  it('draws the payload where no widget renderer exists (document, log console)', async () => {
    const area = new FakeOutputArea('widget', false);
    const output = await renderInArea(
      area,
      mimeModel({ [MIME_TYPE]: loadPayload('toy'), [WIDGET_VIEW_MIME_TYPE]: WIDGET_VIEW }, true)
    );
    expect(area.made).toHaveLength(0);
    expect(output.view).not.toBeNull();
    area.dispose();
  });
});

describe('GraphOutput with a widget view in the same output', () => {
  const bundle = () =>
    mimeModel({ [MIME_TYPE]: loadPayload('toy'), [WIDGET_VIEW_MIME_TYPE]: WIDGET_VIEW }, true);

  it('hands a live widget over to the widget renderer and draws nothing itself', async () => {
    const area = new FakeOutputArea('widget');
    const output = await renderInArea(area, bundle());
    expect(area.made).toHaveLength(1);
    expect(area.made[0].rendered[0].data[WIDGET_VIEW_MIME_TYPE]).toEqual(WIDGET_VIEW);
    expect(output.live).toBe(area.made[0]);
    expect(output.node.querySelectorAll('.fake-widget-view')).toHaveLength(1);
    expect(roots(output)).toBe(0);
    expect(output.view).toBeNull();
    area.dispose();
  });

  it('draws the payload when the widget model is missing (saved without widget state)', async () => {
    const area = new FakeOutputArea('missing');
    const output = await renderInArea(area, bundle());
    expect(output.live).toBeNull();
    expect(area.made[0].isHidden).toBe(true);
    expect(roots(output)).toBe(1);
    expect(output.view).not.toBeNull();
    area.dispose();
  });

  it('draws the payload while the widget manager restores, then gives way to the widget', async () => {
    const area = new FakeOutputArea('restoring');
    const output = await renderInArea(area, bundle());
    expect(roots(output)).toBe(1);
    expect(area.made[0].isHidden).toBe(true);
    area.made[0].showView(); // the manager restored the saved widget state
    await vi.waitFor(() => expect(output.live).toBe(area.made[0]));
    expect(roots(output)).toBe(0);
    expect(output.view).toBeNull();
    expect(area.made[0].isHidden).toBe(false);
    expect(area.made).toHaveLength(1); // it answered: no need to ask again
    area.dispose();
  });

  it('asks again while no widget manager answers, and shows the widget once one does', async () => {
    vi.useFakeTimers();
    const area = new FakeOutputArea('pending');
    const output = await renderInArea(area, bundle());
    expect(roots(output)).toBe(0); // "Loading widget..." for a moment
    expect(area.made[0].isHidden).toBe(false);
    vi.advanceTimersByTime(LIVE_WAIT_MS);
    expect(roots(output)).toBe(1);
    expect(area.made[0].isHidden).toBe(true);
    vi.advanceTimersByTime(LIVE_RETRY_MS);
    expect(area.made).toHaveLength(2);
    expect(area.made[0].isDisposed).toBe(true);
    area.behaviour = 'widget'; // the kernel is ready: the notebook has a widget manager
    vi.advanceTimersByTime(LIVE_RETRY_MS);
    await flush();
    expect(area.made).toHaveLength(3);
    expect(output.live).toBe(area.made[2]);
    expect(area.made[2].isHidden).toBe(false);
    expect(roots(output)).toBe(0);
    vi.advanceTimersByTime(10 * LIVE_RETRY_MS);
    expect(area.made).toHaveLength(3);
    area.dispose();
  });

  it('stops asking after a while when no widget manager ever comes (no kernel)', async () => {
    vi.useFakeTimers();
    const area = new FakeOutputArea('pending');
    const output = await renderInArea(area, bundle());
    vi.advanceTimersByTime(LIVE_RETRY_FOR_MS + 5 * LIVE_RETRY_MS);
    const made = area.made.length;
    expect(made).toBeGreaterThan(LIVE_RETRY_FOR_MS / LIVE_RETRY_MS - 5);
    expect(made).toBeLessThanOrEqual(LIVE_RETRY_FOR_MS / LIVE_RETRY_MS + 2);
    vi.advanceTimersByTime(10 * LIVE_RETRY_MS);
    expect(area.made).toHaveLength(made);
    expect(area.made.slice(0, -1).every(r => r.isDisposed)).toBe(true);
    expect(roots(output)).toBe(1);
    expect(output.live).toBeNull();
    area.dispose();
  });

  it('does not ask again once a widget manager said the model is missing', async () => {
    vi.useFakeTimers();
    const area = new FakeOutputArea('missing');
    const output = await renderInArea(area, bundle());
    vi.advanceTimersByTime(LIVE_RETRY_FOR_MS);
    expect(area.made).toHaveLength(1);
    expect(roots(output)).toBe(1);
    area.dispose();
  });

  it('disposes the widget renderer with the output', async () => {
    const area = new FakeOutputArea('widget');
    const output = await renderInArea(area, bundle());
    const live = area.made[0];
    output.dispose();
    expect(live.isDisposed).toBe(true);
    area.dispose();
  });
});
