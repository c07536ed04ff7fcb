import { assertNever } from '../errors.ts';
import type { CurrencyCode } from '../money/index.ts';
import type { PaymentEvent, PaymentEventOf } from '../payment/events.ts';

/**
 * Posting rules: which journal entry each payment event books. The ledger is the platform's
 * books: it collects card payments through a provider on behalf of merchants.
 *
 * Chart of accounts (one set per currency; "normal" is the side that increases the account):
 * | account             | kind      | normal | meaning |
 * |---------------------|-----------|--------|---------|
 * | customer_funds      | asset     | debit  | captured money held by the provider for us |
 * | settlement_clearing | asset     | debit  | settled into our provider balance, not yet paid out |
 * | cash                | asset     | debit  | our bank account |
 * | disputes            | asset     | debit  | money the card network withholds while disputed |
 * | merchant_payable    | liability | credit | what we owe merchants |
 * | refunds_pending     | liability | credit | refunds promised to customers, not yet paid back |
 * | provider_fees       | expense   | debit  | what the provider keeps for processing |
 *
 * Rules (A = the event's amount; F = fee; N = net):
 * | event             | debit                                  | credit               |
 * |-------------------|----------------------------------------|----------------------|
 * | PaymentCaptured   | customer_funds A                       | merchant_payable A   |
 * | PaymentSettled    | settlement_clearing N, provider_fees F | customer_funds A     |
 * | RefundRequested   | merchant_payable A                     | refunds_pending A    |
 * | RefundSucceeded   | refunds_pending A                      | customer_funds A     |
 * | RefundFailed      | refunds_pending A                      | merchant_payable A   |
 * | DisputeOpened     | disputes A                             | customer_funds A     |
 * | DisputeWon        | customer_funds A                       | disputes A           |
 * | DisputeLost       | merchant_payable A                     | disputes A           |
 *
 * Initiation, authorization, void, failure and expiry book nothing: an authorization is a hold
 * on the cardholder's credit line, not money we hold, so it is tracked on the payment
 * (authorizedAmount, capturableAmount) and kept out of the balances. A refund is reserved when
 * requested, so the merchant's payable already excludes money promised back. After settlement a
 * refund or dispute can push customer_funds below zero: the provider is about to take it from
 * our balance, which is exactly what the negative balance says. A lost dispute is borne by the
 * merchant (merchant_payable may go negative: the merchant owes us). The provider's report books
 * the rest (provider-lines.ts): a refund or dispute line takes the money out of the provider
 * balance (and brings customer_funds back to zero), with its fee; a payout moves the balance to
 * cash.
 */
export const ACCOUNT_CODES = [
  'customer_funds',
  'settlement_clearing',
  'cash',
  'disputes',
  'merchant_payable',
  'refunds_pending',
  'provider_fees',
] as const;
export type AccountCode = (typeof ACCOUNT_CODES)[number];

export type JournalSide = 'debit' | 'credit';

export type JournalLine = { account: AccountCode; side: JournalSide; amount: bigint };

export type JournalEntry = {
  /** Deterministic, `${paymentId}:${eventType}:${subId}`, so re-projecting an event is a no-op. */
  entryId: string;
  occurredAt: string;
  currency: CurrencyCode;
  lines: JournalLine[];
};

function entry(
  entryId: string,
  occurredAt: string,
  currency: CurrencyCode,
  lines: JournalLine[],
): JournalEntry {
  // Zero lines say nothing (a settlement without fee); every remaining line is positive.
  return { entryId, occurredAt, currency, lines: lines.filter((line) => line.amount !== 0n) };
}

function transfer(debit: AccountCode, credit: AccountCode, amount: bigint): JournalLine[] {
  return [
    { account: debit, side: 'debit', amount },
    { account: credit, side: 'credit', amount },
  ];
}

function settlementEntry({ data }: PaymentEventOf<'PaymentSettled'>): JournalEntry {
  const entryId = `${data.paymentId}:PaymentSettled:${data.settlementId}`;
  return entry(entryId, data.settledAt, data.currency, [
    { account: 'settlement_clearing', side: 'debit', amount: BigInt(data.net) },
    { account: 'provider_fees', side: 'debit', amount: BigInt(data.fee) },
    { account: 'customer_funds', side: 'credit', amount: BigInt(data.amount) },
  ]);
}

/**
 * The journal entry an event books, or null when it moves no money. Every catalog event that
 * moves money carries its amount and currency, so no state is needed: a projection can post
 * each event on its own, in any batch.
 */
export function postingsFor(event: PaymentEvent): JournalEntry | null {
  switch (event.type) {
    case 'PaymentInitiated':
    case 'PaymentAuthorized':
    case 'PaymentVoided':
    case 'PaymentFailed':
    case 'PaymentExpired':
      return null;
    case 'PaymentSettled':
      return settlementEntry(event);
    case 'PaymentCaptured': {
      const { data } = event;
      const lines = transfer('customer_funds', 'merchant_payable', BigInt(data.amount));
      const entryId = `${data.paymentId}:PaymentCaptured:${data.captureId}`;
      return entry(entryId, data.capturedAt, data.currency, lines);
    }
    case 'RefundRequested':
    case 'RefundSucceeded':
    case 'RefundFailed':
      return refundEntry(event);
    case 'DisputeOpened':
    case 'DisputeWon':
    case 'DisputeLost':
      return disputeEntry(event);
    default:
      return assertNever(event, 'payment event');
  }
}

type RefundEvent = PaymentEventOf<'RefundRequested' | 'RefundSucceeded' | 'RefundFailed'>;

function refundEntry(event: RefundEvent): JournalEntry {
  const { data } = event;
  const amount = BigInt(data.amount);
  const entryId = `${data.paymentId}:${event.type}:${data.refundId}`;
  switch (event.type) {
    case 'RefundRequested':
      return entry(
        entryId,
        event.data.requestedAt,
        data.currency,
        transfer('merchant_payable', 'refunds_pending', amount),
      );
    case 'RefundSucceeded':
      return entry(
        entryId,
        event.data.succeededAt,
        data.currency,
        transfer('refunds_pending', 'customer_funds', amount),
      );
    case 'RefundFailed':
      return entry(
        entryId,
        event.data.failedAt,
        data.currency,
        transfer('refunds_pending', 'merchant_payable', amount),
      );
    default:
      return assertNever(event, 'refund event');
  }
}

type DisputeEvent = PaymentEventOf<'DisputeOpened' | 'DisputeWon' | 'DisputeLost'>;

function disputeEntry(event: DisputeEvent): JournalEntry {
  const { data } = event;
  const amount = BigInt(data.amount);
  const entryId = `${data.paymentId}:${event.type}:${data.disputeId}`;
  switch (event.type) {
    case 'DisputeOpened':
      return entry(
        entryId,
        event.data.openedAt,
        data.currency,
        transfer('disputes', 'customer_funds', amount),
      );
    case 'DisputeWon':
      return entry(
        entryId,
        event.data.resolvedAt,
        data.currency,
        transfer('customer_funds', 'disputes', amount),
      );
    case 'DisputeLost':
      return entry(
        entryId,
        event.data.resolvedAt,
        data.currency,
        transfer('merchant_payable', 'disputes', amount),
      );
    default:
      return assertNever(event, 'dispute event');
  }
}
