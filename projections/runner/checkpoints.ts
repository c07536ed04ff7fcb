import type { Pool, PoolClient } from '../../infra/postgres/pool.ts';

export type ProjectionState = 'running' | 'failed' | 'paused';

/** A projection's progress row. Positions are `$all` commit positions, bigint end to end. */
export interface CheckpointRow {
  projection_name: string;
  projection_version: number;
  position: bigint | null;
  state: ProjectionState;
  paused_reason: string | null;
  failed_position: bigint | null;
  last_error: string | null;
  last_error_at: Date | null;
  events_applied: bigint;
  last_event_recorded_at: Date | null;
  owner_instance: string | null;
  owner_since: Date | null;
  rebuilt_at: Date | null;
  updated_at: Date;
}

export interface ProjectionKey {
  name: string;
  version: number;
}

type Database = Pool | PoolClient;

/** Another writer moved the checkpoint (a second runner, a replay, an operator): stop and reload. */
export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
  constructor(
    readonly projection: string,
    readonly expected: bigint | null,
  ) {
    super(`checkpoint of ${projection} is no longer at ${String(expected)}, or it is paused`);
  }
}

export async function ensureCheckpoint(
  database: Database,
  key: ProjectionKey,
): Promise<CheckpointRow> {
  await database.query(
    `INSERT INTO public.projection_checkpoints (projection_name, projection_version)
     VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [key.name, key.version],
  );
  const row = await readCheckpoint(database, key);
  if (!row) throw new Error(`checkpoint row of ${key.name} v${key.version} vanished`);
  return row;
}

export async function readCheckpoint(
  database: Database,
  key: ProjectionKey,
): Promise<CheckpointRow | undefined> {
  const result = await database.query<CheckpointRow>(
    `SELECT * FROM public.projection_checkpoints
      WHERE projection_name = $1 AND projection_version = $2`,
    [key.name, key.version],
  );
  return result.rows[0];
}

export async function readAllCheckpoints(database: Database): Promise<CheckpointRow[]> {
  const result = await database.query<CheckpointRow>(
    'SELECT * FROM public.projection_checkpoints ORDER BY projection_name, projection_version',
  );
  return result.rows;
}

export interface CheckpointAdvance {
  expected: bigint | null;
  next: bigint;
  eventsApplied: number;
  lastEventRecordedAt: Date | null;
}

/**
 * Compare-and-set inside the batch's transaction: only the runner that read `expected` may
 * move it, and never while the projection is paused or failed. Poison events an operator asked
 * to retry are resolved once the checkpoint passes them, in the same statement (one round trip).
 */
export async function advanceCheckpoint(
  tx: PoolClient,
  key: ProjectionKey,
  advance: CheckpointAdvance,
): Promise<void> {
  const result = await tx.query<{ advanced: string }>(
    `WITH advanced AS (
       UPDATE public.projection_checkpoints
          SET position = $3, events_applied = events_applied + $4,
              last_event_recorded_at = COALESCE($5, last_event_recorded_at), updated_at = now()
        WHERE projection_name = $1 AND projection_version = $2
          AND position IS NOT DISTINCT FROM $6 AND state = 'running' AND $3 > COALESCE($6, -1)
       RETURNING 1
     ), resolved AS (
       UPDATE public.projection_poison_events SET status = 'resolved', resolved_at = now()
        WHERE projection_name = $1 AND projection_version = $2 AND status = 'retrying'
          AND position <= $3 AND EXISTS (SELECT 1 FROM advanced)
     )
     SELECT count(*)::text AS advanced FROM advanced`,
    [
      key.name,
      key.version,
      advance.next,
      advance.eventsApplied,
      advance.lastEventRecordedAt?.toISOString() ?? null,
      advance.expected,
    ],
  );
  if (result.rows[0]?.advanced !== '1')
    throw new CheckpointConflictError(key.name, advance.expected);
}

export async function claimOwnership(
  database: Database,
  key: ProjectionKey,
  instanceId: string,
): Promise<void> {
  await database.query(
    `UPDATE public.projection_checkpoints SET owner_instance = $3, owner_since = now()
      WHERE projection_name = $1 AND projection_version = $2`,
    [key.name, key.version, instanceId],
  );
}
