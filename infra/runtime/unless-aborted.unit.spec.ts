import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { unlessAborted } from './unless-aborted.ts';

describe('unlessAborted', () => {
  it('resolves with the work and leaves no listener on the signal', async () => {
    const controller = new AbortController();
    for (let step = 0; step < 1_000; step += 1) {
      expect(await unlessAborted(Promise.resolve(step), controller.signal)).toBe(step);
    }
    await expect(
      unlessAborted(Promise.reject(new Error('boom')), controller.signal),
    ).rejects.toThrow('boom');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves undefined when aborted while the work is pending, and at once when already aborted', async () => {
    const controller = new AbortController();
    const pending = unlessAborted(new Promise<number>(() => undefined), controller.signal);
    controller.abort();
    expect(await pending).toBeUndefined();
    expect(await unlessAborted(Promise.resolve(1), controller.signal)).toBeUndefined();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
