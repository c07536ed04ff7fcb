import type { StoredEvent } from '../../infra/eventstore/event-store.ts';
import type { Pool, PoolClient } from '../../infra/postgres/pool.ts';
import { inTransaction } from '../../infra/postgres/pool.ts';
import type { ProjectionKey } from './checkpoints.ts';

export interface PoisonEventRow {
  projection_name: string;
  projection_version: number;
  position: bigint;
  event_id: string;
  stream: string;
  stream_revision: bigint;
  event_type: string;
  error: string;
  attempts: number;
  status: 'open' | 'retrying' | 'skipped' | 'resolved';
  first_failed_at: Date;
  last_failed_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
}

/** The operator asked for something the projection's state does not allow. */
export class OperatorActionError extends Error {
  override readonly name = 'OperatorActionError';
}

export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 4_000);
}

/**
 * Records the event a projection cannot apply and stops that projection (state 'failed'), in one
 * transaction, only if its checkpoint is still the one the runner read.
 */
export async function recordPoisonEvent(
  client: PoolClient,
  key: ProjectionKey,
  event: StoredEvent,
  error: unknown,
  checkpoint: bigint | null,
): Promise<boolean> {
  const message = describeError(error);
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO public.projection_poison_events (projection_name, projection_version, position,
         event_id, stream, stream_revision, event_type, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (projection_name, projection_version, position) DO UPDATE
         SET error = EXCLUDED.error, attempts = projection_poison_events.attempts + 1,
             status = 'open', last_failed_at = now(), resolved_at = NULL, resolved_by = NULL`,
      [
        key.name,
        key.version,
        event.position,
        event.id,
        event.stream,
        event.revision,
        event.type,
        message,
      ],
    );
    const stopped = await client.query(
      `UPDATE public.projection_checkpoints
          SET state = 'failed', failed_position = $3, last_error = $4, last_error_at = now(),
              updated_at = now()
        WHERE projection_name = $1 AND projection_version = $2
          AND position IS NOT DISTINCT FROM $5 AND state = 'running'`,
      [key.name, key.version, event.position, message, checkpoint],
    );
    await client.query(stopped.rowCount === 1 ? 'COMMIT' : 'ROLLBACK');
    return stopped.rowCount === 1;
  } catch (failure) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw failure;
  }
}

async function failedProjection(tx: PoolClient, name: string) {
  const result = await tx.query<{ projection_version: number; failed_position: bigint | null }>(
    `SELECT projection_version, failed_position FROM public.projection_checkpoints
      WHERE projection_name = $1 AND state = 'failed'
      ORDER BY projection_version DESC LIMIT 1 FOR UPDATE`,
    [name],
  );
  const row = result.rows[0];
  if (!row || row.failed_position === null) {
    throw new OperatorActionError(`projection ${name} is not stopped on a poison event`);
  }
  return { version: row.projection_version, failedPosition: row.failed_position };
}

/**
 * Operator: step over the poison event at `position` (it stays recorded as 'skipped', and a
 * rebuild skips it too). The projection resumes after it.
 */
export async function skipPoisonEvent(
  pool: Pool,
  name: string,
  position: bigint,
  actor = 'operator',
): Promise<void> {
  await inTransaction(pool, async (tx) => {
    const failed = await failedProjection(tx, name);
    if (failed.failedPosition !== position) {
      const message = `${name} is stopped at ${failed.failedPosition}, not at ${position}`;
      throw new OperatorActionError(message);
    }
    await tx.query(
      `UPDATE public.projection_poison_events
          SET status = 'skipped', resolved_at = now(), resolved_by = $4
        WHERE projection_name = $1 AND projection_version = $2 AND position = $3`,
      [name, failed.version, position, actor],
    );
    await tx.query(
      `UPDATE public.projection_checkpoints
          SET position = $3, state = 'running', failed_position = NULL, updated_at = now()
        WHERE projection_name = $1 AND projection_version = $2`,
      [name, failed.version, position],
    );
  });
}

/** Operator: try the poison event again (after a fix); it fails again or the projection goes on. */
export async function retryProjection(pool: Pool, name: string, actor = 'operator'): Promise<void> {
  await inTransaction(pool, async (tx) => {
    const failed = await failedProjection(tx, name);
    await tx.query(
      `UPDATE public.projection_poison_events SET status = 'retrying', resolved_by = $4
        WHERE projection_name = $1 AND projection_version = $2 AND position = $3`,
      [name, failed.version, failed.failedPosition, actor],
    );
    await tx.query(
      `UPDATE public.projection_checkpoints
          SET state = 'running', failed_position = NULL, updated_at = now()
        WHERE projection_name = $1 AND projection_version = $2`,
      [name, failed.version],
    );
  });
}

/** Poison events an operator skipped: a rebuild steps over exactly these, nothing else. */
export async function skippedPositions(database: Pool | PoolClient, key: ProjectionKey) {
  const result = await database.query<{ position: bigint }>(
    `SELECT position FROM public.projection_poison_events
      WHERE projection_name = $1 AND projection_version = $2 AND status = 'skipped'`,
    [key.name, key.version],
  );
  return new Set(result.rows.map((row) => row.position));
}

export async function poisonEvents(database: Pool | PoolClient, name?: string) {
  const result = await database.query<PoisonEventRow>(
    `SELECT * FROM public.projection_poison_events WHERE ($1::text IS NULL OR projection_name = $1)
      ORDER BY projection_name, position`,
    [name ?? null],
  );
  return result.rows;
}
