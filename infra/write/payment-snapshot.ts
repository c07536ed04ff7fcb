import { formatDecimal, type CurrencyCode } from '../../domain/money/index.ts';
import type { PaymentState, RefundState, DisputeState } from '../../domain/payment/state.ts';

/** Money as it leaves the service: minor units as a string, plus the formatted decimal. */
export interface MoneyView {
  amount: string;
  currency: string;
  formatted: string;
}

export interface RefundSnapshot {
  id: string;
  paymentId: string;
  tenantId: string;
  status: RefundState['status'];
  amount: MoneyView;
  reason: string | null;
  requestedAt: string;
  resolvedAt: string | null;
}

export interface DisputeSnapshot {
  id: string;
  status: DisputeState['status'];
  amount: MoneyView;
  reason: string | null;
  openedAt: string;
  resolvedAt: string | null;
}

/** A JSON-safe picture of a payment at one revision: what commands return and auditors replay. */
export interface PaymentSnapshot {
  id: string;
  tenantId: string;
  status: PaymentState['status'];
  amount: MoneyView;
  authorizedAmount: MoneyView;
  capturedAmount: MoneyView;
  capturableAmount: MoneyView;
  refundedAmount: MoneyView;
  refundPendingAmount: MoneyView;
  refundSucceededAmount: MoneyView;
  refundableAmount: MoneyView;
  disputedAmount: MoneyView;
  settledAmount: MoneyView;
  feeAmount: MoneyView;
  reference: string | null;
  providerPaymentId: string | null;
  provider: string | null;
  captureMode: string;
  authorizationExpiresAt: string | null;
  captureExpiresAt: string | null;
  closeReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** Stream revision of the last event folded into this snapshot. */
  revision: string;
  refunds: RefundSnapshot[];
  disputes: DisputeSnapshot[];
}

export function moneyView(amount: bigint, currency: CurrencyCode): MoneyView {
  return { amount: amount.toString(), currency, formatted: formatDecimal({ amount, currency }) };
}

export function refundSnapshot(state: PaymentState, refund: RefundState): RefundSnapshot {
  return {
    id: refund.refundId,
    paymentId: state.paymentId,
    tenantId: state.tenantId,
    status: refund.status,
    amount: moneyView(refund.amount, state.currency),
    reason: refund.reason,
    requestedAt: refund.requestedAt,
    resolvedAt: refund.resolvedAt,
  };
}

export function paymentSnapshot(state: PaymentState): PaymentSnapshot {
  const view = (amount: bigint) => moneyView(amount, state.currency);
  return {
    id: state.paymentId,
    tenantId: state.tenantId,
    status: state.status,
    amount: view(state.amount),
    authorizedAmount: view(state.authorizedAmount),
    capturedAmount: view(state.capturedAmount),
    capturableAmount: view(state.capturableAmount),
    refundedAmount: view(state.refundedAmount),
    refundPendingAmount: view(state.refundPendingAmount),
    refundSucceededAmount: view(state.refundSucceededAmount),
    refundableAmount: view(state.refundableAmount),
    disputedAmount: view(state.disputedAmount),
    settledAmount: view(state.settledAmount),
    feeAmount: view(state.feeAmount),
    reference: state.reference,
    providerPaymentId: state.providerPaymentId,
    provider: state.provider,
    captureMode: state.captureMode,
    authorizationExpiresAt: state.authorizationExpiresAt,
    captureExpiresAt: state.captureExpiresAt,
    closeReason: state.closeReason,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    revision: String(state.version - 1),
    refunds: [...state.refunds.values()].map((refund) => refundSnapshot(state, refund)),
    disputes: [...state.disputes.values()].map((dispute) => ({
      id: dispute.disputeId,
      status: dispute.status,
      amount: view(dispute.amount),
      reason: dispute.reason,
      openedAt: dispute.openedAt,
      resolvedAt: dispute.resolvedAt,
    })),
  };
}
