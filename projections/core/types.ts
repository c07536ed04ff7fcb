import type { StoredEvent } from '../../infra/eventstore/event-store.ts';
import type { PoolClient } from '../../infra/postgres/pool.ts';

/** A table a projection owns: rebuilt, swapped and verified together with its siblings. */
export interface ProjectionTable {
  readonly name: string;
  /** Columns that identify a row, for drift reports. */
  readonly key: readonly string[];
}

/**
 * A read model: which events it handles and how a batch of them becomes SQL. `apply` writes
 * only through the transaction it is given, with unqualified table names: the runner sets the
 * search_path, so the same code fills the live tables and a rebuild's scratch schema.
 * `apply` must be idempotent: it may see an event it has already applied (per-row revision guard).
 */
export interface Projection {
  readonly name: string;
  readonly version: number;
  readonly handles: readonly string[];
  readonly tables: readonly ProjectionTable[];
  apply(batch: readonly StoredEvent[], tx: PoolClient): Promise<void>;
}

/** The ledger's own event-type families: the server-side prefix filter of every subscription. */
export const LEDGER_EVENT_TYPE_PREFIXES = [
  'Payment',
  'Refund',
  'Dispute',
  'Webhook',
  'Reconciliation',
] as const;

/** The prefixes that cover a projection's event types, so the server filters for it. */
export function subscriptionPrefixesFor(projection: Projection): string[] {
  const prefixes = LEDGER_EVENT_TYPE_PREFIXES.filter((prefix) =>
    projection.handles.some((type) => type.startsWith(prefix)),
  );
  const uncovered = projection.handles.filter(
    (type) => !prefixes.some((prefix) => type.startsWith(prefix)),
  );
  if (uncovered.length > 0) {
    throw new Error(`${projection.name} handles types outside the ledger: ${uncovered.join(', ')}`);
  }
  return prefixes;
}

/** A broken invariant found while projecting: the batch is poison, never committed. */
export class ProjectionInvariantError extends Error {
  override readonly name = 'ProjectionInvariantError';
}
