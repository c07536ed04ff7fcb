import { describe, expect, it } from 'vitest';
import type { PaymentEventType } from '../payment/events.ts';
import { PAYMENT_EVENT_TYPES } from '../payment/events.ts';
import { at, event, USD } from '../payment/testing/fixtures.ts';
import { accountBalances, isBalanced } from './balances.ts';
import type { JournalLine } from './postings.ts';
import { postingsFor } from './postings.ts';

const debit = (account: JournalLine['account'], amount: bigint): JournalLine => ({
  account,
  side: 'debit',
  amount,
});
const credit = (account: JournalLine['account'], amount: bigint): JournalLine => ({
  account,
  side: 'credit',
  amount,
});

describe('postingsFor', () => {
  it.each([
    'PaymentInitiated',
    'PaymentAuthorized',
    'PaymentVoided',
    'PaymentFailed',
    'PaymentExpired',
  ] as const)('books nothing for %s: no money moved', (type) => {
    expect(postingsFor(event(type))).toBeNull();
  });

  it.each<[PaymentEventType, string, JournalLine[]]>([
    [
      'PaymentCaptured',
      'pay_1:PaymentCaptured:cap_1',
      [debit('customer_funds', 1000n), credit('merchant_payable', 1000n)],
    ],
    [
      'PaymentSettled',
      'pay_1:PaymentSettled:set_1',
      [
        debit('settlement_clearing', 970n),
        debit('provider_fees', 30n),
        credit('customer_funds', 1000n),
      ],
    ],
    [
      'RefundRequested',
      'pay_1:RefundRequested:ref_1',
      [debit('merchant_payable', 400n), credit('refunds_pending', 400n)],
    ],
    [
      'RefundSucceeded',
      'pay_1:RefundSucceeded:ref_1',
      [debit('refunds_pending', 400n), credit('customer_funds', 400n)],
    ],
    [
      'RefundFailed',
      'pay_1:RefundFailed:ref_1',
      [debit('refunds_pending', 400n), credit('merchant_payable', 400n)],
    ],
    [
      'DisputeOpened',
      'pay_1:DisputeOpened:dis_1',
      [debit('disputes', 300n), credit('customer_funds', 300n)],
    ],
    [
      'DisputeWon',
      'pay_1:DisputeWon:dis_1',
      [debit('customer_funds', 300n), credit('disputes', 300n)],
    ],
    [
      'DisputeLost',
      'pay_1:DisputeLost:dis_1',
      [debit('merchant_payable', 300n), credit('disputes', 300n)],
    ],
  ])('books %s as %s', (type, entryId, lines) => {
    const entry = postingsFor(event(type));
    expect(entry).toMatchObject({ entryId, currency: USD, lines });
    expect(entry !== null && isBalanced(entry)).toBe(true);
  });
});

describe('journal entries', () => {
  it('dates each entry with the business time of its event', () => {
    expect(postingsFor(event('PaymentCaptured'))?.occurredAt).toBe(at(2));
    expect(postingsFor(event('RefundFailed'))?.occurredAt).toBe(at(6));
  });

  it('leaves out zero lines, so a settlement without fee has two lines', () => {
    const entry = postingsFor(event('PaymentSettled', { fee: '0', net: '1000' }));
    expect(entry?.lines).toEqual([
      debit('settlement_clearing', 1000n),
      credit('customer_funds', 1000n),
    ]);
  });

  it('gives every event that moves money a distinct, deterministic entry id', () => {
    const ids = PAYMENT_EVENT_TYPES.map((type) => postingsFor(event(type))?.entryId).filter(
      Boolean,
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(postingsFor(event('PaymentCaptured'))).toEqual(postingsFor(event('PaymentCaptured')));
  });
});

describe('accountBalances', () => {
  it('nets a full refund after capture back to zero for the merchant', () => {
    const entries = [
      event('PaymentCaptured'),
      event('RefundRequested', { amount: '1000' }),
      event('RefundSucceeded', { amount: '1000' }),
    ]
      .map((paymentEvent) => postingsFor(paymentEvent))
      .filter((entry) => entry !== null);
    const usd = accountBalances(entries).get(USD);
    expect(usd?.get('merchant_payable')).toBe(0n);
    expect(usd?.get('refunds_pending')).toBe(0n);
    expect(usd?.get('customer_funds')).toBe(0n);
  });
});
