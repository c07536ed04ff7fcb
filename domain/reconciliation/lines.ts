import type { CurrencyCode } from '../money/index.ts';

/** The report formats a run can read. */
export const REPORT_FORMATS = ['stripe_balance_csv', 'ledger_csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * What a report line asks of the ledger. A payout (or its reversal, a payout that failed) moves
 * the provider balance to our bank and back; `other` covers lines the ledger does not book
 * (provider invoices, transfers, reserves): they are counted as ignored, never matched.
 */
export const LINE_KINDS = [
  'settlement',
  'refund',
  'dispute_debit',
  'dispute_reversal',
  'payout',
  'payout_reversal',
  'other',
] as const;
export type LineKind = (typeof LINE_KINDS)[number];

/**
 * One report line after parsing, whatever its format. `amount` is the gross as a magnitude
 * (Stripe writes refunds and dispute debits negative); `fee` and `net` keep the report's signs,
 * so that net = signed gross - fee holds as the provider wrote it.
 */
export interface ReportLine {
  /** 1-based line of the file (the header is line 1). */
  readonly lineNumber: number;
  /** The provider's id of the line (Stripe `txn_...`); becomes the settlement id. */
  readonly lineId: string;
  readonly kind: LineKind;
  /** The provider's own type and category, kept as evidence. */
  readonly sourceType: string;
  /** The provider's payment id (`pi_...`, `ch_...`), matched to providerPaymentId. */
  readonly paymentReference: string | null;
  /** The ledger's own payment id, when the report names it. */
  readonly paymentId: string | null;
  /** The refund, dispute or payout id (`re_...`, `dp_...`, `po_...`). */
  readonly itemId: string | null;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly net: bigint;
  readonly currency: CurrencyCode;
  /** ISO-8601 instant the provider dates the line at (Stripe's `created`). */
  readonly occurredAt: string;
}

/** The JSON-safe spelling of a line inside events (amounts as minor-unit strings). */
export interface LineEvidence {
  lineNumber: number;
  lineId: string;
  kind: LineKind;
  sourceType: string;
  paymentReference: string | null;
  paymentId: string | null;
  itemId: string | null;
  amount: string;
  fee: string;
  net: string;
  currency: string;
  occurredAt: string;
}

export function lineEvidence(line: ReportLine): LineEvidence {
  return {
    lineNumber: line.lineNumber,
    lineId: line.lineId,
    kind: line.kind,
    sourceType: line.sourceType,
    paymentReference: line.paymentReference,
    paymentId: line.paymentId,
    itemId: line.itemId,
    amount: line.amount.toString(),
    fee: line.fee.toString(),
    net: line.net.toString(),
    currency: line.currency,
    occurredAt: line.occurredAt,
  };
}

/**
 * The key under which two lines are the same provider movement: the same line id, or the same
 * kind of movement for the same provider object. The parser reports the second as a duplicate.
 */
export function duplicateKeys(line: ReportLine): string[] {
  const keys = [`id:${line.lineId}`];
  const object =
    line.kind === 'settlement' ? (line.paymentReference ?? line.paymentId) : line.itemId;
  if (line.kind !== 'other' && object !== null) keys.push(`${line.kind}:${object}`);
  return keys;
}
