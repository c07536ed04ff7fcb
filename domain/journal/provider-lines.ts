import { assertNever } from '../errors.ts';
import type { CurrencyCode } from '../money/index.ts';
import type { AccountCode, JournalEntry, JournalLine } from './postings.ts';

/**
 * Posting rules for the lines of a provider's balance report that are not a charge's
 * settlement (a charge settles through PaymentSettled, see postings.ts). settlement_clearing
 * is the provider balance owed to us: each booked line moves it by exactly the line's net, as
 * the provider's own balance moved, and provider_fees by exactly its fee. So the journal shows
 * the report's net totals, line for line.
 *
 * A = the gross, as a magnitude; F = the fee as the provider reports it: positive when it
 * charges one, negative when it gives one back (part of a charge's fee on a refund, a dispute
 * fee when the dispute is won).
 * | line             | gross                                          | net        |
 * |------------------|------------------------------------------------|------------|
 * | refund           | debit customer_funds A, credit settlement_clearing A | -A - F |
 * | dispute_debit    | debit customer_funds A, credit settlement_clearing A | -A - F |
 * | dispute_reversal | debit settlement_clearing A, credit customer_funds A |  A - F |
 * | payout           | debit cash A, credit settlement_clearing A           | -A - F |
 * | payout_reversal  | debit settlement_clearing A, credit cash A           |  A - F |
 * and the fee: F > 0 debit provider_fees F, credit settlement_clearing F; F < 0 the reverse.
 *
 * Why customer_funds: RefundSucceeded and DisputeOpened credit it when the money is promised or
 * withheld; the report line is the provider taking it out of our balance, which brings
 * customer_funds back to zero (DisputeWon debits it again, and the reversal takes it back to
 * zero). A payout is the provider balance reaching our bank account: cash.
 */
export const PROVIDER_LINE_KINDS = [
  'refund',
  'dispute_debit',
  'dispute_reversal',
  'payout',
  'payout_reversal',
] as const;
export type ProviderLineKind = (typeof PROVIDER_LINE_KINDS)[number];

export interface ProviderLine {
  /** The provider's id of the line (Stripe `txn_…`): one entry per line, ever. */
  lineId: string;
  kind: ProviderLineKind;
  /** The gross as a magnitude (> 0). */
  amount: bigint;
  /** Signed as the provider reports it. */
  fee: bigint;
  currency: CurrencyCode;
  occurredAt: string;
}

/** Where the gross goes: [debit, credit]. */
function grossAccounts(kind: ProviderLineKind): [AccountCode, AccountCode] {
  switch (kind) {
    case 'refund':
    case 'dispute_debit':
      return ['customer_funds', 'settlement_clearing'];
    case 'dispute_reversal':
      return ['settlement_clearing', 'customer_funds'];
    case 'payout':
      return ['cash', 'settlement_clearing'];
    case 'payout_reversal':
      return ['settlement_clearing', 'cash'];
    default:
      return assertNever(kind, 'provider line kind');
  }
}

/** True when the gross leaves the provider balance. */
function isOutgoing(kind: ProviderLineKind): boolean {
  return grossAccounts(kind)[1] === 'settlement_clearing';
}

/** The line's net, signed as in the report: what it did to the provider balance. */
export function providerLineNet(line: ProviderLine): bigint {
  return (isOutgoing(line.kind) ? -line.amount : line.amount) - line.fee;
}

function transfer(debit: AccountCode, credit: AccountCode, amount: bigint): JournalLine[] {
  if (amount === 0n) return [];
  return [
    { account: debit, side: 'debit', amount },
    { account: credit, side: 'credit', amount },
  ];
}

/** The entry a provider balance line books; its id is the line's, so it is booked once. */
export function providerLineEntry(line: ProviderLine): JournalEntry {
  const [debit, credit] = grossAccounts(line.kind);
  const fee =
    line.fee > 0n
      ? transfer('provider_fees', 'settlement_clearing', line.fee)
      : transfer('settlement_clearing', 'provider_fees', -line.fee);
  return {
    entryId: `provider-line:${line.lineId}`,
    occurredAt: line.occurredAt,
    currency: line.currency,
    lines: [...transfer(debit, credit, line.amount), ...fee],
  };
}
