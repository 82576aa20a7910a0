// @vitest-environment happy-dom
/// <reference types="node" />
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { GraphOutput, MIME_TYPE } from '../index';
import { COMPARISON_MIME_TYPE } from '../comparison';
import { WIDGET_VIEW_MIME_TYPE } from '../live';
import {
  MAX_UNPACKED_BYTES,
  PACKED_ENCODING,
  PACKED_VERSION,
  isPacked,
  unpackData,
  withOverlay,
  withSelection
} from '../packed';
import { validatePayload } from '../validate';
import { SELECTED_EVENT } from '../widget';
import { loadPayload } from './helpers';

/** Made by Python: labextension/scripts/make_fixtures.py (kerasviz.mimebundle.pack). */
function pythonFixture(): Record<string, unknown> {
  const path = join(__dirname, 'fixtures', 'packed_mlp.json');
  return JSON.parse(readFileSync(path, 'utf-8')) as Record<string, unknown>;
}

function mimeModel(
  data: Record<string, unknown>,
  trusted = false,
  setData: IRenderMime.IMimeModel['setData'] = () => undefined
): IRenderMime.IMimeModel {
  return { trusted, data, metadata: {}, setData } as unknown as IRenderMime.IMimeModel;
}

function makeOutput(mimeType = MIME_TYPE): GraphOutput {
  return new GraphOutput({ mimeType } as IRenderMime.IRendererOptions);
}

async function zlib(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** An envelope around `raw` bytes, already compressed or not. */
function envelope(data: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kerasviz_packed: 1, encoding: 'zlib+base64', selected: null, data, ...extra };
}

async function packJson(value: unknown): Promise<Record<string, unknown>> {
  return envelope(base64(await zlib(new TextEncoder().encode(JSON.stringify(value)))));
}

afterEach(() => {
  document.body.textContent = '';
});

describe('unpackData', () => {
  it('decodes an envelope packed by Python (zlib.compress + base64)', async () => {
    const fixture = pythonFixture();
    expect(isPacked(fixture)).toBe(true);
    expect(fixture.kerasviz_packed).toBe(PACKED_VERSION);
    expect(fixture.encoding).toBe(PACKED_ENCODING);
    const result = await unpackData(fixture);
    expect(result.ok).toBe(true);
    const checked = validatePayload((result as { data: unknown }).data);
    expect(checked.ok).toBe(true);
    const payload = (checked as { payload: ReturnType<typeof loadPayload> }).payload;
    expect(payload.graph.model.name).toBe('packed_mlp');
    expect(payload.graph.nodes.map(n => n.name)).toEqual(['x', 'hidden', 'score']);
    expect(payload.options?.selected).toBe('hidden');
    // the same, as JSON text
    const again = await unpackData(JSON.stringify(fixture));
    expect(again).toEqual(result);
  });

  it("applies the envelope's selection over the packed one", async () => {
    const fixture = { ...pythonFixture(), selected: 'score' };
    const result = await unpackData(fixture);
    expect(result.ok && (result.data as { options: { selected: unknown } }).options.selected).toBe(
      'score'
    );
    const cleared = await unpackData({ ...fixture, selected: null });
    expect(
      cleared.ok && (cleared.data as { options: { selected: unknown } }).options.selected
    ).toBeNull();
  });

  it("applies the envelope's overlay over the packed one; withOverlay rewrites it", async () => {
    const fixture = pythonFixture();
    expect(fixture.overlay).toBe('flops');
    const packed = await unpackData(fixture);
    const overlayOf = (r: typeof packed) =>
      r.ok ? (r.data as { overlays: { selected: unknown } }).overlays.selected : undefined;
    expect(overlayOf(packed)).toBe('flops');
    const changed = withOverlay(fixture, 'macs')!;
    expect(changed.overlay).toBe('macs');
    expect(changed.data).toBe(fixture.data); // the packed string is kept
    expect(overlayOf(await unpackData(changed))).toBe('macs');
    expect(withOverlay(changed, 'macs')).toBeNull();
    expect(overlayOf(await unpackData(withOverlay(fixture, null)!))).toBeNull();
    // an unpacked payload (an older kerasviz's output)
    const plain = (packed as { data: Record<string, unknown> }).data;
    const rewritten = withOverlay(plain, 'share')!;
    expect((rewritten.overlays as { selected: unknown }).selected).toBe('share');
    expect(withOverlay({ kerasviz_view: 1 }, 'share')).toBeNull();
  });

  it('round-trips a payload packed here the same way', async () => {
    const payload = loadPayload('toy');
    const result = await unpackData(await packJson(payload));
    expect(result).toEqual({
      ok: true,
      data: { ...payload, options: { ...payload.options, selected: null } }
    });
  });

  it('passes unpacked payloads (older kerasviz) through as they are', async () => {
    const payload = loadPayload('seed');
    expect(isPacked(payload)).toBe(false);
    const result = await unpackData(payload);
    expect(result.ok && result.data).toBe(payload);
    const text = await unpackData('{not json');
    expect(text).toEqual({ ok: true, data: '{not json' }); // validation says "not JSON"
  });

  it('refuses unknown or corrupt envelopes with a reason', async () => {
    const good = base64(await zlib(new TextEncoder().encode('{"kerasviz_view":1,"graph":{}}')));
    const compressed = Buffer.from(good, 'base64');
    const cases: Array<[unknown, RegExp]> = [
      [
        envelope(good, { kerasviz_packed: 2 }),
        /packed with version 2, but this renderer reads version 1/
      ],
      [envelope(good, { kerasviz_packed: '<b>' }), /packed with version "<b>"/],
      [envelope(good, { encoding: 'gzip' }), /encoded as "gzip"/],
      [envelope(good, { data: 7 }), /packed data is missing/],
      [envelope('@@not base64@@'), /corrupt: it is not base64/],
      [envelope(good.slice(0, -1)), /corrupt: it is not base64/],
      [
        envelope(base64(new TextEncoder().encode('plain text, not zlib'))),
        /corrupt: it is not zlib data/
      ],
      [
        envelope(base64(compressed.subarray(0, compressed.length - 6))),
        /corrupt: it is not zlib data, or it is truncated/
      ],
      [
        envelope(base64(await zlib(new TextEncoder().encode('{nope')))),
        /corrupt: the inflated text is not JSON/
      ],
      [
        envelope(base64(await zlib(new Uint8Array([0xff, 0xfe, 0xfd])))),
        /corrupt: the inflated data is not UTF-8/
      ],
      [await packJson([1, 2]), /holds no kerasviz view, comparison or replay payload/]
    ];
    for (const [data, reason] of cases) {
      const result = await unpackData(data);
      expect(result.ok, JSON.stringify(data).slice(0, 80)).toBe(false);
      const text = (result as { reason: string }).reason;
      expect(text).toMatch(reason);
      expect(text.toLowerCase()).toMatch(/re-run this cell/);
    }
  });

  it('stops inflating past the limit', async () => {
    const big = await packJson({ kerasviz_view: 1, graph: {}, pad: 'a'.repeat(100_000) });
    const result = await unpackData(big, 10_000);
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/corrupt: it inflates to more than 10,000 bytes/) as unknown
    });
    expect((await unpackData(big)).ok).toBe(true);
    expect(MAX_UNPACKED_BYTES).toBe(256 * 1024 * 1024);
  });
});

describe('withSelection', () => {
  it('rewrites only the envelope selection, keeping the packed string', () => {
    const fixture = pythonFixture();
    const saved = withSelection(fixture, 'score')!;
    expect(saved).toEqual({ ...fixture, selected: 'score' });
    expect(saved.data).toBe(fixture.data);
    expect(withSelection(fixture, 'hidden')).toBeNull(); // already so
  });

  it("rewrites an unpacked payload's options.selected, as before", () => {
    const payload = loadPayload('toy') as unknown as Record<string, unknown>;
    const saved = withSelection(payload, 'x') as { options: Record<string, unknown> };
    expect(saved.options).toEqual({ ...(payload.options as object), selected: 'x' });
    expect(withSelection(saved, 'x')).toBeNull();
  });
});

describe('GraphOutput with packed data', () => {
  it('draws the Python-packed graph', async () => {
    const output = makeOutput();
    await output.renderModel(mimeModel({ [MIME_TYPE]: pythonFixture() }));
    expect(output.node.querySelectorAll('.kv-root')).toHaveLength(1);
    expect(output.node.querySelector('.kv-model-name')!.textContent).toBe('packed_mlp');
    // (the selection applies once cytoscape paints: tests/browser/test_saved_vs_live.py)
    output.dispose();
  });

  it('shows a message, never a blank output, for a corrupt or unknown envelope', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      [
        MIME_TYPE,
        envelope('AAAA'),
        /^kerasviz: cannot show this graph: this output's packed data is corrupt/
      ],
      [
        MIME_TYPE,
        { ...pythonFixture(), kerasviz_packed: 9 },
        /^kerasviz: cannot show this graph: this output is packed with version 9/
      ],
      [
        COMPARISON_MIME_TYPE,
        envelope('AAAA'),
        /^kerasviz: cannot show this comparison: this output's packed data is corrupt/
      ]
    ];
    for (const [mimeType, data, message] of cases) {
      const output = makeOutput(mimeType);
      await output.renderModel(mimeModel({ [mimeType]: data }));
      const note = output.node.querySelector('.kv-note-error');
      expect(note).not.toBeNull();
      expect(note!.textContent).toMatch(message);
      expect(note!.textContent).toMatch(/re-run this cell/);
      expect(output.view).toBeNull();
      output.dispose();
    }
  });

  it('drops a decode overtaken by a newer output', async () => {
    const output = makeOutput();
    const first = output.renderModel(mimeModel({ [MIME_TYPE]: pythonFixture() }));
    const second = output.renderModel(mimeModel({ [MIME_TYPE]: { kerasviz_view: 2 } }));
    await Promise.all([first, second]);
    expect(output.node.querySelectorAll('.kv-root .kv-model-name')).toHaveLength(0);
    expect(output.node.querySelector('.kv-note-error')!.textContent).toMatch(/version 2/);
    output.dispose();
  });

  it("writes the live widget's selection into the envelope, not into the packed data", async () => {
    const setData = vi.fn();
    const fixture = pythonFixture();
    const model = mimeModel(
      { [MIME_TYPE]: fixture, [WIDGET_VIEW_MIME_TYPE]: { model_id: 'abc' }, 'text/plain': 't' },
      true,
      setData
    );
    const output = makeOutput();
    await output.renderModel(model); // trusted + widget view: waits for the live widget
    output.node.dispatchEvent(new CustomEvent(SELECTED_EVENT, { detail: { id: 'score' } }));
    expect(setData).toHaveBeenCalledTimes(1); // a small output: at once
    const written = (setData.mock.calls[0][0] as { data: Record<string, unknown> }).data;
    expect(written[MIME_TYPE]).toEqual({ ...fixture, selected: 'score' });
    expect(written['text/plain']).toBe('t');
    output.dispose();
  });

  it('writes the selection of a big output after the next frame, not in the click', async () => {
    const setData = vi.fn();
    // ~300 KB of base64 that does not compress: a payload of thousands of layers
    const noise = Array.from({ length: 60_000 }, (_, i) => ((i * 2654435761) >>> 7).toString(36));
    const big = await packJson({ kerasviz_view: 1, graph: {}, pad: noise.join('') });
    expect((big.data as string).length).toBeGreaterThan(200_000);
    const model = mimeModel(
      { [MIME_TYPE]: big, [WIDGET_VIEW_MIME_TYPE]: { model_id: 'abc' } },
      true,
      setData
    );
    const output = makeOutput();
    await output.renderModel(model);
    output.node.dispatchEvent(new CustomEvent(SELECTED_EVENT, { detail: { id: 'score' } }));
    expect(setData).not.toHaveBeenCalled();
    await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 5)));
    expect(setData).toHaveBeenCalledTimes(1);
    const written = (setData.mock.calls[0][0] as { data: Record<string, unknown> }).data;
    expect(written[MIME_TYPE]).toEqual({ ...big, selected: 'score' });
    output.dispose();
  });
});
