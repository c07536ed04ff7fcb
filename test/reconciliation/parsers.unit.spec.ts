import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesSource, fileSource, validateReport } from '../../infra/reconciliation/index.ts';
import {
  normalizeStripeHeader,
  stripeBalanceFormat,
} from '../../infra/reconciliation/stripe-format.ts';
import { ledgerCsvFormat } from '../../infra/reconciliation/ledger-format.ts';
import { parseReportInstant } from '../../infra/reconciliation/report-time.ts';
import type { ReportLine } from '../../domain/reconciliation/index.ts';

const HEADER = 'id,type,source,amount,fee,net,currency,created,available_on,reporting_category';

function stripeRow(fields: string[]) {
  const header = stripeBalanceFormat.readHeader(HEADER.split(','));
  if (!header.ok) throw new Error(header.message);
  return header.parseRow(fields, 2);
}

function row(amount: string, fee: string, net: string, currency: string, type = 'charge') {
  return stripeRow([
    'txn_1',
    type,
    'pi_1',
    amount,
    fee,
    net,
    currency,
    '2025-03-01 10:00:00',
    '2025-03-03 00:00:00',
    type,
  ]);
}

async function lines(
  csv: string,
  format: 'stripe_balance_csv' | 'ledger_csv',
): Promise<ReportLine[]> {
  const validated = await validateReport(bytesSource('r.csv', Buffer.from(csv)), format);
  if (!validated.ok) throw new Error(JSON.stringify(validated.problems));
  const read: ReportLine[] = [];
  try {
    for await (const batch of validated.lines.batches()) read.push(...batch);
  } finally {
    await validated.lines.dispose();
  }
  return read;
}

describe('Stripe balance report: decimal amounts by the currency exponent', () => {
  it.each([
    ['10.50', '0.60', '9.90', 'usd', 1050n, 60n, 990n],
    ['10.5', '0', '10.5', 'usd', 1050n, 0n, 1050n],
    ['1050', '61', '989', 'jpy', 1050n, 61n, 989n],
    ['1.005', '0.035', '0.970', 'kwd', 1005n, 35n, 970n],
    ['12', '0.1', '11.9', 'kwd', 12000n, 100n, 11900n],
  ])('%s %s → %s minor units', (amount, fee, net, currency, amountMinor, feeMinor, netMinor) => {
    const parsed = row(amount, fee, net, currency);
    expect(parsed).toMatchObject({
      ok: true,
      line: {
        amount: amountMinor,
        fee: feeMinor,
        net: netMinor,
        currency: currency.toUpperCase(),
        kind: 'settlement',
      },
    });
  });

  it.each([
    ['10.505', '0', '10.505', 'usd', /fraction digits/],
    ['1050.5', '0', '1050.5', 'jpy', /fraction digits/],
    ['1.0005', '0', '1.0005', 'kwd', /fraction digits/],
    ['1e3', '0', '1000', 'usd', /plain decimal/],
    ['10.00', '0.30', '9.60', 'usd', /net does not equal/],
    ['10.00', '0', '10.00', 'xau', /currency/],
    ['-10.00', '0', '-10.00', 'usd', /must be positive/],
  ])('refuses %s %s', (amount, fee, net, currency, message) => {
    const parsed = row(amount, fee, net, currency);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it('reads refunds and dispute debits as magnitudes with their item ids', () => {
    const refund = stripeRow([
      'txn_2',
      'refund',
      're_9',
      '-4.00',
      '0.00',
      '-4.00',
      'usd',
      '1740823200',
      '',
      'refund',
    ]);
    expect(refund).toMatchObject({
      ok: true,
      line: { kind: 'refund', amount: 400n, net: -400n, itemId: 're_9', paymentReference: null },
    });
    const dispute = stripeRow([
      'txn_3',
      'adjustment',
      'dp_7',
      '-20.00',
      '15.00',
      '-35.00',
      'usd',
      '2025-03-01T10:00:00Z',
      '',
      'dispute',
    ]);
    expect(dispute).toMatchObject({
      ok: true,
      line: { kind: 'dispute_debit', amount: 2000n, fee: 1500n, itemId: 'dp_7' },
    });
    const payout = stripeRow([
      'txn_4',
      'payout',
      'po_1',
      '-100.00',
      '0',
      '-100.00',
      'usd',
      '2025-03-01 10:00',
      '',
      'payout',
    ]);
    expect(payout).toMatchObject({
      ok: true,
      line: { kind: 'payout', amount: 10000n, net: -10000n, itemId: 'po_1' },
    });
    const failedPayout = stripeRow([
      'txn_5',
      'payout_failure',
      'po_1',
      '100.00',
      '0',
      '100.00',
      'usd',
      '2025-03-02 10:00',
      '',
      'payout_reversal',
    ]);
    expect(failedPayout).toMatchObject({
      ok: true,
      line: { kind: 'payout_reversal', net: 10000n },
    });
    const transfer = stripeRow([
      'txn_6',
      'transfer',
      'tr_1',
      '-5.00',
      '0',
      '-5.00',
      'usd',
      '2025-03-02 10:00',
      '',
      'transfer',
    ]);
    expect(transfer).toMatchObject({ ok: true, line: { kind: 'other' } });
  });

  it('refuses a payout that adds to the balance', () => {
    const positive = stripeRow([
      'txn_4',
      'payout',
      'po_1',
      '100.00',
      '0',
      '100.00',
      'usd',
      '2025-03-01 10:00',
      '',
      'payout',
    ]);
    expect(positive).toMatchObject({ ok: false, message: /must be negative/ });
  });

  it('finds columns under the Dashboard and itemized-report spellings', () => {
    expect(normalizeStripeHeader('Created (UTC)')).toBe('created');
    expect(normalizeStripeHeader('created_utc')).toBe('created');
    expect(normalizeStripeHeader('ledger_payment_id (metadata)')).toBe(
      'ledger_payment_id_metadata',
    );
    const itemized =
      'balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,source_id,payment_intent_id';
    const header = stripeBalanceFormat.readHeader(itemized.split(','));
    expect(header.ok).toBe(true);
    if (!header.ok) return;
    const parsed = header.parseRow(
      ['txn_5', '2025-03-01 10:00:00', 'eur', '5.00', '0.20', '4.80', 'charge', 'ch_1', 'pi_5'],
      2,
    );
    expect(parsed).toMatchObject({
      ok: true,
      line: { lineId: 'txn_5', paymentReference: 'pi_5', amount: 500n },
    });
  });

  it('refuses a header without the amount columns', () => {
    expect(stripeBalanceFormat.readHeader(['id', 'type', 'currency'])).toMatchObject({
      ok: false,
      message: /amount, fee, net/,
    });
  });

  it('reads timestamps as Stripe writes them, strictly', () => {
    expect(parseReportInstant('2025-03-01 10:00:00')).toBe('2025-03-01T10:00:00.000Z');
    expect(parseReportInstant('2025-03-01 10:00')).toBe('2025-03-01T10:00:00.000Z');
    expect(parseReportInstant('1740823200')).toBe('2025-03-01T10:00:00.000Z');
    expect(parseReportInstant('2025-02-30 10:00:00')).toBeUndefined();
    expect(parseReportInstant('2025-02-29 10:00:00')).toBeUndefined();
    expect(parseReportInstant('2024-02-29 23:59:59')).toBe('2024-02-29T23:59:59.000Z');
    expect(parseReportInstant('2025-03-01 24:00:00')).toBeUndefined();
    expect(parseReportInstant('2025-03-01T10:00:00+01:00')).toBe('2025-03-01T09:00:00.000Z');
    expect(parseReportInstant('yesterday')).toBeUndefined();
  });

  it('reads every "YYYY-MM-DD HH:MM[:SS]" as the calendar says, valid or not', () => {
    const two = (value: number) => String(value).padStart(2, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2400 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.option(fc.integer({ min: 0, max: 61 })),
        (year, month, day, hour, minute, second) => {
          const clock = `${two(hour)}:${two(minute)}${second === null ? '' : `:${two(second)}`}`;
          const text = `${year}-${two(month)}-${two(day)} ${clock}`;
          const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second ?? 0));
          const fits =
            date.getUTCFullYear() === year &&
            date.getUTCMonth() === month - 1 &&
            date.getUTCDate() === day &&
            date.getUTCHours() === hour &&
            date.getUTCMinutes() === minute &&
            date.getUTCSeconds() === (second ?? 0);
          expect(parseReportInstant(text)).toBe(fits ? date.toISOString() : undefined);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

describe('the ledger CSV format', () => {
  const header =
    'line_id,type,payment_id,provider_reference,item_id,amount_minor,fee_minor,currency,occurred_at';

  it('reads integer minor units, signs from the type', async () => {
    const csv = [
      header,
      'l1,settlement,pay-1,,,1050,30,USD,2025-03-01T10:00:00Z',
      'l2,refund,,pi_2,re_2,400,0,usd,2025-03-01T11:00:00Z',
      'l3,dispute,pay-3,,dp_3,1000,0,JPY,2025-03-01T12:00:00Z',
      'l4,payout,,,po_4,5000,25,USD,2025-03-02T00:00:00Z',
      'l5,payout_reversal,,,,5000,0,USD,2025-03-03T00:00:00Z',
    ].join('\n');
    expect(await lines(csv, 'ledger_csv')).toMatchObject([
      {
        lineNumber: 2,
        kind: 'settlement',
        paymentId: 'pay-1',
        amount: 1050n,
        fee: 30n,
        net: 1020n,
      },
      {
        lineNumber: 3,
        kind: 'refund',
        paymentReference: 'pi_2',
        itemId: 're_2',
        amount: 400n,
        net: -400n,
      },
      { lineNumber: 4, kind: 'dispute_debit', currency: 'JPY', net: -1000n },
      { lineNumber: 5, kind: 'payout', itemId: 'po_4', amount: 5000n, fee: 25n, net: -5025n },
      { lineNumber: 6, kind: 'payout_reversal', itemId: null, net: 5000n },
    ]);
  });

  it.each([
    ['l1,settlement,pay-1,,,10.50,0,USD,2025-03-01T10:00:00Z', /amount_minor/],
    ['l1,settlement,pay-1,,,1050,-1,USD,2025-03-01T10:00:00Z', /fee_minor/],
    ['l1,transfer,pay-1,,,1050,0,USD,2025-03-01T10:00:00Z', /type must be/],
    ['l1,refund,pay-1,,,1050,0,USD,2025-03-01T10:00:00Z', /item_id/],
    ['l1,settlement,pay-1,,,1050,0,USD,tomorrow', /occurred_at/],
  ])('refuses %s', (text, message) => {
    const parsed = ledgerCsvFormat.readHeader(header.split(','));
    if (!parsed.ok) throw new Error(parsed.message);
    const result = parsed.parseRow(text.split(','), 2);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('parsing a large file on a worker thread', () => {
  const csv = [
    `\ufeff${HEADER},ledger_payment_id`,
    'txn_1,charge,pi_1,10.00,0.30,9.70,usd,2025-03-01 10:00:00,,charge,"pay\n""one"""',
    '',
    'txn_2,refund,re_1,-4.00,0,-4.00,usd,1740823200,,refund,',
    'txn_1,charge,pi_1,10.00,0.30,9.70,usd,2025-03-01 10:00:00,,charge,',
  ].join('\r\n');

  async function inFile<Value>(text: string, work: (path: string) => Promise<Value>) {
    const directory = await mkdtemp(join(tmpdir(), 'report-test-'));
    try {
      await writeFile(join(directory, 'r.csv'), text);
      return await work(join(directory, 'r.csv'));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  async function validatedBoth(text: string) {
    return inFile(text, async (path) => {
      const read = async (workerMinBytes: number) => {
        const validated = await validateReport(fileSource(path), 'stripe_balance_csv', {
          workerMinBytes,
        });
        if (!validated.ok) return validated;
        const lines: ReportLine[] = [];
        for await (const batch of validated.lines.batches()) lines.push(...batch);
        await validated.lines.dispose();
        return { ...validated, lines };
      };
      return { worker: await read(0), inline: await read(Number.MAX_SAFE_INTEGER) };
    });
  }

  it('gives the same lines, line numbers, repeats and hash as parsing in-line', async () => {
    const { worker, inline } = await validatedBoth(csv);
    expect(worker).toEqual(inline);
    expect(worker).toMatchObject({
      ok: true,
      lineCount: 3,
      lines: [{ lineNumber: 3, paymentId: 'pay\n"one"' }, { lineNumber: 5 }, { lineNumber: 6 }],
    });
    if (worker.ok) expect([...worker.duplicates]).toEqual([[6, 3]]);
  });

  it('refuses a broken file with the same line as in-line', async () => {
    const { worker, inline } = await validatedBoth(`${csv}\r\ntxn_3,"charge"x,pi_2\r\n`);
    expect(worker).toEqual(inline);
    expect(worker).toMatchObject({ ok: false, problems: [{ lineNumber: 7 }] });
  });
});

describe('validating a whole file before anything is applied', () => {
  it('names every bad line, and only those', async () => {
    const csv = [
      HEADER,
      'txn_1,charge,pi_1,10.00,0.30,9.70,usd,2025-03-01 10:00:00,,charge',
      'txn_2,charge,pi_2,ten,0.30,9.70,usd,2025-03-01 10:00:00,,charge',
      'txn_3,charge,pi_3,10.00,0.30,9.70,usd,2025-03-01 10:00:00,,charge',
      'txn_4,charge,pi_4,10.00,0.30,9.70,usd,not a date,,charge',
    ].join('\n');
    const validated = await validateReport(
      bytesSource('r.csv', Buffer.from(csv)),
      'stripe_balance_csv',
    );
    expect(validated).toMatchObject({
      ok: false,
      problemCount: 2,
      problems: [{ lineNumber: 3 }, { lineNumber: 5 }],
    });
  });

  it('reports a broken quote with its line', async () => {
    const csv = `${HEADER}\ntxn_1,charge,pi_1,10.00,0.30,9.70,usd,2025-03-01 10:00:00,,charge\ntxn_2,"charge"x,pi_2\n`;
    const validated = await validateReport(
      bytesSource('r.csv', Buffer.from(csv)),
      'stripe_balance_csv',
    );
    expect(validated).toMatchObject({ ok: false, problems: [{ lineNumber: 3 }] });
  });

  it('hashes the bytes, counts the lines and spots repeated lines', async () => {
    const line = 'txn_1,charge,pi_1,10.00,0.30,9.70,usd,2025-03-01 10:00:00,,charge';
    const other = 'txn_2,charge,pi_1,10.00,0.30,9.70,usd,2025-03-02 10:00:00,,charge';
    const csv = `${HEADER}\n${line}\n${line}\n${other}\n`;
    const validated = await validateReport(
      bytesSource('r.csv', Buffer.from(csv)),
      'stripe_balance_csv',
    );
    expect(validated).toMatchObject({
      ok: true,
      lineCount: 3,
      periodStart: '2025-03-01T10:00:00.000Z',
      periodEnd: '2025-03-02T10:00:00.000Z',
      fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    if (!validated.ok) return;
    expect([...validated.duplicates]).toEqual([
      [3, 2],
      [4, 2],
    ]);
    await validated.lines.dispose();
  });

  it('remembers every key of a repeated line: repeating its own id later is a duplicate too', async () => {
    const csv = [
      HEADER,
      'txn_1,charge,pi_1,10.00,0.30,9.70,usd,2025-03-01 10:00:00,,charge',
      'txn_2,charge,pi_1,10.00,0.30,9.70,usd,2025-03-01 10:00:00,,charge',
      'txn_2,charge,pi_2,10.00,0.30,9.70,usd,2025-03-01 10:00:00,,charge',
    ].join('\n');
    const validated = await validateReport(
      bytesSource('r.csv', Buffer.from(csv)),
      'stripe_balance_csv',
    );
    if (!validated.ok) throw new Error('refused');
    expect([...validated.duplicates]).toEqual([
      [3, 2],
      [4, 3],
    ]);
    await validated.lines.dispose();
  });

  it('hands the apply pass exactly the lines it accepted, quoted newlines included', async () => {
    const csv = [
      'id,type,source,amount,fee,net,currency,created,reporting_category,ledger_payment_id',
      'txn_1,charge,pi_1,10.00,0.30,9.70,usd,2025-03-01 10:00:00,charge,"pay\n""one"""',
      '',
      'txn_2,refund,re_1,-4.00,0,-4.00,usd,1740823200,refund,',
    ].join('\n');
    const read = await lines(csv, 'stripe_balance_csv');
    expect(read).toEqual([
      expect.objectContaining({ lineNumber: 3, paymentId: 'pay\n"one"', amount: 1000n, net: 970n }),
      expect.objectContaining({ lineNumber: 5, kind: 'refund', itemId: 're_1', net: -400n }),
    ]);
  });
});
