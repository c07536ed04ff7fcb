import type { ProjectionEventSource } from '../core/event-source.ts';
import type { Pool } from '../../infra/postgres/pool.ts';
import type { Projection } from '../core/types.ts';
import { skippedPositions } from '../runner/poison.ts';
import { rebuildInto, type RebuildResult } from './rebuild.ts';
import { createScratchTables, dropSchema, scratchSchemaName } from './scratch-schema.ts';
import { swapIntoLive } from './swap.ts';

export interface ReplayOptions {
  pool: Pool;
  eventStore: ProjectionEventSource;
  projection: Projection;
  batchSize: number;
  onProgress?: (progress: { position: bigint; events: number }) => void;
}

/**
 * Rebuilds a projection from the start of `$all` into a scratch schema while the live tables
 * keep serving (and keep being updated), then swaps the rebuilt tables in atomically.
 */
export async function replayProjection(options: ReplayOptions): Promise<RebuildResult> {
  const { pool, projection } = options;
  const schema = scratchSchemaName('rebuild', projection);
  const client = await pool.connect();
  try {
    await createScratchTables(client, projection, schema);
  } finally {
    client.release();
  }
  try {
    const key = { name: projection.name, version: projection.version };
    const result = await rebuildInto({
      pool,
      eventStore: options.eventStore,
      projection,
      schema,
      batchSize: options.batchSize,
      skippedPositions: await skippedPositions(pool, key),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    await swapIntoLive({
      pool,
      projection,
      schema,
      position: result.position,
      eventsApplied: result.events,
      lockTimeoutMs: 30_000,
    });
    return result;
  } catch (error) {
    const cleanup = await pool.connect();
    await dropSchema(cleanup, schema).finally(() => cleanup.release());
    throw error;
  }
}
