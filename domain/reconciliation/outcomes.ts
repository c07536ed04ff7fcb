import type { LineBooking } from './booking.ts';

/**
 * What became of a line (or of a ledger payment no line mentions). Every outcome but `matched`
 * and `ignored` is an exception for an operator: nothing is corrected silently.
 */
export const OUTCOMES = [
  'matched',
  'amount_mismatch',
  'currency_mismatch',
  'status_mismatch',
  'missing_in_ledger',
  'missing_at_provider',
  'duplicate',
  'unsupported',
  'ignored',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function isException(outcome: Outcome): boolean {
  return outcome !== 'matched' && outcome !== 'ignored';
}

export type OutcomeCounts = Record<Outcome, number>;

export function emptyCounts(): OutcomeCounts {
  return Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as OutcomeCounts;
}

export function addCounts(left: OutcomeCounts, right: OutcomeCounts): OutcomeCounts {
  const sum = emptyCounts();
  for (const outcome of OUTCOMES) sum[outcome] = left[outcome] + right[outcome];
  return sum;
}

export function countOutcomes(outcomes: Iterable<Outcome>): OutcomeCounts {
  const counts = emptyCounts();
  for (const outcome of outcomes) counts[outcome] += 1;
  return counts;
}

/**
 * The ledger command a line calls for; JSON-safe, since it travels inside events. Refund,
 * dispute and payout lines book the provider line (see booking.ts), after completing the
 * refund or resolving the dispute when the ledger is behind. `complete_refund` and
 * `resolve_dispute` alone are what runs recorded before those lines were booked; they are still
 * read and applied (an exception's proposal), never decided any more.
 */
export type Compensation =
  | {
      kind: 'settle';
      paymentId: string;
      settlementId: string;
      amount: string;
      fee: string;
      currency: string;
      settledAt: string;
    }
  | { kind: 'complete_refund'; paymentId: string; refundId: string }
  | { kind: 'resolve_dispute'; paymentId: string; disputeId: string; outcome: 'won' | 'lost' }
  | {
      kind: 'book_refund';
      paymentId: string;
      refundId: string;
      /** The ledger's refund is still pending: complete it first. */
      complete: boolean;
      booking: LineBooking;
    }
  | {
      kind: 'book_dispute';
      paymentId: string;
      disputeId: string;
      /** A reversal on an open dispute: it was won. */
      resolve: 'won' | null;
      booking: LineBooking;
    }
  | { kind: 'book_payout'; booking: LineBooking };

export const RESOLUTIONS = ['ACCEPT_PROVIDER_FIGURE', 'WRITE_OFF', 'REOPEN'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
