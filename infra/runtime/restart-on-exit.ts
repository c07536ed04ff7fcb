import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../logging/logger.ts';

/** Delays before starting a crashed child again: doubling from the first to the last. */
const restartDelayFirstMs = 500;
const restartDelayMaxMs = 30_000;
/** A child that ran this long before its exit starts again after the first delay. */
const restartStableMs = 60_000;

export interface RestartOnExitOptions {
  /** For the log lines: "embedded event store", "embedded PostgreSQL". */
  name: string;
  logger: Logger;
  /** Starts it again (on the same port and data); resolves with the new process once ready. */
  start: () => Promise<ChildProcess>;
}

/**
 * Keeps an embedded store running: each exit it was not asked for (a crash, a kill, the OOM
 * killer) is logged at error and followed, after a delay that grows while it keeps failing, by
 * a new start. Every store recovers its data after a crash by itself, and the service's clients
 * reconnect by themselves; in between, /readyz reports the store down. `stop()` ends the
 * watching (a start in progress is awaited, so that the caller then stops what is current).
 */
export class RestartOnExit {
  private stopped = false;
  private delayMs = 0;
  private startedAtMs = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private current: ChildProcess;

  constructor(
    private readonly options: RestartOnExitOptions,
    first: ChildProcess,
  ) {
    this.current = first;
    this.watch(first);
  }

  /** The running process (or the last one, while a restart is pending). */
  get process(): ChildProcess {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.starting;
  }

  private watch(child: ChildProcess): void {
    child.once('exit', (code, signal) => {
      if (this.stopped) return;
      this.options.logger.error({ code, signal }, `${this.options.name} exited; starting it again`);
      this.schedule();
    });
  }

  private schedule(): void {
    this.delayMs =
      this.delayMs === 0 || Date.now() - this.startedAtMs > restartStableMs
        ? restartDelayFirstMs
        : Math.min(restartDelayMaxMs, this.delayMs * 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.starting = this.restart().finally(() => (this.starting = undefined));
    }, this.delayMs);
  }

  private async restart(): Promise<void> {
    if (this.stopped) return;
    try {
      const child = await this.options.start();
      this.current = child;
      this.startedAtMs = Date.now();
      this.watch(child);
      this.options.logger.warn(`${this.options.name} started again`);
    } catch (error) {
      this.options.logger.error({ err: error }, `${this.options.name} failed to start again`);
      if (!this.stopped) this.schedule();
    }
  }
}
