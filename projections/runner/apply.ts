import type { StoredEvent } from '../../infra/eventstore/event-store.ts';
import type { PoolClient } from '../../infra/postgres/pool.ts';
import { assertIdentifier } from '../core/sql.ts';
import type { Projection } from '../core/types.ts';

/**
 * Applies events and whatever `alongside` writes (the checkpoint) in ONE transaction, with the
 * projection's tables resolved in `schema`: all of it commits, or none of it.
 */
export async function applyInTransaction(
  client: PoolClient,
  projection: Projection,
  events: readonly StoredEvent[],
  schema: string,
  alongside: (tx: PoolClient) => Promise<void>,
): Promise<void> {
  // One round trip opens the transaction. Rows and checkpoint commit together, so a PostgreSQL
  // crash that loses this commit loses both and the batch is applied again: the commit need not
  // wait for its WAL flush.
  await client.query(
    `BEGIN; SET LOCAL search_path TO ${assertIdentifier(schema)}; ` +
      'SET LOCAL synchronous_commit TO off',
  );
  try {
    if (events.length > 0) await projection.apply(events, client);
    await alongside(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export type CommitOutcome = { ok: true } | { ok: false; event: StoredEvent; error: unknown };

export interface BatchCommitter {
  /** Applies events and advances the checkpoint to `next`, in one transaction. */
  commit(events: readonly StoredEvent[], next: bigint): Promise<void>;
  isTransient(error: unknown): boolean;
}

/**
 * Commits a batch; when it fails for a reason that is not transient, commits its events one by
 * one to find the event that fails on its own: everything before it is applied, it is returned.
 */
export async function commitOrIsolate(
  committer: BatchCommitter,
  events: readonly StoredEvent[],
  endPosition: bigint,
): Promise<CommitOutcome> {
  try {
    await committer.commit(events, endPosition);
    return { ok: true };
  } catch (error) {
    if (committer.isTransient(error) || events.length === 0) throw error;
  }
  for (const event of events) {
    try {
      await committer.commit([event], event.position);
    } catch (error) {
      if (committer.isTransient(error)) throw error;
      return { ok: false, event, error };
    }
  }
  const last = events.at(-1);
  if (last !== undefined && endPosition > last.position) await committer.commit([], endPosition);
  return { ok: true };
}
