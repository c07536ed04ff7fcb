import { ConsistencyTimeoutError as ReadSideTimeoutError } from '../../projections/consistency/wait-for-position.ts';
import { BadUserInputError, ConsistencyTimeoutError } from './errors.ts';
import type { Queryable } from './data/sql.ts';

/**
 * Read-your-writes: a request that carries `X-Consistency-Token` (the position a mutation
 * returned) reads the read models only once the projections have reached that position.
 * The read side's waitForPosition resolves when they have, and throws when time runs out.
 */
export type WaitForPosition = (position: bigint, timeoutMs: number) => Promise<void>;

export const consistencyTimeoutDefaultMs = 2_000;

export function parseConsistencyToken(header: string | null | undefined): bigint | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (!/^[0-9]{1,20}$/.test(text)) {
    throw new BadUserInputError('X-Consistency-Token must be a token returned by a mutation');
  }
  return BigInt(text);
}

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
      try {
        await waitForPosition(token, timeoutMs);
      } catch (error) {
        if (error instanceof ReadSideTimeoutError) throw new ConsistencyTimeoutError(timeoutMs);
        throw error;
      }
      return database;
    })();
    return ready;
  };
}
