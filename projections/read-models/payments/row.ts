import type {
  CaptureState,
  DisputeState,
  PaymentState,
  RefundState,
} from '../../../domain/payment/index.ts';
import type { CurrencyCode } from '../../../domain/money/index.ts';
import type { ColumnSpec } from '../../core/sql.ts';
import { jsonText } from '../../core/sql.ts';

/** A `payments` row as pg returns it (int8 → bigint, timestamptz → Date, jsonb → parsed). */
export interface PaymentRow {
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
  dispute_open_amount: bigint;
  dispute_lost_amount: bigint;
  disputed_amount: bigint;
  settled_amount: bigint;
  fee_amount: bigint;
  net_settled_amount: bigint;
  settlement_id: string | null;
  provider: string | null;
  provider_payment_id: string | null;
  reference: string | null;
  capture_mode: string;
  authorization_id: string | null;
  authorization_expires_at: Date | null;
  capture_expires_at: Date | null;
  authorized_at: Date | null;
  settled_at: Date | null;
  closed_at: Date | null;
  close_reason: string | null;
  captures: StoredCapture[];
  refunds: StoredRefund[];
  disputes: StoredDispute[];
  created_at: Date;
  updated_at: Date;
  last_stream_revision: bigint;
  last_position: bigint;
}

type Stored<State> = { [Key in keyof State]: State[Key] extends bigint ? string : State[Key] };
type StoredCapture = Stored<CaptureState>;
type StoredRefund = Stored<RefundState>;
type StoredDispute = Stored<DisputeState>;

export const paymentColumns: readonly ColumnSpec[] = [
  { name: 'payment_id', type: 'text' },
  { name: 'tenant_id', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'currency', type: 'text' },
  ...[
    'amount',
    'authorized_amount',
    'captured_amount',
    'capturable_amount',
    'refund_pending_amount',
    'refund_succeeded_amount',
    'refunded_amount',
    'refundable_amount',
    'dispute_open_amount',
    'dispute_lost_amount',
    'disputed_amount',
    'settled_amount',
    'fee_amount',
    'net_settled_amount',
  ].map((name) => ({ name, type: 'bigint' })),
  ...['settlement_id', 'provider', 'provider_payment_id', 'reference', 'capture_mode'].map(
    (name) => ({ name, type: 'text' }),
  ),
  { name: 'authorization_id', type: 'text' },
  ...[
    'authorization_expires_at',
    'capture_expires_at',
    'authorized_at',
    'settled_at',
    'closed_at',
  ].map((name) => ({ name, type: 'timestamptz' })),
  { name: 'close_reason', type: 'text' },
  ...['captures', 'refunds', 'disputes'].map((name) => ({ name, type: 'jsonb' })),
  { name: 'created_at', type: 'timestamptz' },
  { name: 'updated_at', type: 'timestamptz' },
  { name: 'last_stream_revision', type: 'bigint' },
  { name: 'last_position', type: 'bigint' },
];

function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

function storedMap<State extends object, Key extends keyof State>(
  items: readonly Stored<State>[],
  key: Key,
  amountFields: readonly (keyof State)[],
): Map<State[Key], State> {
  const entries = items.map((item) => {
    const state = { ...item } as Record<keyof State, unknown>;
    for (const field of amountFields) state[field] = BigInt(String(item[field]));
    return [state[key], state] as [State[Key], State];
  });
  return new Map(entries);
}

/** The domain state a row was written from, so that the domain's evolve continues from it. */
export function stateFromRow(row: PaymentRow): PaymentState {
  const settlement =
    row.settlement_id === null || row.settled_at === null
      ? null
      : {
          settlementId: row.settlement_id,
          amount: row.settled_amount,
          fee: row.fee_amount,
          net: row.net_settled_amount,
          settledAt: row.settled_at.toISOString(),
        };
  return {
    paymentId: row.payment_id,
    tenantId: row.tenant_id,
    status: row.status as PaymentState['status'],
    amount: row.amount,
    currency: row.currency as CurrencyCode,
    reference: row.reference,
    providerPaymentId: row.provider_payment_id,
    provider: row.provider,
    captureMode: row.capture_mode as PaymentState['captureMode'],
    authorizationId: row.authorization_id,
    authorizationExpiresAt: iso(row.authorization_expires_at),
    captureExpiresAt: iso(row.capture_expires_at),
    authorizedAt: iso(row.authorized_at),
    authorizedAmount: row.authorized_amount,
    capturedAmount: row.captured_amount,
    capturableAmount: row.capturable_amount,
    captures: storedMap<CaptureState, 'captureId'>(row.captures, 'captureId', ['amount']),
    refundPendingAmount: row.refund_pending_amount,
    refundSucceededAmount: row.refund_succeeded_amount,
    refundedAmount: row.refunded_amount,
    refundableAmount: row.refundable_amount,
    refunds: storedMap<RefundState, 'refundId'>(row.refunds, 'refundId', ['amount']),
    disputeOpenAmount: row.dispute_open_amount,
    disputeLostAmount: row.dispute_lost_amount,
    disputedAmount: row.disputed_amount,
    disputes: storedMap<DisputeState, 'disputeId'>(row.disputes, 'disputeId', ['amount']),
    settlement,
    settledAmount: row.settled_amount,
    feeAmount: row.fee_amount,
    closedAt: iso(row.closed_at),
    closeReason: row.close_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: Number(row.last_stream_revision) + 1,
  };
}

/** A captures/refunds/disputes map as JSON text, amounts as decimal text (as storedMap reads). */
function storedItemsText(items: ReadonlyMap<string, { readonly amount: bigint }>): string {
  if (items.size === 0) return '[]';
  return jsonText([...items.values()].map((item) => ({ ...item, amount: item.amount.toString() })));
}

/** Column values in `paymentColumns` order for one folded payment. */
export function rowValues(state: PaymentState, revision: bigint, position: bigint): unknown[] {
  return [
    state.paymentId,
    state.tenantId,
    state.status,
    state.currency,
    state.amount,
    state.authorizedAmount,
    state.capturedAmount,
    state.capturableAmount,
    state.refundPendingAmount,
    state.refundSucceededAmount,
    state.refundedAmount,
    state.refundableAmount,
    state.disputeOpenAmount,
    state.disputeLostAmount,
    state.disputedAmount,
    state.settledAmount,
    state.feeAmount,
    state.settlement?.net ?? 0n,
    state.settlement?.settlementId ?? null,
    state.provider,
    state.providerPaymentId,
    state.reference,
    state.captureMode,
    state.authorizationId,
    state.authorizationExpiresAt,
    state.captureExpiresAt,
    state.authorizedAt,
    state.settlement?.settledAt ?? null,
    state.closedAt,
    state.closeReason,
    storedItemsText(state.captures),
    storedItemsText(state.refunds),
    storedItemsText(state.disputes),
    state.createdAt,
    state.updatedAt,
    revision,
    position,
  ];
}
