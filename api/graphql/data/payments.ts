import type { Principal } from '../../auth/roles.ts';
import { BadUserInputError } from '../errors.ts';
import type { ConnectionArguments } from '../pagination/arguments.ts';
import { fetchPage, type Connection, type KeysetList } from '../pagination/keyset.ts';
import { instant, money, type PaymentView } from '../views.ts';
import { Conditions, scopeToTenant, type Queryable } from './sql.ts';

/** The `payments` columns the API shows (the read side's migration 0101 defines them). */
export interface PaymentRow extends Record<string, unknown> {
  payment_id: string;
  tenant_id: string;
  status: string;
  currency: string;
  amount: bigint;
  authorized_amount: bigint;
  captured_amount: bigint;
  capturable_amount: bigint;
  refund_pending_amount: bigint;
  refund_succeeded_amount: bigint;
  refunded_amount: bigint;
  refundable_amount: bigint;
  disputed_amount: bigint;
  settled_amount: bigint;
  fee_amount: bigint;
  provider: string | null;
  provider_payment_id: string | null;
  reference: string | null;
  capture_mode: string;
  authorization_expires_at: Date | null;
  capture_expires_at: Date | null;
  close_reason: string | null;
  created_at: Date;
  updated_at: Date;
  last_stream_revision: bigint;
}

const paymentColumns = [
  'payment_id',
  'tenant_id',
  'status',
  'currency',
  'amount',
  'authorized_amount',
  'captured_amount',
  'capturable_amount',
  'refund_pending_amount',
  'refund_succeeded_amount',
  'refunded_amount',
  'refundable_amount',
  'disputed_amount',
  'settled_amount',
  'fee_amount',
  'provider',
  'provider_payment_id',
  'reference',
  'capture_mode',
  'authorization_expires_at',
  'capture_expires_at',
  'close_reason',
  'created_at',
  'updated_at',
  'last_stream_revision',
].join(', ');

export function paymentFromRow(row: PaymentRow): PaymentView {
  const view = (amount: bigint) => money(amount, row.currency);
  return {
    origin: 'readModel',
    id: row.payment_id,
    tenantId: row.tenant_id,
    status: row.status as PaymentView['status'],
    amount: view(row.amount),
    authorizedAmount: view(row.authorized_amount),
    capturedAmount: view(row.captured_amount),
    capturableAmount: view(row.capturable_amount),
    refundedAmount: view(row.refunded_amount),
    refundPendingAmount: view(row.refund_pending_amount),
    refundSucceededAmount: view(row.refund_succeeded_amount),
    refundableAmount: view(row.refundable_amount),
    disputedAmount: view(row.disputed_amount),
    settledAmount: view(row.settled_amount),
    feeAmount: view(row.fee_amount),
    reference: row.reference,
    providerPaymentId: row.provider_payment_id,
    provider: row.provider,
    captureMode: row.capture_mode,
    authorizationExpiresAt: instant(row.authorization_expires_at),
    captureExpiresAt: instant(row.capture_expires_at),
    closeReason: row.close_reason,
    createdAt: instant(row.created_at) ?? '',
    updatedAt: instant(row.updated_at) ?? '',
    revision: row.last_stream_revision.toString(),
    refunds: undefined,
  };
}

/** Payments by id, limited to the caller's tenant: another tenant's id reads as missing. */
export async function paymentsByIds(
  database: Queryable,
  principal: Principal,
  ids: readonly string[],
): Promise<Map<string, PaymentView>> {
  const conditions = scopeToTenant(new Conditions(), principal, undefined);
  conditions.add('payment_id = ANY(?::text[])', [...ids]);
  const result = await database.query<PaymentRow>(
    `SELECT ${paymentColumns} FROM payments ${conditions.where()}`,
    conditions.parameters,
  );
  return new Map(result.rows.map((row) => [row.payment_id, paymentFromRow(row)]));
}

export interface PaymentFilter {
  status?: string[] | null;
  currency?: string | null;
  amountMin?: string | null;
  amountMax?: string | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
  providerPaymentId?: string | null;
  reference?: string | null;
  merchantId?: string | null;
}

const minorUnitsPattern = /^-?(0|[1-9][0-9]{0,18})$/;

/** An amount bound of a filter: minor units within the 64-bit range the columns hold. */
export function amountBound(value: string | null | undefined, argument: string): bigint | null {
  if (value === undefined || value === null) return null;
  const valid = minorUnitsPattern.test(value);
  const amount = valid ? BigInt(value) : 0n;
  if (!valid || amount > 9_223_372_036_854_775_807n || amount < -9_223_372_036_854_775_808n) {
    throw new BadUserInputError(
      `${argument} must be an integer string of minor units (64-bit)`,
      argument,
    );
  }
  return amount;
}

function paymentConditions(principal: Principal, filter: PaymentFilter): Conditions {
  const conditions = scopeToTenant(new Conditions(), principal, filter.merchantId);
  if (filter.status && filter.status.length > 0)
    conditions.add('status = ANY(?::text[])', filter.status);
  conditions.addIfGiven('currency = ?', filter.currency?.toUpperCase());
  conditions.addIfGiven(
    'amount >= ?::bigint',
    amountBound(filter.amountMin, 'filter.amountMin')?.toString(),
  );
  conditions.addIfGiven(
    'amount <= ?::bigint',
    amountBound(filter.amountMax, 'filter.amountMax')?.toString(),
  );
  conditions.addIfGiven('created_at >= ?', filter.createdFrom);
  conditions.addIfGiven('created_at < ?', filter.createdTo);
  conditions.addIfGiven('provider_payment_id = ?', filter.providerPaymentId);
  conditions.addIfGiven('reference = ?', filter.reference);
  return conditions;
}

const paymentList: KeysetList<PaymentRow, PaymentView> = {
  name: 'payments',
  table: 'payments',
  columns: paymentColumns,
  keys: [
    { column: 'created_at', kind: 'timestamp' },
    { column: 'payment_id', kind: 'text' },
  ],
  toNode: paymentFromRow,
};

export function listPayments(
  database: Queryable,
  principal: Principal,
  args: ConnectionArguments & { filter?: PaymentFilter | null },
): Promise<Connection<PaymentView>> {
  return fetchPage(database, paymentList, paymentConditions(principal, args.filter ?? {}), args);
}
