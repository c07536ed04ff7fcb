import type { Registry } from 'prom-client';
import type { EventStore, StoredEvent, SubscriptionMessage } from '../eventstore/event-store.ts';
import type { Logger } from '../logging/logger.ts';
import type { Pool } from '../postgres/pool.ts';
import { ungated, type BackgroundGate } from '../runtime/background-gate.ts';
import { unlessAborted } from '../runtime/unless-aborted.ts';
import { ReferenceCache, type PaymentWriter } from './apply-callback.ts';
import { limitCheckpointHistory, readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { PROCESSOR_EVENT_TYPE_PATTERN, TRIGGER_EVENT_TYPES } from './inbox-events.ts';
import { foldInbox } from './inbox-state.ts';
import { KeyedLock } from './keyed-lock.ts';
import { webhookMetrics, outcomeKind, type WebhookMetrics } from './metrics.ts';
import {
  processCallback,
  type ProcessDependencies,
  type ProcessResult,
} from './process-callback.ts';
import { ProgressTracker, type TrackedEntry } from './progress-tracker.ts';
import { defaultRetryPolicy, retryDelayMs, type RetryPolicy } from './retry-policy.ts';

export interface WebhookProcessorOptions {
  eventStore: EventStore;
  paymentService: PaymentWriter;
  logger: Logger;
  registry?: Registry;
  /**
   * Accepted for the composition root's convenience and not needed: the due set is rebuilt
   * from the inbox streams themselves (the checkpoint never passes an unsettled callback).
   */
  pool?: Pool;
  retryPolicy?: RetryPolicy;
  /** Callbacks processed at once (distinct callbacks; one callback never runs twice at once). */
  concurrency?: number;
  /**
   * Gives way to the intake: while the gate is closed nothing new starts and the subscription
   * is not read; while it is contended (a burst being acknowledged) at most
   * `concurrencyWhileContended` callbacks run. Slower during a burst, never stopped, and back
   * to full speed as soon as the burst is acknowledged.
   */
  gate?: BackgroundGate;
  concurrencyWhileContended?: number;
  /** Unsettled callbacks held in memory; the subscription waits while this many are open. */
  pendingMax?: number;
  checkpointIntervalMs?: number;
  /** How often due retries are looked for. */
  timerIntervalMs?: number;
  nowMs?: () => number;
  random?: () => number;
}

export interface WebhookProcessorStats {
  caughtUp: boolean;
  open: number;
  running: number;
  waiting: number;
  safePosition: bigint | undefined;
}

export interface WebhookProcessor {
  stop(): Promise<void>;
  stats(): WebhookProcessorStats;
}

interface Work {
  stream: string;
  /**
   * The callback's WebhookReceived, kept when it arrived live as the stream's first event and
   * nothing else of the stream has been seen since: then it is the stream's state, and the
   * first attempt skips reading it back (an append at its revision fails if anything moved).
   */
  received: StoredEvent | undefined;
  entries: TrackedEntry[];
  running: boolean;
  queued: boolean;
  rerun: boolean;
  dueAtMs: number | undefined;
  /** Failures that could not even be recorded (store down): retried from memory. */
  unrecordedFailures: number;
}

/** How often, at most, the processor's progress is written to the event store. */
const checkpointWriteIntervalMs = 15_000;
const stopGraceMs = 5_000;
const referenceCacheCapacity = 10_000;
const resubscribeDelayMaxMs = 5_000;

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds).unref());
}

/**
 * Consumes the inbox (received, replayed and resolved callbacks in `$all`) and processes each
 * received or replayed callback, with bounded concurrency, durable retries and a durable
 * checkpoint. Start one per deployment: two would only duplicate work (every step is
 * idempotent), never double effects.
 */
export function startWebhookProcessor(options: WebhookProcessorOptions): WebhookProcessor {
  const processor = new ProcessorRuntime(options);
  processor.start();
  return { stop: () => processor.stop(), stats: () => processor.stats() };
}

class ProcessorRuntime {
  private readonly works = new Map<string, Work>();
  private readonly ready: Work[] = [];
  private readonly dependencies: ProcessDependencies;
  private readonly metrics: WebhookMetrics;
  private readonly concurrency: number;
  private readonly gate: BackgroundGate;
  private tracker: ProgressTracker | undefined;
  private running = 0;
  private stopped = false;
  private caughtUp = false;
  private wakeSubscription: (() => void) | undefined;
  private stopSignal: (() => void) | undefined;
  private readonly stopRequested = new Promise<void>((resolve) => (this.stopSignal = resolve));
  /** The same request as an AbortSignal, for waits repeated per message (see unlessAborted). */
  private readonly stopController = new AbortController();
  private timers: NodeJS.Timeout[] = [];
  private loop: Promise<void> | undefined;
  private lastWrittenPosition: bigint | undefined;
  private lastWrittenAtMs = 0;

  constructor(private readonly options: WebhookProcessorOptions) {
    this.dependencies = {
      eventStore: options.eventStore,
      paymentService: options.paymentService,
      logger: options.logger,
      retryPolicy: options.retryPolicy ?? defaultRetryPolicy,
      nowMs: options.nowMs ?? Date.now,
      random: options.random ?? Math.random,
      references: new ReferenceCache(referenceCacheCapacity),
      paymentLocks: new KeyedLock(),
    };
    this.metrics = webhookMetrics(options.registry);
    this.concurrency = options.concurrency ?? 16;
    this.gate = options.gate ?? ungated;
  }

  start(): void {
    this.loop = this.subscribeLoop();
    const tick = setInterval(() => {
      this.releaseDue();
      // Catches up after a burst: nothing else starts work when the intake goes quiet.
      this.pump();
    }, this.options.timerIntervalMs ?? 100);
    const checkpoint = setInterval(
      () => void this.flushCheckpoint(),
      this.options.checkpointIntervalMs ?? 1_000,
    );
    tick.unref();
    checkpoint.unref();
    this.timers = [tick, checkpoint];
  }

  stats(): WebhookProcessorStats {
    return {
      caughtUp: this.caughtUp,
      open: this.tracker?.open ?? 0,
      running: this.running,
      waiting: this.works.size - this.running,
      safePosition: this.tracker?.safePosition,
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopSignal?.();
    this.stopController.abort();
    this.wakeSubscription?.();
    for (const timer of this.timers) clearInterval(timer);
    await this.loop;
    const deadline = Date.now() + stopGraceMs;
    while (this.running > 0 && Date.now() < deadline) await sleep(10);
    await this.flushCheckpoint(true);
  }

  private async subscribeLoop(): Promise<void> {
    let failures = 0;
    const from = await this.initialPosition();
    if (from === 'stopped') return;
    this.tracker = new ProgressTracker(this.options.pendingMax ?? 10_000, from);
    let resumeAfter = from;
    while (!this.stopped) {
      try {
        const { last, paused } = await this.consume(resumeAfter);
        resumeAfter = last;
        failures = 0;
        if (this.stopped) break;
        if (paused) await Promise.race([this.gate.turn(), this.stopRequested]);
        // The server ended the subscription (shutdown, leader change): resubscribe, not spin.
        else await Promise.race([sleep(100), this.stopRequested]);
      } catch (error) {
        failures += 1;
        this.options.logger.warn({ err: error }, 'webhook subscription failed; resubscribing');
        await Promise.race([
          sleep(Math.min(resubscribeDelayMaxMs, 100 * 2 ** Math.min(failures, 6))),
          this.stopRequested,
        ]);
      }
    }
  }

  private async initialPosition(): Promise<bigint | undefined | 'stopped'> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        await limitCheckpointHistory(this.options.eventStore);
        return await readCheckpoint(this.options.eventStore);
      } catch (error) {
        this.options.logger.warn({ err: error, attempt }, 'cannot read the webhook checkpoint yet');
        await Promise.race([
          sleep(Math.min(resubscribeDelayMaxMs, 100 * 2 ** attempt)),
          this.stopRequested,
        ]);
      }
    }
    return 'stopped';
  }

  /**
   * Reads the subscription until it ends, stop() is called, or the gate closes (paused: a
   * subscription left open would still be sent and decoded); returns the last position seen.
   */
  private async consume(
    resumeAfter: bigint | undefined,
  ): Promise<{ last: bigint | undefined; paused: boolean }> {
    let lastSeen = resumeAfter;
    // A new subscription catches up first: what it delivers may have been handled before.
    this.caughtUp = false;
    const subscription = this.options.eventStore.subscribeToAll({
      ...(resumeAfter === undefined ? {} : { fromPosition: resumeAfter }),
      eventTypeRegex: PROCESSOR_EVENT_TYPE_PATTERN,
      checkpointIntervalEvents: 32,
    });
    try {
      while (!this.stopped) {
        // Raced against stop: a quiet subscription would otherwise hold stop() forever.
        const next = await unlessAborted(subscription.next(), this.stopController.signal);
        if (next === undefined || next.done === true) break;
        lastSeen = this.onMessage(next.value) ?? lastSeen;
        while (this.tracker!.isFull && !this.stopped) await this.waitForRoom();
        if (!this.gate.open()) return { last: lastSeen, paused: true };
      }
    } finally {
      // Not awaited: a pending next() would delay it; the generator unsubscribes when it runs.
      void subscription.return(undefined).catch(() => undefined);
    }
    return { last: lastSeen, paused: false };
  }

  private onMessage(message: SubscriptionMessage): bigint | undefined {
    const tracker = this.tracker!;
    if (message.kind === 'caughtUp') {
      this.caughtUp = true;
      return undefined;
    }
    if (message.kind === 'checkpoint') {
      tracker.pass(message.position);
      return message.position;
    }
    const { event } = message;
    if (TRIGGER_EVENT_TYPES.has(event.type)) this.trigger(event, tracker.track(event.position));
    else {
      // An outcome or an operator's action on a callback still in hand: read before acting.
      const work = this.works.get(event.stream);
      if (work !== undefined) work.received = undefined;
      tracker.pass(event.position);
    }
    return event.position;
  }

  private waitForRoom(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeSubscription = resolve;
    });
  }

  private trigger(event: StoredEvent, entry: TrackedEntry): void {
    const stream = event.stream;
    let work = this.works.get(stream);
    if (work !== undefined) work.received = undefined;
    else {
      const fresh = this.caughtUp && event.type === 'WebhookReceived' && event.revision === 0n;
      work = {
        stream,
        received: fresh ? event : undefined,
        entries: [],
        running: false,
        queued: false,
        rerun: false,
        dueAtMs: undefined,
        unrecordedFailures: 0,
      };
      this.works.set(stream, work);
    }
    work.entries.push(entry);
    if (work.running) work.rerun = true;
    else this.enqueue(work);
  }

  private enqueue(work: Work): void {
    work.dueAtMs = undefined;
    if (work.queued) return;
    work.queued = true;
    this.ready.push(work);
    this.pump();
  }

  private concurrencyNow(): number {
    if (!this.gate.open()) return 0;
    return this.gate.contended ? (this.options.concurrencyWhileContended ?? 2) : this.concurrency;
  }

  private pump(): void {
    const limit = this.concurrencyNow();
    while (this.running < limit && this.ready.length > 0 && !this.stopped) {
      const work = this.ready.shift()!;
      work.queued = false;
      void this.run(work);
    }
  }

  private releaseDue(): void {
    const now = this.dependencies.nowMs();
    for (const work of this.works.values()) {
      if (!work.running && work.dueAtMs !== undefined && work.dueAtMs <= now) this.enqueue(work);
    }
  }

  private async run(work: Work): Promise<void> {
    this.running += 1;
    work.running = true;
    let result: ProcessResult;
    try {
      const known = work.received === undefined ? undefined : foldInbox([work.received]);
      work.received = undefined;
      result = await processCallback(this.dependencies, work.stream, known);
      work.unrecordedFailures = 0;
    } catch (error) {
      work.unrecordedFailures += 1;
      const delayMs = retryDelayMs(
        this.dependencies.retryPolicy,
        work.unrecordedFailures,
        Math.random,
      );
      this.options.logger.warn(
        { err: error, stream: work.stream },
        'webhook processing could not be recorded',
      );
      this.metrics.failures.inc({ provider: 'unknown', kind: 'unrecorded' });
      result = { kind: 'scheduled', dueAtMs: this.dependencies.nowMs() + delayMs };
    }
    work.running = false;
    this.running -= 1;
    this.settleOrSchedule(work, result);
    this.pump();
  }

  private settleOrSchedule(work: Work, result: ProcessResult): void {
    if (work.rerun) {
      work.rerun = false;
      this.enqueue(work);
      return;
    }
    if (result.kind === 'scheduled') {
      work.dueAtMs = result.dueAtMs;
      if (result.failedProvider !== undefined) {
        this.metrics.failures.inc({ provider: result.failedProvider, kind: 'retry' });
      }
      return;
    }
    this.works.delete(work.stream);
    for (const entry of work.entries) this.tracker!.close(entry);
    if (result.outcome !== undefined) this.observeSettled(result);
    const wake = this.wakeSubscription;
    this.wakeSubscription = undefined;
    wake?.();
  }

  private observeSettled(result: Extract<ProcessResult, { kind: 'settled' }>): void {
    const provider = result.state.provider;
    this.metrics.processed.inc({ provider, outcome: outcomeKind(result.outcome ?? '') });
    const lagMs = this.dependencies.nowMs() - Date.parse(result.state.receivedAt);
    if (Number.isFinite(lagMs))
      this.metrics.lagSeconds.observe({ provider }, Math.max(0, lagMs) / 1000);
  }

  /**
   * The safe position moves with all of `$all` (filtered checkpoints), so it is written at most
   * every `checkpointWriteIntervalMs` (and on stop): an older checkpoint is always safe, it only
   * means re-reading a little more of `$all` after a restart.
   */
  private async flushCheckpoint(force = false): Promise<void> {
    const position = this.tracker?.safePosition;
    if (position === undefined || position === this.lastWrittenPosition) return;
    if (!force && Date.now() - this.lastWrittenAtMs < checkpointWriteIntervalMs) return;
    try {
      await writeCheckpoint(this.options.eventStore, position);
      this.lastWrittenPosition = position;
      this.lastWrittenAtMs = Date.now();
    } catch (error) {
      // The next flush retries; until then a restart merely re-reads a few settled callbacks.
      this.options.logger.warn({ err: error }, 'webhook checkpoint not written');
    }
  }
}
