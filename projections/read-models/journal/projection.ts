import type { StoredEvent } from '../../../infra/eventstore/event-store.ts';
import type { PoolClient } from '../../../infra/postgres/pool.ts';
import { PAYMENT_EVENT_TYPES } from '../../../domain/payment/index.ts';
import {
  isBalanced,
  postingsFor,
  providerLineEntry,
  type JournalEntry,
} from '../../../domain/journal/index.ts';
import {
  BOOKING_EVENT_TYPES,
  decodeBookingEvent,
  isBookingEventType,
  providerLineOf,
} from '../../../domain/reconciliation/index.ts';
import { decodePaymentEvent, tenantOf } from '../../core/decode.ts';
import { insertRows, type ColumnSpec } from '../../core/sql.ts';
import { ProjectionInvariantError, type Projection } from '../../core/types.ts';

interface Posted {
  entry: JournalEntry;
  event: StoredEvent;
  tenantId: string;
  paymentId: string;
  description: string;
}

const entryColumns: readonly ColumnSpec[] = [
  { name: 'entry_id', type: 'text' },
  { name: 'event_id', type: 'uuid' },
  { name: 'global_position', type: 'bigint' },
  { name: 'stream', type: 'text' },
  { name: 'stream_revision', type: 'bigint' },
  ...['event_type', 'tenant_id', 'payment_id', 'description'].map((name) => ({
    name,
    type: 'text',
  })),
  { name: 'occurred_at', type: 'timestamptz' },
  { name: 'recorded_at', type: 'timestamptz' },
];

const lineColumns: readonly ColumnSpec[] = [
  { name: 'entry_id', type: 'text' },
  { name: 'line_number', type: 'integer' },
  ...['tenant_id', 'account', 'currency'].map((name) => ({ name, type: 'text' })),
  { name: 'debit', type: 'bigint' },
  { name: 'credit', type: 'bigint' },
  { name: 'occurred_at', type: 'timestamptz' },
];

const balanceColumns: readonly ColumnSpec[] = [
  ...['tenant_id', 'account', 'currency'].map((name) => ({ name, type: 'text' })),
  ...['debits', 'credits', 'balance', 'line_count'].map((name) => ({ name, type: 'bigint' })),
  { name: 'updated_at', type: 'timestamptz' },
];

/**
 * A provider line booked by reconciliation (a refund's or dispute's movement of the provider
 * balance with its fee, a payout), to the books it names. An entry not about a payment (a
 * payout) carries the provider's payout id, or the line id, where a payment id would be.
 */
function bookedLine(event: StoredEvent): Omit<Posted, 'event'> {
  const version = event.metadata.schemaVersion;
  const { data } = decodeBookingEvent(
    event.type,
    event.data,
    typeof version === 'number' ? version : 0,
  );
  return {
    entry: providerLineEntry(providerLineOf(data)),
    tenantId: data.tenantId,
    paymentId: data.paymentId ?? data.itemId ?? data.lineId,
    description: `${data.kind} line ${data.lineId} of the provider's report`,
  };
}

function postedOf(event: StoredEvent): Omit<Posted, 'event'> | null {
  if (isBookingEventType(event.type)) return bookedLine(event);
  const decoded = decodePaymentEvent(event);
  const entry = postingsFor(decoded);
  if (entry === null) return null;
  const paymentId = decoded.data.paymentId;
  const description = `${event.type} of payment ${paymentId}`;
  return { entry, tenantId: tenantOf(event), paymentId, description };
}

/** The batch's entries by the domain's rules, first occurrence of each entry id only. */
function postBatch(batch: readonly StoredEvent[]): Posted[] {
  const posted = new Map<string, Posted>();
  for (const event of batch) {
    const item = postedOf(event);
    if (item === null || posted.has(item.entry.entryId)) continue;
    if (!isBalanced(item.entry)) {
      throw new ProjectionInvariantError(`entry ${item.entry.entryId} does not balance`);
    }
    posted.set(item.entry.entryId, { ...item, event });
  }
  return [...posted.values()];
}

function entryRow({ entry, event, tenantId, paymentId, description }: Posted): unknown[] {
  return [
    ...[entry.entryId, event.id, event.position, event.stream, event.revision, event.type],
    ...[tenantId, paymentId, description, entry.occurredAt],
    event.recordedAt.toISOString(),
  ];
}

interface Line {
  entryId: string;
  lineNumber: number;
  tenantId: string;
  account: string;
  currency: string;
  debit: bigint;
  credit: bigint;
  occurredAt: string;
}

function linesOf({ entry, tenantId }: Posted): Line[] {
  return entry.lines.map((line, index) => ({
    entryId: entry.entryId,
    lineNumber: index + 1,
    tenantId,
    account: line.account,
    currency: entry.currency,
    debit: line.side === 'debit' ? line.amount : 0n,
    credit: line.side === 'credit' ? line.amount : 0n,
    occurredAt: entry.occurredAt,
  }));
}

function lineRow(line: Line): unknown[] {
  return [
    ...[line.entryId, line.lineNumber, line.tenantId, line.account, line.currency],
    ...[line.debit, line.credit, line.occurredAt],
  ];
}

interface BalanceDelta {
  tenantId: string;
  account: string;
  currency: string;
  debits: bigint;
  credits: bigint;
  lineCount: bigint;
  latestMs: number;
}

/** Lines summed per account: one upsert row per account and currency touched. */
function balanceRows(lines: readonly Line[]): unknown[][] {
  const deltas = new Map<string, BalanceDelta>();
  for (const line of lines) {
    const key = JSON.stringify([line.tenantId, line.account, line.currency]);
    const delta = deltas.get(key) ?? {
      tenantId: line.tenantId,
      account: line.account,
      currency: line.currency,
      debits: 0n,
      credits: 0n,
      lineCount: 0n,
      latestMs: Number.NEGATIVE_INFINITY,
    };
    delta.debits += line.debit;
    delta.credits += line.credit;
    delta.lineCount += 1n;
    delta.latestMs = Math.max(delta.latestMs, Date.parse(line.occurredAt));
    deltas.set(key, delta);
  }
  return [...deltas.values()].map((delta) => [
    ...[delta.tenantId, delta.account, delta.currency, delta.debits, delta.credits],
    ...[delta.debits - delta.credits, delta.lineCount, new Date(delta.latestMs).toISOString()],
  ]);
}

/** For every currency the batch touched, all balances must still sum to zero. */
async function assertZeroSum(tx: PoolClient, currencies: string[]): Promise<void> {
  const unbalanced = await tx.query<{ currency: string; total: string }>(
    `SELECT currency, sum(balance)::text AS total FROM account_balances
      WHERE currency = ANY($1::text[]) GROUP BY currency HAVING sum(balance) <> 0`,
    [currencies],
  );
  if (unbalanced.rows.length > 0) {
    const detail = unbalanced.rows.map((row) => `${row.currency} ${row.total}`).join(', ');
    throw new ProjectionInvariantError(`journal does not sum to zero: ${detail}`);
  }
}

async function apply(batch: readonly StoredEvent[], tx: PoolClient): Promise<void> {
  const posted = postBatch(batch);
  if (posted.length === 0) return;
  // Entry ids are deterministic: a repeat inserts nothing, so its lines are not booked twice.
  const inserted = await insertRows<{ entry_id: string }>(tx, {
    table: 'journal_entries',
    columns: entryColumns,
    rows: posted.map(entryRow),
    onConflict: 'ON CONFLICT (entry_id) DO NOTHING RETURNING entry_id',
  });
  const fresh = new Set(inserted.map((row) => row.entry_id));
  const lines = posted.filter((item) => fresh.has(item.entry.entryId)).flatMap(linesOf);
  if (lines.length === 0) return;
  const rows = lines.map(lineRow);
  await insertRows(tx, { table: 'journal_lines', columns: lineColumns, rows, onConflict: '' });
  await insertRows(tx, {
    table: 'account_balances',
    columns: balanceColumns,
    rows: balanceRows(lines),
    onConflict: `ON CONFLICT (tenant_id, account, currency) DO UPDATE SET
      debits = account_balances.debits + EXCLUDED.debits,
      credits = account_balances.credits + EXCLUDED.credits,
      balance = account_balances.balance + EXCLUDED.balance,
      line_count = account_balances.line_count + EXCLUDED.line_count,
      updated_at = GREATEST(account_balances.updated_at, EXCLUDED.updated_at)`,
  });
  await assertZeroSum(tx, [...new Set(posted.map((item) => item.entry.currency as string))]);
}

/** The double-entry journal (entries, lines) and the running balance of every account. */
export const journalProjection: Projection = {
  name: 'journal',
  version: 1,
  handles: [...PAYMENT_EVENT_TYPES, ...BOOKING_EVENT_TYPES],
  tables: [
    { name: 'journal_entries', key: ['entry_id'] },
    { name: 'journal_lines', key: ['entry_id', 'line_number'] },
    { name: 'account_balances', key: ['tenant_id', 'account', 'currency'] },
  ],
  apply,
};
