import type { CurrencyCode } from '../money/index.ts';
import type { CaptureMode, InstantText } from './events.ts';

export const PAYMENT_STATUSES = [
  'INITIATED',
  'AUTHORIZED',
  'PARTIALLY_CAPTURED',
  'CAPTURED',
  'SETTLED',
  'FAILED',
  'VOIDED',
  'EXPIRED',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Nothing changes a payment in these statuses; every command on one is a no-op or a refusal. */
export const TERMINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'FAILED',
  'VOIDED',
  'EXPIRED',
]);

/** Statuses in which money has been captured, so refunds and disputes may exist. */
export const CAPTURED_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'PARTIALLY_CAPTURED',
  'CAPTURED',
  'SETTLED',
]);

export const REFUND_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const DISPUTE_STATUSES = ['OPEN', 'WON', 'LOST'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export type CaptureState = {
  readonly captureId: string;
  readonly amount: bigint;
  readonly capturedAt: InstantText;
};

export type RefundState = {
  readonly refundId: string;
  readonly amount: bigint;
  readonly status: RefundStatus;
  readonly reason: string | null;
  readonly requestedAt: InstantText;
  readonly resolvedAt: InstantText | null;
};

export type DisputeState = {
  readonly disputeId: string;
  readonly amount: bigint;
  readonly status: DisputeStatus;
  readonly reason: string | null;
  readonly openedAt: InstantText;
  readonly resolvedAt: InstantText | null;
};

export type SettlementState = {
  readonly settlementId: string;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly net: bigint;
  readonly settledAt: InstantText;
};

/**
 * The payment as folded from its stream. All amounts are bigint minor units in `currency`.
 * Derived amounts (kept in step by evolve, so readers need not recompute them):
 * - refundedAmount = refundPendingAmount + refundSucceededAmount: committed against the capture.
 * - disputedAmount = open + lost disputes: money the card network holds or took back.
 * - refundableAmount = max(0, captured - refunded - disputed). Disputed money is excluded
 *   because refunding it as well would pay the customer twice (networks forbid it); the floor
 *   at zero covers a dispute opened over an already refunded amount.
 * - capturableAmount = authorized - captured while AUTHORIZED or PARTIALLY_CAPTURED, else 0.
 */
export type PaymentState = {
  readonly paymentId: string;
  readonly tenantId: string;
  readonly status: PaymentStatus;
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  readonly reference: string | null;
  readonly providerPaymentId: string | null;
  readonly provider: string | null;
  readonly captureMode: CaptureMode;
  readonly authorizationId: string | null;
  readonly authorizationExpiresAt: InstantText | null;
  readonly captureExpiresAt: InstantText | null;
  readonly authorizedAt: InstantText | null;
  readonly authorizedAmount: bigint;
  readonly capturedAmount: bigint;
  readonly capturableAmount: bigint;
  readonly captures: ReadonlyMap<string, CaptureState>;
  readonly refundPendingAmount: bigint;
  readonly refundSucceededAmount: bigint;
  readonly refundedAmount: bigint;
  readonly refundableAmount: bigint;
  readonly refunds: ReadonlyMap<string, RefundState>;
  readonly disputeOpenAmount: bigint;
  readonly disputeLostAmount: bigint;
  readonly disputedAmount: bigint;
  readonly disputes: ReadonlyMap<string, DisputeState>;
  readonly settlement: SettlementState | null;
  readonly settledAmount: bigint;
  readonly feeAmount: bigint;
  /** When and why the payment reached FAILED, VOIDED or EXPIRED. */
  readonly closedAt: InstantText | null;
  readonly closeReason: string | null;
  readonly createdAt: InstantText;
  readonly updatedAt: InstantText;
  /** Number of events folded: the stream revision + 1, for the expected-revision append. */
  readonly version: number;
};

export function isTerminal(status: PaymentStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

type DerivedAmounts = 'refundedAmount' | 'refundableAmount' | 'disputedAmount' | 'capturableAmount';

export function withDerivedAmounts(state: Omit<PaymentState, DerivedAmounts>): PaymentState {
  const refundedAmount = state.refundPendingAmount + state.refundSucceededAmount;
  const disputedAmount = state.disputeOpenAmount + state.disputeLostAmount;
  const unclaimed = state.capturedAmount - refundedAmount - disputedAmount;
  const capturing = state.status === 'AUTHORIZED' || state.status === 'PARTIALLY_CAPTURED';
  return {
    ...state,
    refundedAmount,
    disputedAmount,
    refundableAmount: unclaimed > 0n ? unclaimed : 0n,
    capturableAmount: capturing ? state.authorizedAmount - state.capturedAmount : 0n,
  };
}
