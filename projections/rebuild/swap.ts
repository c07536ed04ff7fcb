import type { Pool, PoolClient } from '../../infra/postgres/pool.ts';
import { inTransaction } from '../../infra/postgres/pool.ts';
import { assertIdentifier } from '../core/sql.ts';
import type { Projection } from '../core/types.ts';
import { ensureCheckpoint, type ProjectionState } from '../runner/checkpoints.ts';
import { dropSchema, scratchSchemaName } from './scratch-schema.ts';

/**
 * Pauses the live runner (wherever it runs): from this commit on, its checkpoint CAS fails, so
 * none of its batches can commit until the swap is done. Returns the state to restore on failure.
 */
export async function pauseProjection(pool: Pool, projection: Projection, reason: string) {
  const key = { name: projection.name, version: projection.version };
  const before = await ensureCheckpoint(pool, key);
  await pool.query(
    `UPDATE public.projection_checkpoints SET state = 'paused', paused_reason = $3, updated_at = now()
      WHERE projection_name = $1 AND projection_version = $2`,
    [key.name, key.version, reason],
  );
  return before.state;
}

export async function resumeProjection(pool: Pool, projection: Projection, state: ProjectionState) {
  await pool.query(
    `UPDATE public.projection_checkpoints SET state = $3, paused_reason = NULL, updated_at = now()
      WHERE projection_name = $1 AND projection_version = $2 AND state = 'paused'`,
    [projection.name, projection.version, state],
  );
}

async function moveTables(tx: PoolClient, projection: Projection, from: string, to: string) {
  for (const table of projection.tables) {
    const name = assertIdentifier(table.name);
    await tx.query(
      `ALTER TABLE ${assertIdentifier(from)}.${name} SET SCHEMA ${assertIdentifier(to)}`,
    );
  }
}

export interface SwapOptions {
  pool: Pool;
  projection: Projection;
  /** Schema holding the rebuilt tables. */
  schema: string;
  /** The position the rebuilt tables reflect: the live checkpoint after the swap. */
  position: bigint | undefined;
  eventsApplied: number;
  lockTimeoutMs: number;
}

/**
 * Swaps rebuilt tables in, atomically: readers see the old tables or the new ones, never a mix.
 * The live runner is paused first and resumes from `position` (the rebuild's) afterwards.
 */
export async function swapIntoLive(options: SwapOptions): Promise<void> {
  const { pool, projection } = options;
  const previous = await pauseProjection(pool, projection, 'replay swapping tables');
  const retired = scratchSchemaName('retired', projection);
  try {
    await inTransaction(pool, async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
      // Waits for an in-flight batch of the live runner, which fails its CAS and rolls back.
      const live = projection.tables.map((table) => `public.${assertIdentifier(table.name)}`);
      await tx.query(`LOCK TABLE ${live.join(', ')} IN ACCESS EXCLUSIVE MODE`);
      await dropSchema(tx, retired);
      await tx.query(`CREATE SCHEMA ${retired}`);
      await moveTables(tx, projection, 'public', retired);
      await moveTables(tx, projection, options.schema, 'public');
      await tx.query(
        `UPDATE public.projection_checkpoints
            SET position = $3, state = 'running', paused_reason = NULL, failed_position = NULL,
                events_applied = $4, rebuilt_at = now(), updated_at = now()
          WHERE projection_name = $1 AND projection_version = $2`,
        [projection.name, projection.version, options.position ?? null, options.eventsApplied],
      );
      await tx.query(
        `UPDATE public.projection_poison_events SET status = 'resolved', resolved_at = now()
          WHERE projection_name = $1 AND projection_version = $2
            AND status IN ('open', 'retrying') AND position <= $3`,
        [projection.name, projection.version, options.position ?? -1n],
      );
    });
  } catch (error) {
    await resumeProjection(pool, projection, previous);
    throw error;
  }
  const client = await pool.connect();
  try {
    await dropSchema(client, retired);
    await dropSchema(client, options.schema);
  } finally {
    client.release();
  }
}
