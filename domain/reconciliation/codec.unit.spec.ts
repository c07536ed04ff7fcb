import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeReconciliationEvent, encodeReconciliationEvent } from './codec.ts';
import type { ReconciliationEvent, SettledLines } from './events.ts';
import { emptyCounts } from './outcomes.ts';

const AT = '2025-03-01T00:00:00.000Z';

function batch(settled: SettledLines): ReconciliationEvent {
  return {
    type: 'ReconciliationBatchRecorded',
    data: {
      runId: 'run_1',
      batchIndex: 0,
      settled,
      exceptions: [],
      counts: emptyCounts(),
      recordedAt: AT,
    },
  };
}

const settledLines = fc
  .array(
    fc.record({
      step: fc.integer({ min: 1, max: 3 }),
      outcome: fc.constantFrom('matched' as const, 'ignored' as const),
      paymentId: fc.option(fc.string({ minLength: 1, maxLength: 6 })),
      settles: fc.boolean(),
    }),
    { maxLength: 80 },
  )
  .map((items) => {
    const settled: SettledLines = {
      lineNumbers: [],
      lineIds: [],
      outcomes: [],
      paymentIds: [],
      compensations: [],
    };
    let lineNumber = 1;
    for (const item of items) {
      lineNumber += item.step;
      settled.lineNumbers.push(lineNumber);
      settled.lineIds.push(`txn_${lineNumber}`);
      settled.outcomes.push(item.outcome);
      settled.paymentIds.push(item.paymentId);
      settled.compensations.push(
        item.settles && item.paymentId !== null
          ? {
              kind: 'settle',
              paymentId: item.paymentId,
              settlementId: `txn_${lineNumber}`,
              amount: '1000',
              fee: '30',
              currency: 'USD',
              settledAt: AT,
            }
          : null,
      );
    }
    return settled;
  });

describe('the batch record, stored compactly', () => {
  it('reads back exactly the lines it was given', () => {
    fc.assert(
      fc.property(settledLines, (settled) => {
        const event = batch(settled);
        const encoded = encodeReconciliationEvent(event);
        expect(encoded.schemaVersion).toBe(2);
        const stored = JSON.parse(JSON.stringify(encoded.data)) as unknown;
        expect(decodeReconciliationEvent(encoded.type, stored, encoded.schemaVersion)).toEqual(
          event,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('still reads batch records stored at version 1', () => {
    const settled: SettledLines = {
      lineNumbers: [2, 3],
      lineIds: ['txn_2', 'txn_3'],
      outcomes: ['matched', 'ignored'],
      paymentIds: ['pay_1', null],
      compensations: [null, null],
    };
    const event = batch(settled);
    expect(decodeReconciliationEvent(event.type, event.data, 1)).toEqual(event);
  });

  it('takes a third less room for a thousand lines in step', () => {
    const settled: SettledLines = {
      lineNumbers: Array.from({ length: 1_000 }, (_, index) => 100_002 + index),
      lineIds: Array.from({ length: 1_000 }, (_, index) => `txn_bench_${100_000 + index}`),
      outcomes: Array.from({ length: 1_000 }, () => 'matched' as const),
      paymentIds: Array.from({ length: 1_000 }, (_, index) => `bench-pay-${100_000 + index}`),
      compensations: Array.from({ length: 1_000 }, () => null),
    };
    const event = batch(settled);
    const compact = JSON.stringify(encodeReconciliationEvent(event).data).length;
    expect(compact).toBeLessThan(JSON.stringify(event.data).length * 0.67);
  });

  it('refuses a stored record whose columns do not cover the same lines', () => {
    const encoded = encodeReconciliationEvent(
      batch({
        lineNumbers: [2],
        lineIds: ['txn_2'],
        outcomes: ['matched'],
        paymentIds: [null],
        compensations: [null],
      }),
    );
    const broken = {
      ...encoded.data,
      settled: { ...(encoded.data.settled as object), lineIds: [] },
    };
    expect(() => decodeReconciliationEvent(encoded.type, broken, 2)).toThrow(/every column/);
  });
});
