// @vitest-environment happy-dom
/**
 * The renderer and each payload travel once (runtime.ts, loader.ts, PayloadSource
 * in widget.ts).
 */
import { describe, expect, it } from 'vitest';

import { loadRuntime } from '../loader';
import { findRuntime, offerPayload, registerRuntime, takePayload } from '../runtime';
import { PayloadSource } from '../widget';
import { fakeWidgetModel, loadPayload, settle } from './helpers';

const fakeRuntime = { render: () => undefined };

describe('the page registry', () => {
  it('keeps the first renderer registered for an id', async () => {
    const other = { render: () => 'other' };
    registerRuntime('first-id', fakeRuntime);
    registerRuntime('first-id', other);
    expect(await findRuntime('first-id')).toBe(fakeRuntime);
    expect(findRuntime('unknown-id')).toBeUndefined();
  });

  it('hands out an offered payload only when it is as new as asked', () => {
    const withdraw = offerPayload('k1', { revision: 2, data: { a: 1 } });
    expect(takePayload('k1', 2)?.data).toEqual({ a: 1 });
    expect(takePayload('k1', 3)).toBeUndefined();
    withdraw();
    expect(takePayload('k1', 0)).toBeUndefined();
  });
});

describe('the loader', () => {
  it("uses the page's renderer without asking the kernel", async () => {
    registerRuntime('page-id', fakeRuntime);
    const { model, sent } = fakeWidgetModel();
    expect(await loadRuntime(model, 'page-id')).toBe(fakeRuntime);
    expect(sent).toEqual([]);
  });

  it('asks the kernel once for every widget of the page, and again after a failure', async () => {
    const a = fakeWidgetModel();
    const b = fakeWidgetModel();
    const first = loadRuntime(a.model, 'kernel-id');
    const second = loadRuntime(b.model, 'kernel-id');
    expect(a.sent).toEqual([{ type: 'kv_runtime', id: 'kernel-id' }]);
    expect(b.sent).toEqual([]); // it waits for the first one's answer
    // an answer for another build is not this one's
    a.emit('msg:custom', { type: 'kv_runtime', id: 'other', error: 'not mine' });
    a.emit('msg:custom', { type: 'kv_runtime', id: 'kernel-id', error: 'build abc <b>' });
    await expect(first).rejects.toThrow('build abc <b>');
    await expect(second).rejects.toThrow('build abc <b>');
    expect(a.listeners.get('msg:custom')!.size).toBe(0);
    await settle();
    const c = fakeWidgetModel();
    void loadRuntime(c.model, 'kernel-id', 5).catch(() => undefined);
    expect(c.sent).toEqual([{ type: 'kv_runtime', id: 'kernel-id' }]);
  });

  it('says so when the kernel does not answer', async () => {
    const { model } = fakeWidgetModel();
    await expect(loadRuntime(model, 'silent-id', 5)).rejects.toThrow(/did not send/);
  });

  it('refuses a reply without a module', async () => {
    const { model, emit } = fakeWidgetModel();
    const loading = loadRuntime(model, 'empty-id');
    emit('msg:custom', { type: 'kv_runtime', id: 'empty-id' }, []);
    await expect(loading).rejects.toThrow(/no renderer module/);
  });
});

describe('PayloadSource', () => {
  it('takes the offered copy when it is current, else asks the kernel', async () => {
    const toy = loadPayload('toy');
    offerPayload('offered', { revision: 1, data: toy });
    const offered = fakeWidgetModel({ _view_key: 'offered', _revision: 1 });
    const source = new PayloadSource(offered.model);
    expect(await source.first()).toBe(toy);
    expect(offered.sent).toEqual([]);
    source.dispose();

    const stale = fakeWidgetModel({ _view_key: 'offered', _revision: 2 });
    const asking = new PayloadSource(stale.model);
    const first = asking.first();
    expect(stale.sent).toEqual([{ type: 'kv_payload' }]);
    stale.emit('msg:custom', { type: 'kv_payload', revision: 2, data: { fresh: true } });
    expect(await first).toEqual({ fresh: true });
    // later pushes: newer ones are shown, older or repeated ones are not
    const seen: unknown[] = [];
    asking.onChange(() => seen.push(asking.data));
    stale.emit('msg:custom', { type: 'kv_payload', revision: 2, data: { again: true } });
    stale.emit('msg:custom', { type: 'kv_payload', revision: 3, data: { newer: true } });
    await settle();
    expect(seen).toEqual([{ newer: true }]);
    asking.dispose();
    expect(stale.listeners.get('msg:custom')!.size).toBe(0);
  });

  it('rejects with a message when the kernel does not answer or the payload is bad', async () => {
    const silent = fakeWidgetModel({ _view_key: 'none', _revision: 0 });
    await expect(new PayloadSource(silent.model, 5).first()).rejects.toThrow(/did not send/);
    const bad = fakeWidgetModel({ _view_key: 'none', _revision: 0 });
    const first = new PayloadSource(bad.model).first();
    bad.emit('msg:custom', {
      type: 'kv_payload',
      revision: 0,
      data: { kerasviz_packed: 99, encoding: 'x', data: '' }
    });
    await expect(first).rejects.toThrow(/version 99/);
  });
});
