import DataLoader from 'dataloader';
import type { Principal } from '../auth/roles.ts';
import type { AuditEventView } from './data/audit.ts';
import type { JournalEntryView, JournalLineView } from './data/journal.ts';
import { journalEntriesByPaymentIds, journalLinesByEntryIds } from './data/journal.ts';
import { paymentsByIds } from './data/payments.ts';
import { refundsByIds, refundsByPaymentIds } from './data/refunds.ts';
import type { Queryable } from './data/sql.ts';
import type { PaymentView, RefundView } from './views.ts';

/**
 * Per-request batching: each loader turns the N lookups one GraphQL level makes into one SQL
 * query. Made fresh for every request, so nothing is cached across callers or tenants.
 */
export interface Loaders {
  paymentById: DataLoader<string, PaymentView | null>;
  refundById: DataLoader<string, RefundView | null>;
  refundsByPaymentId: DataLoader<string, RefundView[]>;
  journalEntriesByPaymentId: DataLoader<string, JournalEntryView[]>;
  journalLinesByEntryId: DataLoader<string, JournalLineView[]>;
  paymentHistory: DataLoader<string, AuditEventView[] | null>;
}

export interface LoaderSources {
  principal: Principal;
  /** The read pool, once the request's consistency token (if any) has been reached. */
  readModel: () => Promise<Queryable>;
  /** A payment's events from the event store, or undefined when missing or not the caller's. */
  paymentEvents: (paymentId: string) => Promise<AuditEventView[] | undefined>;
}

/** Bounds one batch: a page of 100 with aliases stays well under it. */
const batchSizeMax = 500;

function batched<Value>(
  load: (keys: readonly string[]) => Promise<Map<string, Value>>,
  missing: Value,
): DataLoader<string, Value> {
  return new DataLoader<string, Value>(
    async (keys) => {
      const found = await load(keys);
      return keys.map((key) => found.get(key) ?? missing);
    },
    { maxBatchSize: batchSizeMax },
  );
}

export function createLoaders(sources: LoaderSources): Loaders {
  const { principal, readModel } = sources;
  return {
    paymentById: batched(async (ids) => paymentsByIds(await readModel(), principal, ids), null),
    refundById: batched(async (ids) => refundsByIds(await readModel(), principal, ids), null),
    refundsByPaymentId: batched(
      async (ids) => refundsByPaymentIds(await readModel(), principal, ids),
      [],
    ),
    journalEntriesByPaymentId: batched(
      async (ids) => journalEntriesByPaymentIds(await readModel(), principal, ids),
      [],
    ),
    journalLinesByEntryId: batched(
      async (ids) => journalLinesByEntryIds(await readModel(), ids),
      [],
    ),
    // The event store reads one stream per call; the loader still dedupes repeated ids.
    paymentHistory: new DataLoader<string, AuditEventView[] | null>(
      (ids) => Promise.all(ids.map(async (id) => (await sources.paymentEvents(id)) ?? null)),
      { maxBatchSize: 100 },
    ),
  };
}
