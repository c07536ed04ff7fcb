import { describe, expect, it } from 'vitest';
import { parseCurrencyCode, type CurrencyCode } from '../money/index.ts';
import type { LedgerPayment } from './ledger-facts.ts';
import type { ReportLine } from './lines.ts';
import { lookupByAmountAndDate, matchLine, missingAtProvider } from './matching.ts';

function code(text: string): CurrencyCode {
  const parsed = parseCurrencyCode(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value;
}

const AT = '2025-03-01T10:00:00.000Z';

function line(overrides: Partial<ReportLine> = {}): ReportLine {
  return {
    lineNumber: 2,
    lineId: 'txn_1',
    kind: 'settlement',
    sourceType: 'charge',
    paymentReference: 'pi_1',
    paymentId: null,
    itemId: null,
    amount: 1000n,
    fee: 59n,
    net: 941n,
    currency: code('USD'),
    occurredAt: AT,
    ...overrides,
  };
}

function payment(overrides: Partial<LedgerPayment> = {}): LedgerPayment {
  return {
    paymentId: 'pay-1',
    tenantId: 'acme',
    providerPaymentId: 'pi_1',
    status: 'CAPTURED',
    currency: 'USD',
    capturedAmount: 1000n,
    settlementId: null,
    settledAmount: 0n,
    feeAmount: 0n,
    createdAt: AT,
    refunds: [],
    disputes: [],
    ...overrides,
  };
}

const found = (value: LedgerPayment) => ({
  kind: 'found' as const,
  payment: value,
  matchedBy: 'reference' as const,
});

describe('settlement lines', () => {
  it('match a captured payment of the same gross and settle it with fee and net', () => {
    const decision = matchLine(line(), found(payment()));
    expect(decision).toMatchObject({
      outcome: 'matched',
      paymentId: 'pay-1',
      compensation: {
        kind: 'settle',
        settlementId: 'txn_1',
        amount: '1000',
        fee: '59',
        currency: 'USD',
        settledAt: AT,
      },
    });
  });

  it('are already in step when this very line settled the payment', () => {
    const settled = payment({
      status: 'SETTLED',
      settlementId: 'txn_1',
      settledAmount: 1000n,
      feeAmount: 59n,
    });
    expect(matchLine(line(), found(settled))).toMatchObject({
      outcome: 'matched',
      compensation: null,
    });
  });

  it('are duplicates when another settlement already settled the payment', () => {
    const settled = payment({ status: 'SETTLED', settlementId: 'txn_0', settledAmount: 1000n });
    expect(matchLine(line(), found(settled))).toMatchObject({
      outcome: 'duplicate',
      compensation: null,
    });
  });

  it('propose settling a smaller gross, but never a larger one', () => {
    const smaller = matchLine(line({ amount: 900n, net: 841n }), found(payment()));
    expect(smaller).toMatchObject({
      outcome: 'amount_mismatch',
      compensation: null,
      proposal: { kind: 'settle', amount: '900' },
    });
    const larger = matchLine(line({ amount: 1100n, net: 1041n }), found(payment()));
    expect(larger).toMatchObject({ outcome: 'amount_mismatch', proposal: null });
  });

  it.each(['INITIATED', 'AUTHORIZED', 'FAILED', 'VOIDED', 'EXPIRED'] as const)(
    'are a status mismatch on a %s payment',
    (status) => {
      expect(matchLine(line(), found(payment({ status })))).toMatchObject({
        outcome: 'status_mismatch',
      });
    },
  );

  it('are a currency mismatch before anything else', () => {
    expect(
      matchLine(line({ currency: code('EUR') }), found(payment({ status: 'VOIDED' }))),
    ).toMatchObject({
      outcome: 'currency_mismatch',
      ledger: { currency: 'USD', capturedAmount: '1000' },
    });
  });

  it('are missing in the ledger when nothing or too much fits', () => {
    expect(matchLine(line(), { kind: 'not_found' })).toMatchObject({
      outcome: 'missing_in_ledger',
      paymentId: null,
    });
    expect(matchLine(line(), { kind: 'ambiguous', paymentIds: ['a', 'b'] })).toMatchObject({
      outcome: 'missing_in_ledger',
      reason: /2 ledger payments/,
    });
  });
});

describe('refund and dispute lines', () => {
  const refundLine = line({ kind: 'refund', itemId: 're_1', amount: 400n, fee: 0n, net: -400n });
  const disputeLine = line({
    kind: 'dispute_debit',
    itemId: 'dp_1',
    amount: 1000n,
    fee: 1500n,
    net: -2500n,
  });
  const reversalLine = {
    ...disputeLine,
    kind: 'dispute_reversal' as const,
    fee: -1500n,
    net: 2500n,
  };
  const booking = (figures: object) => ({
    lineId: 'txn_1',
    tenantId: 'acme',
    paymentId: 'pay-1',
    currency: 'USD',
    occurredAt: AT,
    ...figures,
  });

  it('book a refund line with its fee, completing a pending refund first', () => {
    const pending = payment({ refunds: [{ id: 're_1', status: 'PENDING', amount: 400n }] });
    const returnedFee = { ...refundLine, fee: -12n, net: -388n };
    expect(matchLine(returnedFee, found(pending))).toMatchObject({
      outcome: 'matched',
      compensation: {
        kind: 'book_refund',
        paymentId: 'pay-1',
        refundId: 're_1',
        complete: true,
        booking: booking({
          kind: 'refund',
          itemId: 're_1',
          amount: '400',
          fee: '-12',
          net: '-388',
        }),
      },
    });
    const done = payment({ refunds: [{ id: 're_1', status: 'SUCCEEDED', amount: 400n }] });
    expect(matchLine(refundLine, found(done))).toMatchObject({
      outcome: 'matched',
      compensation: { kind: 'book_refund', complete: false, booking: { net: '-400' } },
    });
  });

  it('raise an exception for an unknown, failed or different refund', () => {
    expect(matchLine(refundLine, found(payment()))).toMatchObject({ outcome: 'missing_in_ledger' });
    const failed = payment({ refunds: [{ id: 're_1', status: 'FAILED', amount: 400n }] });
    expect(matchLine(refundLine, found(failed))).toMatchObject({ outcome: 'status_mismatch' });
    const other = payment({ refunds: [{ id: 're_1', status: 'PENDING', amount: 300n }] });
    expect(matchLine(refundLine, found(other))).toMatchObject({ outcome: 'amount_mismatch' });
  });

  it.each(['OPEN', 'WON', 'LOST'] as const)(
    'book a dispute debit and its fee whatever the outcome so far (%s): the debit is the withdrawal',
    (status) => {
      const disputed = payment({ disputes: [{ id: 'dp_1', status, amount: 1000n }] });
      expect(matchLine(disputeLine, found(disputed))).toMatchObject({
        outcome: 'matched',
        compensation: {
          kind: 'book_dispute',
          disputeId: 'dp_1',
          resolve: null,
          booking: booking({ kind: 'dispute_debit', amount: '1000', fee: '1500', net: '-2500' }),
        },
      });
    },
  );

  it('book a reversal as the win: resolving an open dispute, in step with a won one', () => {
    const open = payment({ disputes: [{ id: 'dp_1', status: 'OPEN', amount: 1000n }] });
    expect(matchLine(reversalLine, found(open))).toMatchObject({
      outcome: 'matched',
      compensation: { kind: 'book_dispute', resolve: 'won', booking: { net: '2500' } },
    });
    const won = payment({ disputes: [{ id: 'dp_1', status: 'WON', amount: 1000n }] });
    expect(matchLine(reversalLine, found(won))).toMatchObject({
      compensation: { kind: 'book_dispute', resolve: null },
    });
    const lost = payment({ disputes: [{ id: 'dp_1', status: 'LOST', amount: 1000n }] });
    expect(matchLine(reversalLine, found(lost))).toMatchObject({
      outcome: 'status_mismatch',
      compensation: null,
    });
  });

  it('raise an exception for an unknown or different dispute', () => {
    expect(matchLine(disputeLine, found(payment()))).toMatchObject({
      outcome: 'missing_in_ledger',
    });
    const other = payment({ disputes: [{ id: 'dp_1', status: 'OPEN', amount: 900n }] });
    expect(matchLine(disputeLine, found(other))).toMatchObject({ outcome: 'amount_mismatch' });
  });
});

describe('payout lines', () => {
  const payout = line({
    kind: 'payout',
    sourceType: 'payout',
    paymentReference: null,
    itemId: 'po_1',
    amount: 120_000n,
    fee: 0n,
    net: -120_000n,
  });

  it.each([
    ['payout', payout],
    ['payout_reversal', { ...payout, kind: 'payout_reversal' as const, net: 120_000n }],
  ] as const)('book a %s to the books of the run', (kind, item) => {
    expect(matchLine(item, { kind: 'account', tenantId: '*' })).toMatchObject({
      outcome: 'matched',
      paymentId: null,
      compensation: {
        kind: 'book_payout',
        booking: {
          lineId: 'txn_1',
          kind,
          tenantId: '*',
          paymentId: null,
          itemId: 'po_1',
          amount: '120000',
          fee: '0',
          net: String(item.net),
        },
      },
    });
  });
});

describe('lines without a reference, and payments without a line', () => {
  it('match by amount, currency and date window when exactly one payment fits', () => {
    const unnamed = line({ paymentReference: null });
    const near = payment({ createdAt: '2025-02-27T10:00:00.000Z' });
    const far = payment({ paymentId: 'pay-2', createdAt: '2025-02-20T10:00:00.000Z' });
    const windowMs = 3 * 24 * 3600 * 1000;
    expect(lookupByAmountAndDate(unnamed, [near, far], windowMs)).toMatchObject({
      kind: 'found',
      payment: { paymentId: 'pay-1' },
    });
    const twin = payment({ paymentId: 'pay-3' });
    expect(lookupByAmountAndDate(unnamed, [near, twin], windowMs)).toMatchObject({
      kind: 'ambiguous',
    });
    expect(lookupByAmountAndDate(unnamed, [far], windowMs)).toEqual({ kind: 'not_found' });
  });

  it('ignore lines that move no payment', () => {
    expect(matchLine(line({ kind: 'other' }), { kind: 'not_found' })).toMatchObject({
      outcome: 'ignored',
    });
  });

  it('report an unsettled captured payment as missing at the provider', () => {
    expect(missingAtProvider(payment())).toMatchObject({
      outcome: 'missing_at_provider',
      paymentId: 'pay-1',
    });
  });
});
