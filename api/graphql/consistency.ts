import { BadUserInputError, ConsistencyTimeoutError } from './errors.ts';
import type { Queryable } from './data/sql.ts';

/**
 * Read-your-writes: a request that carries `X-Consistency-Token` (the position a mutation
 * returned) reads the read models only once the projections have reached that position.
 */
export type WaitForPosition = (
  pool: Queryable,
  position: bigint,
  timeoutMs: number,
) => Promise<boolean | void>;

export const consistencyTimeoutDefaultMs = 2_000;
const pollIntervalMs = 25;

/** Projections whose tables the API reads; the webhook inbox does not see payment events. */
export const readModelProjections = ['payments', 'refunds', 'journal', 'audit_log'] as const;

export function parseConsistencyToken(header: string | null | undefined): bigint | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (!/^[0-9]{1,20}$/.test(text)) {
    throw new BadUserInputError('X-Consistency-Token must be a token returned by a mutation');
  }
  return BigInt(text);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

async function reached(database: Queryable, position: bigint): Promise<boolean> {
  const result = await database.query<{ behind: bigint | string; total: bigint | string }>(
    'SELECT count(*) FILTER (WHERE position IS NULL OR position < $1::bigint) AS behind, ' +
      'count(*) AS total FROM projection_checkpoints WHERE projection_name = ANY($2::text[])',
    [position.toString(), [...readModelProjections]],
  );
  const row = result.rows[0];
  return row !== undefined && BigInt(row.total) > 0n && BigInt(row.behind) === 0n;
}

/**
 * Until the read side's own waitForPosition is wired in: polls the checkpoint table. Bounded
 * by the deadline, so a stalled projection costs the request timeoutMs at most.
 */
export const pollCheckpoints: WaitForPosition = async (database, position, timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 100_000; attempt += 1) {
    if (await reached(database, position)) return true;
    if (Date.now() + pollIntervalMs > deadline) return false;
    await sleep(pollIntervalMs);
  }
  return false;
};

/** A per-request gate: the first read-model access waits; later ones reuse the same promise. */
export function consistencyGate(
  database: Queryable,
  token: bigint | undefined,
  waitForPosition: WaitForPosition,
  timeoutMs: number,
): () => Promise<Queryable> {
  if (token === undefined) return async () => database;
  let ready: Promise<Queryable> | undefined;
  return () => {
    ready ??= (async () => {
      let outcome: boolean | void;
      try {
        outcome = await waitForPosition(database, token, timeoutMs);
      } catch (error) {
        // The read side may report its time-out by throwing; anything else stays unexpected.
        if (error instanceof Error && /time ?out/i.test(`${error.name} ${error.message}`)) {
          throw new ConsistencyTimeoutError(timeoutMs);
        }
        throw error;
      }
      if (outcome === false) throw new ConsistencyTimeoutError(timeoutMs);
      return database;
    })();
    return ready;
  };
}
