import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logging/logger.ts';
import { RestartOnExit } from './restart-on-exit.ts';

function child(): ChildProcess {
  return new EventEmitter() as unknown as ChildProcess;
}

/** A watcher over a first (fake) child, starting others with `start`. */
function watched(start: () => Promise<ChildProcess>) {
  const first = child();
  const watcher = new RestartOnExit(
    { name: 'test store', logger: createLogger('silent'), start },
    first,
  );
  return { first, watcher };
}

describe('RestartOnExit', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts a child again after each exit it was not asked for, later and later while it keeps failing', async () => {
    const started: ChildProcess[] = [];
    const { first, watcher } = watched(async () => {
      const next = child();
      started.push(next);
      return next;
    });
    first.emit('exit', null, 'SIGKILL');
    await vi.advanceTimersByTimeAsync(499);
    expect(started).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toHaveLength(1);
    expect(watcher.process).toBe(started[0]);

    // It died again at once: twice the delay.
    started[0]!.emit('exit', 1, null);
    await vi.advanceTimersByTimeAsync(999);
    expect(started).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toHaveLength(2);

    // After a minute of running, back to the first delay.
    await vi.advanceTimersByTimeAsync(61_000);
    started[1]!.emit('exit', 1, null);
    await vi.advanceTimersByTimeAsync(500);
    expect(started).toHaveLength(3);
    await watcher.stop();
  });

  it('tries again when the new start fails, and never once stopped', async () => {
    let attempts = 0;
    const { first, watcher } = watched(async () => {
      attempts += 1;
      throw new Error('port in use');
    });
    first.emit('exit', 1, null);
    await vi.advanceTimersByTimeAsync(500);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(attempts).toBe(2);
    await watcher.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(attempts).toBe(2);
  });

  it('does not start again what stop() asked to exit', async () => {
    let attempts = 0;
    const { first, watcher } = watched(async () => {
      attempts += 1;
      return child();
    });
    await watcher.stop();
    first.emit('exit', 0, null);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(attempts).toBe(0);
  });
});
