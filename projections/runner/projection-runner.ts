import type pg from 'pg';
import type { ProjectionEventSource } from '../core/event-source.ts';
import type { StoredEvent } from '../../infra/eventstore/event-store.ts';
import type { Logger } from '../../infra/logging/logger.ts';
import { ungated, type BackgroundGate } from '../../infra/runtime/background-gate.ts';
import type { PoolClient } from '../../infra/postgres/pool.ts';
import { subscriptionPrefixesFor, type Projection } from '../core/types.ts';
import { applyInTransaction, commitOrIsolate } from './apply.ts';
import { batchesOf, type Batch } from './batches.ts';
import {
  advanceCheckpoint,
  claimOwnership,
  ensureCheckpoint,
  readCheckpoint,
  type ProjectionKey,
} from './checkpoints.ts';
import { isTransient } from './errors.ts';
import { ProjectionLease } from './lease.ts';
import { describeError, recordPoisonEvent } from './poison.ts';
import { RunnerStats } from './stats.ts';

export interface RunnerOptions {
  projection: Projection;
  eventStore: ProjectionEventSource;
  connection: pg.ClientConfig;
  logger: Logger;
  instanceId: string;
  batchSize: number;
  /** Events per batch until the subscription first catches up (see batchesOf). */
  catchUpBatchSize: number;
  flushIntervalMs: number;
  /** How often a standby tries the lock, and a stopped projection re-reads its state. */
  lockPollMs: number;
  /** Pause after a transient failure before subscribing again. */
  retryDelayMs: number;
  /** How many filtered-out events may pass before the server reports its position. */
  checkpointIntervalEvents: number;
  /** Largest stretch of `$all` read to prove an idle projection may skip to the head. */
  idleScanEventsMax: number;
  onBatch?: (stats: RunnerStats, events: number, durationMs: number) => void;
  /** Batches wait while it is closed (foreground work goes first); they grow meanwhile. */
  gate?: BackgroundGate;
}

/** How often a batch held back by the gate looks again. */
const gatePollMs = 10;

interface Cursor {
  position: bigint | null;
}

/** Runs one projection: waits for its lock, then follows `$all` from its checkpoint. */
export class ProjectionRunner {
  readonly stats: RunnerStats;
  private readonly key: ProjectionKey;
  private readonly handled: ReadonlySet<string>;
  private readonly logger: Logger;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private lease: ProjectionLease | undefined;
  private wakeSleeper: (() => void) | undefined;
  private lastIdleScanMs = 0;

  constructor(private readonly options: RunnerOptions) {
    const { name, version } = options.projection;
    this.key = { name, version };
    this.stats = new RunnerStats(name, version);
    this.handled = new Set(options.projection.handles);
    this.logger = options.logger.child({ projection: name, version });
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the batch in hand, then releases the lock; forced after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.wakeSleeper?.();
    const forced = setTimeout(() => void this.lease?.release(), graceMs);
    await this.loop;
    clearTimeout(forced);
    this.stats.role = 'stopped';
  }

  private async sleep(ms: number): Promise<void> {
    if (this.stopping) return;
    await new Promise<void>((resolveSleep) => {
      const timer = setTimeout(resolveSleep, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolveSleep();
      };
    });
    this.wakeSleeper = undefined;
  }

  private async run(): Promise<void> {
    for (let round = 0; !this.stopping; round += 1) {
      const lease = await ProjectionLease.tryAcquire(this.options.connection, this.key.name).catch(
        (error: unknown) => {
          this.fail('could not reach PostgreSQL for the projection lock', error);
          return undefined;
        },
      );
      if (lease === undefined) {
        this.stats.role = 'standby';
        await this.sleep(this.options.lockPollMs);
        continue;
      }
      this.lease = lease;
      try {
        await this.lead(lease);
      } catch (error) {
        this.fail('projection runner failed; retrying', error);
      } finally {
        await lease.release();
        this.lease = undefined;
        this.stats.role = 'standby';
      }
      await this.sleep(this.options.retryDelayMs);
    }
  }

  private fail(message: string, error: unknown): void {
    this.stats.recordError(describeError(error));
    this.logger.warn({ err: error }, message);
  }

  private async lead(lease: ProjectionLease): Promise<void> {
    const client = lease.client as unknown as PoolClient;
    await ensureCheckpoint(client, this.key);
    await claimOwnership(client, this.key, this.options.instanceId);
    this.stats.role = 'leader';
    this.logger.info({ instance: this.options.instanceId }, 'projection leadership acquired');
    while (!this.stopping && lease.alive) {
      const row = await readCheckpoint(client, this.key);
      if (row === undefined) throw new Error(`checkpoint row of ${this.key.name} is missing`);
      this.stats.checkpoint = row.position;
      if (row.state !== 'running') {
        this.stats.phase = row.state;
        await this.sleep(this.options.lockPollMs);
        continue;
      }
      try {
        await this.follow(lease, client, { position: row.position });
      } catch (error) {
        if (!isTransient(error)) throw error;
        this.fail('transient failure; resubscribing from the stored checkpoint', error);
        await this.sleep(this.options.retryDelayMs);
      }
    }
  }

  private async follow(lease: ProjectionLease, client: PoolClient, cursor: Cursor): Promise<void> {
    this.stats.phase = 'catching_up';
    const messages = this.options.eventStore.subscribeToAll({
      ...(cursor.position === null ? {} : { fromPosition: cursor.position }),
      eventTypePrefixes: subscriptionPrefixesFor(this.options.projection),
      checkpointIntervalEvents: this.options.checkpointIntervalEvents,
    });
    const batches = batchesOf(messages, {
      batchSize: this.options.batchSize,
      catchUpBatchSize: this.options.catchUpBatchSize,
      flushIntervalMs: this.options.flushIntervalMs,
      accept: (event) => this.handled.has(event.type),
    });
    for await (const batch of batches) {
      if (this.stopping || !lease.alive) return;
      if (batch.caughtUp) this.stats.phase = 'live';
      if (batch.events.length === 0 && batch.endPosition === undefined) {
        await this.advanceWhenIdle(client, cursor);
        continue;
      }
      // Waits in sleeps that stop() cuts short.
      const gate = this.options.gate ?? ungated;
      while (!gate.open() && !this.stopping) await this.sleep(gatePollMs);
      if (this.stopping || !lease.alive) return;
      if (!(await this.commitBatch(client, cursor, batch))) return;
    }
  }

  /** Applies a batch; false when it stopped on a poison event (now recorded). */
  private async commitBatch(client: PoolClient, cursor: Cursor, batch: Batch): Promise<boolean> {
    const end = batch.endPosition;
    if (end === undefined || (cursor.position !== null && end <= cursor.position)) return true;
    // An event at or before the checkpoint is already reflected (or proven irrelevant).
    const events = batch.events.filter(
      (event) => cursor.position === null || event.position > cursor.position,
    );
    const outcome = await commitOrIsolate(
      { commit: (part, next) => this.commit(client, cursor, part, next), isTransient },
      events,
      end,
    );
    if (outcome.ok) return true;
    const stopped = await recordPoisonEvent(
      client,
      this.key,
      outcome.event,
      outcome.error,
      cursor.position,
    );
    this.stats.phase = 'failed';
    this.fail(`poison event at ${outcome.event.position}: projection stopped`, outcome.error);
    if (!stopped) this.logger.warn('checkpoint moved while recording the poison event');
    return false;
  }

  private async commit(
    client: PoolClient,
    cursor: Cursor,
    events: readonly StoredEvent[],
    next: bigint,
  ): Promise<void> {
    const startedMs = performance.now();
    const lastRecordedAt = events.at(-1)?.recordedAt ?? null;
    await applyInTransaction(client, this.options.projection, events, 'public', async (tx) => {
      await advanceCheckpoint(tx, this.key, {
        expected: cursor.position,
        next,
        eventsApplied: events.length,
        lastEventRecordedAt: lastRecordedAt,
      });
    });
    cursor.position = next;
    this.stats.checkpoint = next;
    const durationMs = performance.now() - startedMs;
    this.stats.recordBatch(events.length, durationMs, lastRecordedAt);
    this.options.onBatch?.(this.stats, events.length, durationMs);
  }

  /**
   * With nothing to read, move the checkpoint over events of other types up to the head, so
   * that read-your-writes waits end for writes this projection does not handle. Safe only after
   * reading that stretch of `$all` and finding none of this projection's events in it.
   */
  private async advanceWhenIdle(client: PoolClient, cursor: Cursor): Promise<void> {
    const nowMs = Date.now();
    if (nowMs - this.lastIdleScanMs < Math.max(this.options.flushIntervalMs, 1_000)) return;
    this.lastIdleScanMs = nowMs;
    const head = await this.options.eventStore.headPosition();
    if (cursor.position !== null && head <= cursor.position) {
      this.stats.phase = 'live';
      return;
    }
    const limit = this.options.idleScanEventsMax;
    const page = await this.options.eventStore.readAllPage(cursor.position ?? undefined, limit);
    // The page is a contiguous stretch of `$all` after the checkpoint: if none of it is ours,
    // the checkpoint may move to its end (not beyond: what lies past the page is unread).
    const stretch = page.filter(
      (event) => cursor.position === null || event.position > cursor.position,
    );
    const end = stretch.at(-1)?.position;
    if (end === undefined) this.stats.phase = 'live';
    if (end === undefined || stretch.some((event) => this.handled.has(event.type))) return;
    await this.commit(client, cursor, [], end);
    if (end < head) return;
    this.stats.phase = 'live';
  }
}
