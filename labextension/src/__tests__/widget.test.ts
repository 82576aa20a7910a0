import { afterEach, describe, expect, it, vi } from 'vitest';

import { WeightStatsClient } from '../widget';
import { fakeWidgetModel } from './helpers';

const fakeModel = () => fakeWidgetModel();

afterEach(() => {
  vi.useRealTimers();
});

describe('WeightStatsClient', () => {
  it('sends a request and matches replies by node id', async () => {
    const { model, sent, emit } = fakeModel();
    const client = new WeightStatsClient(model);
    const a = client.request('dense_a');
    const b = client.request('dense_b');
    expect(sent).toEqual([
      { type: 'weight_stats', node: 'dense_a' },
      { type: 'weight_stats', node: 'dense_b' }
    ]);
    emit('msg:custom', { type: 'other', node: 'dense_b' });
    emit('msg:custom', { type: 'weight_stats', node: 'dense_b', stats: [{ name: 'kernel' }] });
    emit('msg:custom', { type: 'weight_stats', node: 'dense_a', error: 'no such layer' });
    await expect(b).resolves.toEqual([{ name: 'kernel' }]);
    await expect(a).rejects.toThrow('no such layer');
  });

  it('times out with a clear message', async () => {
    vi.useFakeTimers();
    const { model } = fakeModel();
    const client = new WeightStatsClient(model, 30_000);
    const pending = client.request('dense');
    const check = expect(pending).rejects.toThrow(
      /No weight statistics from the kernel after 30 s/
    );
    vi.advanceTimersByTime(30_001);
    await check;
  });

  it('stops listening and fails pending requests on dispose', async () => {
    const { model, listeners } = fakeModel();
    const client = new WeightStatsClient(model);
    const pending = client.request('x');
    client.dispose();
    await expect(pending).rejects.toThrow('closed');
    expect(listeners.get('msg:custom')!.size).toBe(0);
  });
});
