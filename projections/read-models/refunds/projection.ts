import type { StoredEvent } from '../../../infra/eventstore/event-store.ts';
import type { PoolClient } from '../../../infra/postgres/pool.ts';
import type { PaymentEventOf } from '../../../domain/payment/index.ts';
import { decodePaymentEvent, tenantOf } from '../../core/decode.ts';
import { excludedAssignments, insertRows, type ColumnSpec } from '../../core/sql.ts';
import { ProjectionInvariantError, type Projection } from '../../core/types.ts';

export type RefundStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** A `refunds` row as pg returns it. */
export interface RefundRow {
  refund_id: string;
  payment_id: string;
  tenant_id: string;
  status: RefundStatus;
  amount: bigint;
  currency: string;
  reason: string | null;
  failure_reason: string | null;
  requested_at: Date;
  resolved_at: Date | null;
  created_at: Date;
  updated_at: Date;
  last_stream_revision: bigint;
  last_position: bigint;
}

/** The row being folded; instants stay ISO strings until written. */
interface RefundDraft {
  refundId: string;
  paymentId: string;
  tenantId: string;
  status: RefundStatus;
  amount: bigint;
  currency: string;
  reason: string | null;
  failureReason: string | null;
  requestedAt: string;
  resolvedAt: string | null;
  revision: bigint;
  position: bigint;
  changed: boolean;
}

const columns: readonly ColumnSpec[] = [
  ...['refund_id', 'payment_id', 'tenant_id', 'status'].map((name) => ({ name, type: 'text' })),
  { name: 'amount', type: 'bigint' },
  ...['currency', 'reason', 'failure_reason'].map((name) => ({ name, type: 'text' })),
  ...['requested_at', 'resolved_at', 'created_at', 'updated_at'].map((name) => ({
    name,
    type: 'timestamptz',
  })),
  { name: 'last_stream_revision', type: 'bigint' },
  { name: 'last_position', type: 'bigint' },
];

type RefundEvent = PaymentEventOf<'RefundRequested' | 'RefundSucceeded' | 'RefundFailed'>;

function draftFromRow(row: RefundRow): RefundDraft {
  return {
    refundId: row.refund_id,
    paymentId: row.payment_id,
    tenantId: row.tenant_id,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    reason: row.reason,
    failureReason: row.failure_reason,
    requestedAt: row.requested_at.toISOString(),
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    revision: row.last_stream_revision,
    position: row.last_position,
    changed: false,
  };
}

/** Same rules as the domain's fold: an outcome applies once, to a pending refund. */
function evolveRefund(draft: RefundDraft | undefined, event: RefundEvent, stored: StoredEvent) {
  if (event.type === 'RefundRequested') {
    if (draft !== undefined) return draft;
    return {
      refundId: event.data.refundId,
      paymentId: event.data.paymentId,
      tenantId: tenantOf(stored),
      status: 'PENDING',
      amount: BigInt(event.data.amount),
      currency: event.data.currency,
      reason: event.data.reason,
      failureReason: null,
      requestedAt: event.data.requestedAt,
      resolvedAt: null,
      revision: -1n,
      position: 0n,
      changed: false,
    } satisfies RefundDraft;
  }
  if (draft === undefined) {
    throw new ProjectionInvariantError(`${event.type} for unknown refund ${event.data.refundId}`);
  }
  if (draft.status !== 'PENDING') return draft;
  if (event.type === 'RefundSucceeded') {
    return { ...draft, status: 'SUCCEEDED', resolvedAt: event.data.succeededAt } as const;
  }
  return {
    ...draft,
    status: 'FAILED',
    failureReason: event.data.reason,
    resolvedAt: event.data.failedAt,
  } as const;
}

function updatedAtOf(draft: RefundDraft): string {
  return draft.resolvedAt ?? draft.requestedAt;
}

async function apply(batch: readonly StoredEvent[], tx: PoolClient): Promise<void> {
  if (batch.length === 0) return;
  const refundIds = [...new Set(batch.map((event) => String(event.data.refundId)))];
  const existing = await tx.query<RefundRow>(
    'SELECT * FROM refunds WHERE refund_id = ANY($1::text[])',
    [refundIds],
  );
  const drafts = new Map(existing.rows.map((row) => [row.refund_id, draftFromRow(row)]));
  for (const stored of batch) {
    const event = decodePaymentEvent(stored) as RefundEvent;
    const current = drafts.get(event.data.refundId);
    if (current !== undefined && stored.revision <= current.revision) continue;
    const next = evolveRefund(current, event, stored);
    drafts.set(event.data.refundId, {
      ...next,
      revision: stored.revision,
      position: stored.position,
      changed: true,
    });
  }
  const rows = [...drafts.values()]
    .filter((draft) => draft.changed)
    .map((draft) => [
      ...[draft.refundId, draft.paymentId, draft.tenantId, draft.status, draft.amount],
      ...[draft.currency, draft.reason, draft.failureReason, draft.requestedAt, draft.resolvedAt],
      ...[draft.requestedAt, updatedAtOf(draft), draft.revision, draft.position],
    ]);
  await insertRows(tx, {
    table: 'refunds',
    columns,
    rows,
    onConflict:
      `ON CONFLICT (refund_id) DO UPDATE SET ${excludedAssignments(columns, ['refund_id'])} ` +
      'WHERE refunds.last_stream_revision < EXCLUDED.last_stream_revision',
  });
}

/** `refunds`: one row per refund with its status. */
export const refundsProjection: Projection = {
  name: 'refunds',
  version: 1,
  handles: ['RefundRequested', 'RefundSucceeded', 'RefundFailed'],
  tables: [{ name: 'refunds', key: ['refund_id'] }],
  apply,
};
