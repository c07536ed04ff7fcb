import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../infra/logging/logger.ts';
import { TurnBatcher } from './turn-batcher.ts';
import {
  notStored,
  type IntakeReceiver,
  type IntakeRequest,
  type IntakeResponse,
} from './intake.ts';

export interface IntakeThreadData {
  eventStoreConnectionString: string;
  secrets: [string, readonly string[]][];
  toleranceSeconds: number | undefined;
  logLevel: string;
}

export interface ReceiveItem {
  id: number;
  request: Omit<IntakeRequest, 'rawBody'> & { rawBody: Uint8Array };
}

/** Callbacks go in batches: those read in one turn of the main thread's loop (TurnBatcher). */
export type ToIntakeThread = { kind: 'receive'; items: ReceiveItem[] } | { kind: 'close' };

/** Answers come back in batches too, as an array of these. */
export interface FromIntakeThread {
  id: number;
  response: IntakeResponse;
  /** A failure of the thread's own code (the answer is then a 500). */
  error?: string;
}

export interface IntakeThreadsOptions {
  threads: number;
  eventStoreConnectionString: string;
  secrets: ReadonlyMap<string, readonly string[]>;
  toleranceSeconds?: number;
  logger: Logger;
  logLevel: string;
}

const here = fileURLToPath(import.meta.url);

interface WorkerModule {
  /** A file to run, or (`eval`) the source of a module that loads it. */
  source: string;
  eval: boolean;
}

/**
 * The thread's module: beside the bundle (`dist/webhook-intake-worker.js`, see scripts/build.ts)
 * or, running the sources, `intake-worker.ts` beside this file, loaded through tsx's API (a
 * worker does not inherit the loader hooks that `--import tsx` registered in the main thread).
 */
function workerModule(): WorkerModule {
  if (here.endsWith('.ts')) {
    // Its ES module entry (the CommonJS one cannot be imported); a test runner may lack
    // import.meta.resolve, and then the bare name resolves from the working directory.
    const tsx =
      typeof import.meta.resolve === 'function'
        ? import.meta.resolve('tsx/esm/api')
        : 'tsx/esm/api';
    const file = pathToFileURL(join(dirname(here), 'intake-worker.ts')).href;
    const source = `(async () => {
      const { register } = await import(${JSON.stringify(tsx)});
      register();
      await import(${JSON.stringify(file)});
    })();`;
    return { source, eval: true };
  }
  const file = join(dirname(here), 'webhook-intake-worker.js');
  if (!existsSync(file)) throw new Error(`the intake thread's module is missing: ${file}`);
  return { source: file, eval: false };
}

const unavailable = notStored(503);

interface Thread {
  worker: Worker;
  outbox: TurnBatcher<ReceiveItem>;
  pending: Map<number, (response: IntakeResponse) => void>;
  /** Set once it exited: requests go to the other threads, or get 503 until it is replaced. */
  down: boolean;
}

/** A thread that dies this soon after its start is replaced after a growing delay. */
const earlyExitMs = 5_000;
const respawnDelayMaxMs = 30_000;

/**
 * The intake's CPU work (signature, parsing, hash chain, the event-store client's encoding) on
 * threads of its own, so that acknowledging callbacks uses a core the HTTP edge, the projections
 * and the processor do not: the main thread only reads requests and writes answers. Requests go
 * round-robin; a thread that dies answers its requests in flight with 503 (the provider delivers
 * again; the intake is idempotent) and is replaced.
 */
export class IntakeThreads implements IntakeReceiver {
  private readonly threads: Thread[] = [];
  private next = 0;
  private sequence = 0;
  private closing = false;
  private readonly module = workerModule();
  private respawnDelayMs = 0;

  constructor(private readonly options: IntakeThreadsOptions) {
    for (let index = 0; index < Math.max(1, options.threads); index += 1) {
      this.threads.push(this.spawn());
    }
  }

  private spawn(): Thread {
    const data: IntakeThreadData = {
      eventStoreConnectionString: this.options.eventStoreConnectionString,
      secrets: [...this.options.secrets],
      toleranceSeconds: this.options.toleranceSeconds,
      logLevel: this.options.logLevel,
    };
    const worker = new Worker(this.module.source, {
      eval: this.module.eval,
      workerData: data,
      // Its own heap: it holds a few callbacks in flight and one connection, nothing more.
      resourceLimits: { maxOldGenerationSizeMb: 128 },
    });
    const outbox = new TurnBatcher<ReceiveItem>((items, transfer) => {
      if (!thread.down)
        worker.postMessage({ kind: 'receive', items } satisfies ToIntakeThread, transfer);
    });
    const thread: Thread = { worker, outbox, pending: new Map(), down: false };
    const startedAt = Date.now();
    worker.on('message', (answers: FromIntakeThread[]) => {
      for (const { id, response, error } of answers) {
        if (error !== undefined) {
          this.options.logger.error({ err: { message: error } }, 'webhook intake thread failed');
        }
        const resolve = thread.pending.get(id);
        thread.pending.delete(id);
        resolve?.(response);
      }
    });
    worker.on('error', (error) => {
      this.options.logger.error({ err: error }, 'webhook intake thread crashed');
    });
    worker.on('exit', () => {
      thread.down = true;
      for (const resolve of thread.pending.values()) resolve(unavailable);
      thread.pending.clear();
      if (this.closing) return;
      // A thread that cannot even start must not be restarted in a tight loop.
      this.respawnDelayMs =
        Date.now() - startedAt < earlyExitMs
          ? Math.min(respawnDelayMaxMs, Math.max(100, this.respawnDelayMs * 2))
          : 0;
      const timer = setTimeout(() => {
        const index = this.threads.indexOf(thread);
        if (!this.closing && index !== -1) this.threads[index] = this.spawn();
      }, this.respawnDelayMs);
      timer.unref();
    });
    // The service's other work keeps the process alive; an idle intake thread must not.
    worker.unref();
    return thread;
  }

  receive(request: IntakeRequest): Promise<IntakeResponse> {
    if (this.closing) return Promise.resolve(unavailable);
    const thread = this.pick();
    if (thread === undefined) return Promise.resolve(unavailable);
    const id = (this.sequence += 1);
    // A copy of exactly the body's bytes, moved (not cloned) to the thread.
    const body = new Uint8Array(request.rawBody);
    return new Promise((resolve) => {
      thread.pending.set(id, resolve);
      thread.outbox.add({ id, request: { ...request, rawBody: body } }, body.buffer);
    });
  }

  /** The next live thread, round-robin. */
  private pick(): Thread | undefined {
    for (let tried = 0; tried < this.threads.length; tried += 1) {
      const thread = this.threads[this.next % this.threads.length]!;
      this.next += 1;
      if (!thread.down) return thread;
    }
    return undefined;
  }

  /** Lets requests in flight finish (at most `graceMs`), then ends the threads. */
  async close(graceMs = 5_000): Promise<void> {
    this.closing = true;
    const deadline = Date.now() + graceMs;
    while (this.threads.some((thread) => thread.pending.size > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(
      this.threads
        .filter((thread) => !thread.down)
        .map(
          (thread) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => void thread.worker.terminate(), 2_000);
              thread.worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              thread.worker.postMessage({ kind: 'close' } satisfies ToIntakeThread);
            }),
        ),
    );
  }
}
