import type { PaymentStatus } from '../payment/index.ts';

/** A refund or dispute of a ledger payment, as much of it as matching needs. */
export interface LedgerItem {
  readonly id: string;
  readonly status: string;
  readonly amount: bigint;
}

/** What the matcher knows of one ledger payment (from the read model or the event store). */
export interface LedgerPayment {
  readonly paymentId: string;
  readonly tenantId: string;
  readonly providerPaymentId: string | null;
  readonly status: PaymentStatus;
  readonly currency: string;
  readonly capturedAmount: bigint;
  readonly settlementId: string | null;
  readonly settledAmount: bigint;
  readonly feeAmount: bigint;
  readonly createdAt: string;
  readonly refunds: readonly LedgerItem[];
  readonly disputes: readonly LedgerItem[];
}

/**
 * What looking a line up found: its payment, nothing, or several equally good candidates; for
 * a line about the provider account itself (a payout), whose books it goes to.
 */
export type LedgerLookup =
  | { kind: 'found'; payment: LedgerPayment; matchedBy: 'reference' | 'amount_and_date' }
  | { kind: 'account'; tenantId: string }
  | { kind: 'not_found' }
  | { kind: 'ambiguous'; paymentIds: readonly string[] };

/** The JSON-safe ledger side of an exception's evidence. */
export interface LedgerEvidence {
  paymentId: string;
  providerPaymentId: string | null;
  status: string;
  currency: string;
  capturedAmount: string;
  settledAmount: string;
  feeAmount: string;
  settlementId: string | null;
  createdAt: string;
  item: { id: string; status: string; amount: string } | null;
}

export function ledgerEvidence(payment: LedgerPayment, item?: LedgerItem): LedgerEvidence {
  return {
    paymentId: payment.paymentId,
    providerPaymentId: payment.providerPaymentId,
    status: payment.status,
    currency: payment.currency,
    capturedAmount: payment.capturedAmount.toString(),
    settledAmount: payment.settledAmount.toString(),
    feeAmount: payment.feeAmount.toString(),
    settlementId: payment.settlementId,
    createdAt: payment.createdAt,
    item: item === undefined ? null : { ...item, amount: item.amount.toString() },
  };
}
