import type { Principal } from '../../auth/roles.ts';
import type { ConnectionArguments } from '../pagination/arguments.ts';
import { fetchPage, type Connection, type KeysetList } from '../pagination/keyset.ts';
import { instant, money, type RefundView } from '../views.ts';
import { Conditions, scopeToTenant, type Queryable } from './sql.ts';

/** The `refunds` columns the API shows (migration 0102). */
export interface RefundRow extends Record<string, unknown> {
  refund_id: string;
  payment_id: string;
  tenant_id: string;
  status: string;
  amount: bigint;
  currency: string;
  reason: string | null;
  failure_reason: string | null;
  requested_at: Date;
  resolved_at: Date | null;
}

const refundColumns =
  'refund_id, payment_id, tenant_id, status, amount, currency, reason, failure_reason, ' +
  'requested_at, resolved_at';

export function refundFromRow(row: RefundRow): RefundView {
  return {
    id: row.refund_id,
    paymentId: row.payment_id,
    tenantId: row.tenant_id,
    status: row.status,
    amount: money(row.amount, row.currency),
    reason: row.reason,
    failureReason: row.failure_reason,
    requestedAt: instant(row.requested_at) ?? '',
    resolvedAt: instant(row.resolved_at),
  };
}

export async function refundsByIds(
  database: Queryable,
  principal: Principal,
  ids: readonly string[],
): Promise<Map<string, RefundView>> {
  const conditions = scopeToTenant(new Conditions(), principal, undefined);
  conditions.add('refund_id = ANY(?::text[])', [...ids]);
  const result = await database.query<RefundRow>(
    `SELECT ${refundColumns} FROM refunds ${conditions.where()}`,
    conditions.parameters,
  );
  return new Map(result.rows.map((row) => [row.refund_id, refundFromRow(row)]));
}

/** Refunds of many payments in one query, oldest first per payment. */
export async function refundsByPaymentIds(
  database: Queryable,
  principal: Principal,
  paymentIds: readonly string[],
): Promise<Map<string, RefundView[]>> {
  const conditions = scopeToTenant(new Conditions(), principal, undefined);
  conditions.add('payment_id = ANY(?::text[])', [...paymentIds]);
  const result = await database.query<RefundRow>(
    `SELECT ${refundColumns} FROM refunds ${conditions.where()} ` +
      'ORDER BY payment_id, created_at, refund_id',
    conditions.parameters,
  );
  const byPayment = new Map<string, RefundView[]>();
  for (const row of result.rows) {
    const list = byPayment.get(row.payment_id) ?? [];
    list.push(refundFromRow(row));
    byPayment.set(row.payment_id, list);
  }
  return byPayment;
}

export interface RefundFilter {
  status?: string[] | null;
  paymentId?: string | null;
  currency?: string | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
  merchantId?: string | null;
}

const refundList: KeysetList<RefundRow, RefundView> = {
  name: 'refunds',
  table: 'refunds',
  columns: refundColumns,
  keys: [
    { column: 'created_at', kind: 'timestamp' },
    { column: 'refund_id', kind: 'text' },
  ],
  toNode: refundFromRow,
};

export function listRefunds(
  database: Queryable,
  principal: Principal,
  args: ConnectionArguments & { filter?: RefundFilter | null },
): Promise<Connection<RefundView>> {
  const filter = args.filter ?? {};
  const conditions = scopeToTenant(new Conditions(), principal, filter.merchantId);
  if (filter.status && filter.status.length > 0)
    conditions.add('status = ANY(?::text[])', filter.status);
  conditions.addIfGiven('payment_id = ?', filter.paymentId);
  conditions.addIfGiven('currency = ?', filter.currency?.toUpperCase());
  conditions.addIfGiven('created_at >= ?', filter.createdFrom);
  conditions.addIfGiven('created_at < ?', filter.createdTo);
  return fetchPage(database, refundList, conditions, args);
}
