import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CurrencyCode } from '../money/index.ts';
import type { PaymentEventOf } from '../payment/events.ts';
import { accountBalances, isBalanced } from './balances.ts';
import type { AccountCode, JournalEntry, JournalLine } from './postings.ts';
import { postingsFor } from './postings.ts';
import {
  PROVIDER_LINE_KINDS,
  providerLineEntry,
  providerLineNet,
  type ProviderLine,
  type ProviderLineKind,
} from './provider-lines.ts';

const USD = 'USD' as CurrencyCode;
const JPY = 'JPY' as CurrencyCode;
const AT = '2025-03-04T10:00:00.000Z';

const debit = (account: AccountCode, amount: bigint): JournalLine => ({
  account,
  side: 'debit',
  amount,
});
const credit = (account: AccountCode, amount: bigint): JournalLine => ({
  account,
  side: 'credit',
  amount,
});

function line(kind: ProviderLineKind, amount: bigint, fee: bigint): ProviderLine {
  return { lineId: 'txn_1', kind, amount, fee, currency: USD, occurredAt: AT };
}

/** Debits minus credits of one account over some entries. */
function movement(entries: readonly JournalEntry[], account: AccountCode): bigint {
  let total = 0n;
  for (const entry of entries)
    for (const item of entry.lines)
      if (item.account === account) total += item.side === 'debit' ? item.amount : -item.amount;
  return total;
}

describe('provider balance lines: what each books', () => {
  it.each<[string, ProviderLine, JournalLine[]]>([
    [
      'a refund: the gross leaves the provider balance',
      line('refund', 5_000n, 0n),
      [debit('customer_funds', 5_000n), credit('settlement_clearing', 5_000n)],
    ],
    [
      'a refund on which the provider gives part of its fee back (fee -1.45)',
      line('refund', 5_000n, -145n),
      [
        debit('customer_funds', 5_000n),
        credit('settlement_clearing', 5_000n),
        debit('settlement_clearing', 145n),
        credit('provider_fees', 145n),
      ],
    ],
    [
      'a dispute debit of 100.00 with the 15.00 dispute fee',
      line('dispute_debit', 10_000n, 1_500n),
      [
        debit('customer_funds', 10_000n),
        credit('settlement_clearing', 10_000n),
        debit('provider_fees', 1_500n),
        credit('settlement_clearing', 1_500n),
      ],
    ],
    [
      'a dispute reversal (won) that returns the 15.00 fee',
      line('dispute_reversal', 10_000n, -1_500n),
      [
        debit('settlement_clearing', 10_000n),
        credit('customer_funds', 10_000n),
        debit('settlement_clearing', 1_500n),
        credit('provider_fees', 1_500n),
      ],
    ],
    [
      'a payout: the provider balance goes to the bank',
      line('payout', 120_000n, 0n),
      [debit('cash', 120_000n), credit('settlement_clearing', 120_000n)],
    ],
    [
      'an instant payout with its fee',
      line('payout', 120_000n, 1_200n),
      [
        debit('cash', 120_000n),
        credit('settlement_clearing', 120_000n),
        debit('provider_fees', 1_200n),
        credit('settlement_clearing', 1_200n),
      ],
    ],
    [
      'a failed payout: the money comes back to the provider balance',
      line('payout_reversal', 120_000n, 0n),
      [debit('settlement_clearing', 120_000n), credit('cash', 120_000n)],
    ],
  ])('%s', (_name, provider, lines) => {
    const entry = providerLineEntry(provider);
    expect(entry).toEqual({
      entryId: 'provider-line:txn_1',
      occurredAt: AT,
      currency: USD,
      lines,
    });
    expect(isBalanced(entry)).toBe(true);
  });

  it('nets as the provider does: net = signed gross - fee', () => {
    expect(providerLineNet(line('refund', 5_000n, -145n))).toBe(-4_855n);
    expect(providerLineNet(line('dispute_debit', 10_000n, 1_500n))).toBe(-11_500n);
    expect(providerLineNet(line('dispute_reversal', 10_000n, -1_500n))).toBe(11_500n);
    expect(providerLineNet(line('payout', 120_000n, 1_200n))).toBe(-121_200n);
    expect(providerLineNet(line('payout_reversal', 120_000n, 0n))).toBe(120_000n);
  });
});

const providerLine = fc.record({
  lineId: fc.string({ minLength: 1, maxLength: 8 }),
  kind: fc.constantFrom(...PROVIDER_LINE_KINDS),
  amount: fc.bigInt({ min: 1n, max: 10n ** 12n }),
  fee: fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
  currency: fc.constantFrom(USD, JPY),
  occurredAt: fc.constant(AT),
});

describe('provider balance lines, whatever their figures', () => {
  it('balance, and move settlement_clearing by the net and provider_fees by the fee', () => {
    fc.assert(
      fc.property(providerLine, (provider) => {
        const entry = providerLineEntry(provider);
        expect(isBalanced(entry)).toBe(true);
        expect(entry.lines.every((item) => item.amount > 0n)).toBe(true);
        expect(movement([entry], 'settlement_clearing')).toBe(providerLineNet(provider));
        expect(movement([entry], 'provider_fees')).toBe(provider.fee);
        const outgoing = provider.kind === 'payout';
        const incoming = provider.kind === 'payout_reversal';
        expect(movement([entry], 'cash')).toBe(
          outgoing ? provider.amount : incoming ? -provider.amount : 0n,
        );
      }),
      { numRuns: 1_000 },
    );
  });
});

/** A report line: a charge (booked by PaymentSettled) or a line booked on its own. */
const reportLine = fc.oneof(
  fc.record({
    charge: fc.record({
      amount: fc.bigInt({ min: 1n, max: 10n ** 10n }),
      feePermille: fc.integer({ min: 0, max: 1000 }),
      currency: fc.constantFrom(USD, JPY),
    }),
  }),
  fc.record({ provider: providerLine }),
);

function settled(index: number, amount: bigint, fee: bigint, currency: CurrencyCode) {
  const event: PaymentEventOf<'PaymentSettled'> = {
    type: 'PaymentSettled',
    data: {
      paymentId: `pay_${index}`,
      settlementId: `txn_${index}`,
      amount: amount.toString(),
      fee: fee.toString(),
      net: (amount - fee).toString(),
      currency,
      settledAt: AT,
    },
  };
  return event;
}

describe('a whole report booked', () => {
  it('keeps each currency at zero, with clearing = Σ net, fees = Σ fee, cash = Σ payouts', () => {
    fc.assert(
      fc.property(fc.array(reportLine, { maxLength: 60 }), (lines) => {
        const entries: JournalEntry[] = [];
        const totals = new Map<CurrencyCode, { net: bigint; fee: bigint; cash: bigint }>();
        lines.forEach((item, index) => {
          let currency: CurrencyCode;
          let net: bigint;
          let fee: bigint;
          let cash = 0n;
          if ('charge' in item) {
            const { amount, feePermille } = item.charge;
            currency = item.charge.currency;
            fee = (amount * BigInt(feePermille)) / 1000n;
            net = amount - fee;
            const entry = postingsFor(settled(index, amount, fee, currency));
            if (entry !== null) entries.push(entry);
          } else {
            const provider = { ...item.provider, lineId: `txn_${index}` };
            currency = provider.currency;
            fee = provider.fee;
            net = providerLineNet(provider);
            if (provider.kind === 'payout') cash = provider.amount;
            if (provider.kind === 'payout_reversal') cash = -provider.amount;
            entries.push(providerLineEntry(provider));
          }
          const total = totals.get(currency) ?? { net: 0n, fee: 0n, cash: 0n };
          totals.set(currency, {
            net: total.net + net,
            fee: total.fee + fee,
            cash: total.cash + cash,
          });
        });
        for (const [currency, accounts] of accountBalances(entries)) {
          let sum = 0n;
          for (const balance of accounts.values()) sum += balance;
          expect([currency, sum]).toEqual([currency, 0n]);
        }
        for (const [currency, total] of totals) {
          const inCurrency = entries.filter((entry) => entry.currency === currency);
          expect(movement(inCurrency, 'settlement_clearing')).toBe(total.net);
          expect(movement(inCurrency, 'provider_fees')).toBe(total.fee);
          expect(movement(inCurrency, 'cash')).toBe(total.cash);
        }
      }),
      { numRuns: 300 },
    );
  });
});
