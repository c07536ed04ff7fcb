import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { ProjectionEventSource } from './core/event-source.ts';
import type { Registry } from 'prom-client';
import type { Logger } from '../infra/logging/logger.ts';
import type { BackgroundGate } from '../infra/runtime/background-gate.ts';
import type { Pool } from '../infra/postgres/pool.ts';
import { waitForPosition } from './consistency/wait-for-position.ts';
import type { Projection } from './core/types.ts';
import { allProjections } from './registry.ts';
import { connectionConfigOf } from './runner/lease.ts';
import { retryProjection, skipPoisonEvent } from './runner/poison.ts';
import { ProjectionRunner } from './runner/projection-runner.ts';
import { SharedEventSource } from './runner/shared-source.ts';
import { registerProjectionMetrics } from './status/metrics.ts';
import { readProjectionStatuses, type ProjectionStatus } from './status/status.ts';

export interface StartProjectionsOptions {
  pool: Pool;
  eventStore: ProjectionEventSource;
  logger: Logger;
  /** When given, the projection collectors are registered on it. */
  registry?: Registry;
  /** Events per transaction once live (bounded). Default 500. */
  batchSize?: number;
  /**
   * Events per transaction while a runner catches up (bounded; at least `batchSize`). Default
   * 2,000: per-batch costs are paid less often, and every runner holds at most this many events.
   */
  catchUpBatchSize?: number;
  /** Longest wait before a partial batch is committed. Default 100 ms. */
  flushIntervalMs?: number;
  /** How often a standby instance tries to take over. Default 1,000 ms. */
  lockPollMs?: number;
  projections?: readonly Projection[];
  /** Dedicated lock-holding connections; default: the pool's own settings. */
  connection?: pg.ClientConfig;
  instanceId?: string;
  /**
   * One `$all` subscription for the runners that start together (default), or one each (false):
   * sharing reads and decodes each event once instead of once per projection.
   */
  sharedRead?: boolean;
  /** Called after every committed batch (tests, bench). */
  onBatch?: (projection: string, events: number, durationMs: number) => void;
  /** Reads and batches wait while it is closed: the service gives way to its webhook intake. */
  gate?: BackgroundGate;
}

export interface RunningProjections {
  readonly instanceId: string;
  readonly runners: readonly ProjectionRunner[];
  stop(): Promise<void>;
  statuses(): Promise<ProjectionStatus[]>;
  skipPoisonEvent(name: string, position: bigint, actor?: string): Promise<void>;
  retryProjection(name: string, actor?: string): Promise<void>;
  waitForPosition(position: bigint, timeoutMs: number): Promise<void>;
}

function cached<Value>(load: () => Promise<Value>, maxAgeMs: number): () => Promise<Value> {
  let value: Promise<Value> | undefined;
  let loadedAtMs = 0;
  return () => {
    if (value === undefined || Date.now() - loadedAtMs > maxAgeMs) {
      loadedAtMs = Date.now();
      value = load().catch((error: unknown) => {
        value = undefined;
        throw error;
      });
    }
    return value;
  };
}

/**
 * Starts one runner per projection. Each takes its own lock, checkpoint, transactions and error
 * state, so a failing or rebuilding projection never holds the others back; runners that start
 * near the same position read `$all` through one shared subscription (see SharedEventSource).
 */
export function startProjections(options: StartProjectionsOptions): RunningProjections {
  const projections = options.projections ?? allProjections;
  const instanceId =
    options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const logger = options.logger.child({ component: 'projections' });
  const statuses = (): Promise<ProjectionStatus[]> =>
    readProjectionStatuses({
      pool: options.pool,
      eventStore: options.eventStore,
      projections,
      localStats: () => runners.map((runner: ProjectionRunner) => runner.stats),
    });
  const metrics = options.registry
    ? registerProjectionMetrics(options.registry, { statuses: cached(statuses, 2_000) })
    : undefined;
  const liveBatchSize = options.batchSize ?? 500;
  const catchUpBatchSize = Math.max(liveBatchSize, options.catchUpBatchSize ?? 2_000);
  const checkpointIntervalEvents = 32;
  const eventSource =
    options.sharedRead === false
      ? options.eventStore
      : new SharedEventSource(options.eventStore, {
          expectedSubscribers: projections.length,
          gatherMs: 1_000,
          // The fastest runner may work up to four catch-up batches ahead of the slowest.
          bufferMessagesMax: 4 * catchUpBatchSize,
          stallTimeoutMs: 15_000,
          checkpointIntervalEvents,
          shareWindowEvents: 10_000,
          ...(options.gate ? { gate: options.gate } : {}),
        });
  const runners: ProjectionRunner[] = projections.map(
    (projection) =>
      new ProjectionRunner({
        projection,
        eventStore: eventSource,
        connection: options.connection ?? connectionConfigOf(options.pool),
        logger,
        instanceId,
        batchSize: liveBatchSize,
        catchUpBatchSize,
        flushIntervalMs: options.flushIntervalMs ?? 100,
        lockPollMs: options.lockPollMs ?? 1_000,
        retryDelayMs: 1_000,
        checkpointIntervalEvents,
        idleScanEventsMax: 1_000,
        ...(options.gate ? { gate: options.gate } : {}),
        onBatch: (stats, events, durationMs) => {
          metrics?.batchApplied(stats, events, durationMs);
          options.onBatch?.(stats.name, events, durationMs);
        },
      }),
  );
  for (const runner of runners) runner.start();
  logger.info(
    { instanceId, projections: projections.map((item) => item.name) },
    'projections started',
  );
  return {
    instanceId,
    runners,
    stop: async () => {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
    statuses,
    skipPoisonEvent: (name, position, actor) =>
      skipPoisonEvent(options.pool, name, position, actor),
    retryProjection: (name, actor) => retryProjection(options.pool, name, actor),
    waitForPosition: (position, timeoutMs) =>
      waitForPosition(options.pool, position, timeoutMs, { projections }),
  };
}
