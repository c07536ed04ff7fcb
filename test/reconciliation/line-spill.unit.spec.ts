import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CurrencyCode } from '../../domain/money/index.ts';
import type { ReportLine } from '../../domain/reconciliation/index.ts';
import { bytesSource, validateReport } from '../../infra/reconciliation/index.ts';
import { LineSpill } from '../../infra/reconciliation/line-spill.ts';

function line(index: number): ReportLine {
  return {
    lineNumber: index + 2,
    lineId: `txn_${index}`,
    kind: index % 3 === 0 ? 'refund' : 'settlement',
    sourceType: 'charge',
    paymentReference: index % 2 === 0 ? `pi_${index}` : null,
    paymentId: index % 5 === 0 ? `pay\n"${index}"\t\\` : null,
    itemId: null,
    amount: 9_223_372_036_854_775_807n - BigInt(index),
    fee: BigInt(index),
    net: -BigInt(index),
    currency: 'USD' as CurrencyCode,
    occurredAt: '2025-03-01T00:00:00.000Z',
  };
}

/** Runs `work` with the temporary directory pointed at an empty one of its own. */
async function inOwnTemporaryDirectory(work: () => Promise<void>): Promise<string[]> {
  const own = await mkdtemp(join(tmpdir(), 'spill-test-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = own;
  try {
    await work();
    return await readdir(own);
  } finally {
    process.env.TMPDIR = previous;
    await rm(own, { recursive: true, force: true });
  }
}

describe('the spill of accepted lines', () => {
  it('gives back every line as it was given, across record boundaries', async () => {
    const spill = await LineSpill.create();
    const written = Array.from({ length: 2_345 }, (_, index) => line(index));
    for (const item of written) spill.add(item);
    await spill.finish();
    const read: ReportLine[] = [];
    for await (const batch of spill.batches()) read.push(...batch);
    expect(read).toEqual(written);
    expect(spill.lineCount).toBe(written.length);
    await spill.dispose();
  });

  it('leaves no file behind: disposed, or a refused report', async () => {
    const left = await inOwnTemporaryDirectory(async () => {
      const spill = await LineSpill.create();
      spill.add(line(1));
      await spill.dispose();
      const csv = 'id,type,amount,fee,net,currency,created\nx,charge,1\n';
      const refused = await validateReport(
        bytesSource('bad.csv', Buffer.from(csv)),
        'stripe_balance_csv',
      );
      expect(refused.ok).toBe(false);
    });
    expect(left).toEqual([]);
  });
});
