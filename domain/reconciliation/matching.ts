import { assertNever } from '../errors.ts';
import type { LedgerItem, LedgerLookup, LedgerPayment } from './ledger-facts.ts';
import { ledgerEvidence, type LedgerEvidence } from './ledger-facts.ts';
import type { ReportLine } from './lines.ts';
import type { ProviderLineKind } from '../journal/index.ts';
import type { LineBooking } from './booking.ts';
import type { Compensation, Outcome } from './outcomes.ts';
import { isException } from './outcomes.ts';

/**
 * The matching rules: pure, one report line against what the ledger knows. A `matched` line
 * carries the command that brings the ledger in step (null when it already is); an exception
 * carries its reason, the ledger figures, and the command an operator's "accept the provider's
 * figure" would run, when the ledger can take it.
 */
export interface LineDecision {
  outcome: Outcome;
  paymentId: string | null;
  compensation: Compensation | null;
  proposal: Compensation | null;
  reason: string;
  /** The ledger's figures: for exceptions and for lines that apply a command; null otherwise. */
  ledger: LedgerEvidence | null;
}

const CAPTURING_STATUSES: ReadonlySet<string> = new Set(['CAPTURED', 'PARTIALLY_CAPTURED']);

function decision(
  outcome: Outcome,
  reason: string,
  payment: LedgerPayment | null,
  extra: { compensation?: Compensation | null; proposal?: Compensation | null; item?: LedgerItem },
): LineDecision {
  const compensation = extra.compensation ?? null;
  // Evidence is recorded for exceptions only; a line in step (the bulk of every report) does
  // not need it, and one that applies a command keeps it in case the ledger refuses.
  const needsEvidence = payment !== null && (isException(outcome) || compensation !== null);
  return {
    outcome,
    paymentId: payment?.paymentId ?? null,
    compensation,
    proposal: extra.proposal ?? null,
    reason,
    ledger: needsEvidence ? ledgerEvidence(payment, extra.item) : null,
  };
}

export function matchLine(line: ReportLine, lookup: LedgerLookup): LineDecision {
  if (line.kind === 'other')
    return decision('ignored', `${line.sourceType} is not booked by the ledger`, null, {});
  if (line.kind === 'payout' || line.kind === 'payout_reversal') {
    if (lookup.kind !== 'account') throw new Error('a payout line is booked to an account');
    const compensation: Compensation = {
      kind: 'book_payout',
      booking: bookingOf(line, line.kind, lookup.tenantId, null),
    };
    return decision('matched', `${line.kind} booked`, null, { compensation });
  }
  if (lookup.kind === 'account') throw new Error(`a ${line.kind} line is matched to a payment`);
  if (lookup.kind === 'ambiguous') {
    const reason = `no reference; ${lookup.paymentIds.length} ledger payments fit amount and date`;
    return decision('missing_in_ledger', reason, null, {});
  }
  if (lookup.kind === 'not_found') {
    return decision('missing_in_ledger', 'no ledger payment for this line', null, {});
  }
  const payment = lookup.payment;
  if (payment.currency !== line.currency) {
    const reason = `report in ${line.currency}, ledger payment in ${payment.currency}`;
    return decision('currency_mismatch', reason, payment, {});
  }
  switch (line.kind) {
    case 'settlement':
      return matchSettlement(line, payment);
    case 'refund':
      return matchRefund(line, payment);
    case 'dispute_debit':
    case 'dispute_reversal':
      return matchDispute(line, payment);
    default:
      return assertNever(line.kind, 'payment line kind');
  }
}

export function settleCommand(line: ReportLine, paymentId: string): Compensation {
  return {
    kind: 'settle',
    paymentId,
    settlementId: line.lineId,
    amount: line.amount.toString(),
    fee: line.fee.toString(),
    currency: line.currency,
    settledAt: line.occurredAt,
  };
}

function matchSettlement(line: ReportLine, payment: LedgerPayment): LineDecision {
  if (payment.settlementId === line.lineId) {
    const same = payment.settledAmount === line.amount && payment.feeAmount === line.fee;
    return same
      ? decision('matched', 'already settled by this line', payment, {})
      : decision('amount_mismatch', 'settled by this line with other figures', payment, {});
  }
  if (payment.settlementId !== null) {
    const reason = `already settled by ${payment.settlementId}`;
    return decision('duplicate', reason, payment, {});
  }
  if (!CAPTURING_STATUSES.has(payment.status)) {
    const reason = `settled at the provider, ${payment.status} in the ledger`;
    return decision('status_mismatch', reason, payment, {});
  }
  const command = settleCommand(line, payment.paymentId);
  if (line.fee < 0n || line.fee > line.amount) {
    return decision('unsupported', 'fee is negative or above the gross', payment, {});
  }
  if (line.amount === payment.capturedAmount) {
    return decision('matched', 'gross equals captured', payment, { compensation: command });
  }
  // Settling less than captured is a valid ledger move (the provider netted something);
  // settling more is not, so only the first can be accepted as the provider's figure.
  const proposal = line.amount < payment.capturedAmount ? command : null;
  const reason = `gross ${line.amount} but captured ${payment.capturedAmount}`;
  return decision('amount_mismatch', reason, payment, { proposal });
}

/** The provider line as the journal books it; refund and dispute lines to the payment's books. */
function bookingOf(
  line: ReportLine,
  kind: ProviderLineKind,
  tenantId: string,
  paymentId: string | null,
): LineBooking {
  return {
    lineId: line.lineId,
    kind,
    tenantId,
    paymentId,
    itemId: line.itemId,
    amount: line.amount.toString(),
    fee: line.fee.toString(),
    net: line.net.toString(),
    currency: line.currency,
    occurredAt: line.occurredAt,
  };
}

function matchRefund(line: ReportLine, payment: LedgerPayment): LineDecision {
  const refund = payment.refunds.find((item) => item.id === line.itemId);
  if (refund === undefined) {
    return decision('missing_in_ledger', `no refund ${line.itemId ?? '(no id)'}`, payment, {});
  }
  const found = { item: refund };
  if (refund.amount !== line.amount) {
    const reason = `refund of ${line.amount} but the ledger's is ${refund.amount}`;
    return decision('amount_mismatch', reason, payment, found);
  }
  if (refund.status === 'FAILED') {
    const reason = 'refunded at the provider, FAILED in the ledger';
    return decision('status_mismatch', reason, payment, found);
  }
  const compensation: Compensation = {
    kind: 'book_refund',
    paymentId: payment.paymentId,
    refundId: refund.id,
    complete: refund.status === 'PENDING',
    booking: bookingOf(line, 'refund', payment.tenantId, payment.paymentId),
  };
  return decision('matched', 'refund matches', payment, { ...found, compensation });
}

/**
 * A dispute debit is the provider taking the disputed amount (and its fee) when the dispute
 * opens, whatever its outcome later; a reversal gives it back because the dispute was won.
 */
function matchDispute(line: ReportLine, payment: LedgerPayment): LineDecision {
  const dispute = payment.disputes.find((item) => item.id === line.itemId);
  if (dispute === undefined) {
    return decision('missing_in_ledger', `no dispute ${line.itemId ?? '(no id)'}`, payment, {});
  }
  const found = { item: dispute };
  if (dispute.amount !== line.amount) {
    const reason = `dispute of ${line.amount} but the ledger's is ${dispute.amount}`;
    return decision('amount_mismatch', reason, payment, found);
  }
  const reversal = line.kind === 'dispute_reversal';
  if (reversal && dispute.status === 'LOST') {
    const reason = 'dispute won at the provider, LOST in the ledger';
    return decision('status_mismatch', reason, payment, found);
  }
  const compensation: Compensation = {
    kind: 'book_dispute',
    paymentId: payment.paymentId,
    disputeId: dispute.id,
    resolve: reversal && dispute.status === 'OPEN' ? 'won' : null,
    booking: bookingOf(
      line,
      reversal ? 'dispute_reversal' : 'dispute_debit',
      payment.tenantId,
      payment.paymentId,
    ),
  };
  const reason = reversal ? 'dispute reversal matches' : 'dispute debit matches';
  return decision('matched', reason, payment, { ...found, compensation });
}

/** A line the report already had, or a payment another line of this report already settles. */
export function duplicateDecision(reason: string, payment: LedgerPayment | null): LineDecision {
  return decision('duplicate', reason, payment, {});
}

/** A captured, unsettled ledger payment of the report's period that no line mentions. */
export function missingAtProvider(payment: LedgerPayment): LineDecision {
  const reason = `${payment.status} in the ledger, absent from the report`;
  return decision('missing_at_provider', reason, payment, {});
}

/** Candidates for a line without a usable reference: same amount and currency, near in time. */
export function fitsByAmountAndDate(
  line: ReportLine,
  payment: LedgerPayment,
  windowMs: number,
): boolean {
  const distanceMs = Math.abs(Date.parse(payment.createdAt) - Date.parse(line.occurredAt));
  return (
    line.kind === 'settlement' &&
    payment.currency === line.currency &&
    payment.capturedAmount === line.amount &&
    payment.settlementId === null &&
    CAPTURING_STATUSES.has(payment.status) &&
    distanceMs <= windowMs
  );
}

/** Picks the one candidate that fits, or says why none can be chosen. */
export function lookupByAmountAndDate(
  line: ReportLine,
  candidates: readonly LedgerPayment[],
  windowMs: number,
): LedgerLookup {
  const fitting = candidates.filter((payment) => fitsByAmountAndDate(line, payment, windowMs));
  const [only] = fitting;
  if (fitting.length === 1 && only !== undefined) {
    return { kind: 'found', payment: only, matchedBy: 'amount_and_date' };
  }
  if (fitting.length === 0) return { kind: 'not_found' };
  return { kind: 'ambiguous', paymentIds: fitting.map((payment) => payment.paymentId) };
}
