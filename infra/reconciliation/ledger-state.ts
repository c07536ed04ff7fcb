import type { PaymentState } from '../../domain/payment/index.ts';
import type { LedgerPayment } from '../../domain/reconciliation/index.ts';

/** The matcher's view of a payment folded from its own stream (fresher than the read model). */
export function ledgerPaymentFromState(state: PaymentState): LedgerPayment {
  return {
    paymentId: state.paymentId,
    tenantId: state.tenantId,
    providerPaymentId: state.providerPaymentId,
    status: state.status,
    currency: state.currency,
    capturedAmount: state.capturedAmount,
    settlementId: state.settlement?.settlementId ?? null,
    settledAmount: state.settledAmount,
    feeAmount: state.feeAmount,
    createdAt: state.createdAt,
    refunds: [...state.refunds.values()].map((refund) => ({
      id: refund.refundId,
      status: refund.status,
      amount: refund.amount,
    })),
    disputes: [...state.disputes.values()].map((dispute) => ({
      id: dispute.disputeId,
      status: dispute.status,
      amount: dispute.amount,
    })),
  };
}
