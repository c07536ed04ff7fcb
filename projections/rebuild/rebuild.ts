import type { ProjectionEventSource } from '../core/event-source.ts';
import type { StoredEvent } from '../../infra/eventstore/event-store.ts';
import type { Pool, PoolClient } from '../../infra/postgres/pool.ts';
import { subscriptionPrefixesFor, type Projection } from '../core/types.ts';
import { applyInTransaction } from '../runner/apply.ts';
import { batchesOf } from '../runner/batches.ts';

/** An event the projection cannot apply during a rebuild: nothing is swapped. */
export class RebuildFailedError extends Error {
  override readonly name = 'RebuildFailedError';
  constructor(
    readonly projection: string,
    readonly event: StoredEvent,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${projection} cannot apply ${event.type} at position ${event.position}: ${reason}`);
  }
}

export interface RebuildOptions {
  pool: Pool;
  eventStore: ProjectionEventSource;
  projection: Projection;
  schema: string;
  batchSize: number;
  /** Continue after this position (exclusive); undefined = from the start of `$all`. */
  fromPosition?: bigint;
  /** Stop at this position (inclusive); undefined = until caught up with the head. */
  untilPosition?: bigint;
  /** Poison events an operator skipped in the live projection: skipped here too. */
  skippedPositions: ReadonlySet<bigint>;
  onProgress?: (progress: { position: bigint; events: number }) => void;
}

export interface RebuildResult {
  /** Last position covered (events and server checkpoints), or the start position. */
  position: bigint | undefined;
  events: number;
}

function withinLimit(event: StoredEvent, options: RebuildOptions): boolean {
  return options.untilPosition === undefined || event.position <= options.untilPosition;
}

/** Replays `$all` into the projection's tables in `schema` (created beforehand), batch by batch. */
export async function rebuildInto(options: RebuildOptions): Promise<RebuildResult> {
  const handled = new Set(options.projection.handles);
  const client = await options.pool.connect();
  let position = options.fromPosition;
  let events = 0;
  try {
    const messages = options.eventStore.subscribeToAll({
      ...(options.fromPosition === undefined ? {} : { fromPosition: options.fromPosition }),
      eventTypePrefixes: subscriptionPrefixesFor(options.projection),
      checkpointIntervalEvents: 256,
    });
    const batches = batchesOf(messages, {
      batchSize: options.batchSize,
      flushIntervalMs: 1_000,
      accept: (event) => handled.has(event.type) && !options.skippedPositions.has(event.position),
    });
    for await (const batch of batches) {
      const mine = batch.events.filter((event) => withinLimit(event, options));
      await applyBatch(client, options, mine);
      events += mine.length;
      const end = batch.endPosition;
      const limit = options.untilPosition;
      const reachedLimit = limit !== undefined && end !== undefined && end >= limit;
      if (end !== undefined) position = limit !== undefined && end > limit ? limit : end;
      if (position !== undefined) options.onProgress?.({ position, events });
      if (batch.caughtUp || reachedLimit) break;
    }
  } finally {
    client.release();
  }
  return { position, events };
}

async function applyBatch(
  client: PoolClient,
  options: RebuildOptions,
  events: readonly StoredEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const noCheckpoint = async () => undefined;
  try {
    await applyInTransaction(client, options.projection, events, options.schema, noCheckpoint);
  } catch {
    // Find the event that fails on its own, for an actionable message; earlier ones stay applied.
    for (const event of events) {
      try {
        await applyInTransaction(client, options.projection, [event], options.schema, noCheckpoint);
      } catch (error) {
        throw new RebuildFailedError(options.projection.name, event, error);
      }
    }
  }
}
