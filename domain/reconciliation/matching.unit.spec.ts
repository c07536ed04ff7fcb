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
    fee: 0n,
    net: -1000n,
  });

  it('complete a pending refund, and are in step with a succeeded one', () => {
    const pending = payment({ refunds: [{ id: 're_1', status: 'PENDING', amount: 400n }] });
    expect(matchLine(refundLine, found(pending))).toMatchObject({
      outcome: 'matched',
      compensation: { kind: 'complete_refund', refundId: 're_1' },
    });
    const done = payment({ refunds: [{ id: 're_1', status: 'SUCCEEDED', amount: 400n }] });
    expect(matchLine(refundLine, found(done))).toMatchObject({
      outcome: 'matched',
      compensation: null,
    });
  });

  it('raise an exception for an unknown, failed or different refund', () => {
    expect(matchLine(refundLine, found(payment()))).toMatchObject({ outcome: 'missing_in_ledger' });
    const failed = payment({ refunds: [{ id: 're_1', status: 'FAILED', amount: 400n }] });
    expect(matchLine(refundLine, found(failed))).toMatchObject({ outcome: 'status_mismatch' });
    const other = payment({ refunds: [{ id: 're_1', status: 'PENDING', amount: 300n }] });
    expect(matchLine(refundLine, found(other))).toMatchObject({ outcome: 'amount_mismatch' });
  });

  it('resolve an open dispute as lost on a debit and as won on a reversal', () => {
    const open = payment({ disputes: [{ id: 'dp_1', status: 'OPEN', amount: 1000n }] });
    expect(matchLine(disputeLine, found(open))).toMatchObject({
      outcome: 'matched',
      compensation: { kind: 'resolve_dispute', outcome: 'lost' },
    });
    const reversal = { ...disputeLine, kind: 'dispute_reversal' as const };
    expect(matchLine(reversal, found(open))).toMatchObject({ compensation: { outcome: 'won' } });
    const won = payment({ disputes: [{ id: 'dp_1', status: 'WON', amount: 1000n }] });
    expect(matchLine(disputeLine, found(won))).toMatchObject({ outcome: 'status_mismatch' });
  });

  it('leave a fee the journal cannot book to an operator, with the command proposed', () => {
    const open = payment({ disputes: [{ id: 'dp_1', status: 'OPEN', amount: 1000n }] });
    const withFee = { ...disputeLine, fee: 1500n, net: -2500n };
    expect(matchLine(withFee, found(open))).toMatchObject({
      outcome: 'unsupported',
      compensation: null,
      proposal: { kind: 'resolve_dispute', disputeId: 'dp_1' },
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
