import { z } from 'zod';
import type { SettledLines } from './events.ts';
import type { Compensation } from './outcomes.ts';

/**
 * Version 2 of ReconciliationBatchRecorded stores its settled lines more compactly: the line
 * numbers and outcomes as runs (a batch is mostly consecutive lines, mostly matched), and the
 * compensations sparsely (a report in step applies none). Ids stay one per line. In memory the
 * event keeps the plain columns of version 1; only the stored form differs (a third less JSON
 * for a batch in step, which the store, its client and every reader pay for).
 */
export interface StoredSettledLines {
  /** [first line, how many consecutive lines]. */
  lineNumberRuns: [number, number][];
  lineIds: string[];
  /** [outcome, how many lines in a row]. */
  outcomeRuns: ['matched' | 'ignored', number][];
  paymentIds: (string | null)[];
  /** [index in the batch, compensation] for the lines that have one. */
  compensations: [number, Compensation][];
}

export function compactSettled(settled: SettledLines): StoredSettledLines {
  const lineNumberRuns: [number, number][] = [];
  for (const lineNumber of settled.lineNumbers) {
    const last = lineNumberRuns.at(-1);
    if (last !== undefined && last[0] + last[1] === lineNumber) last[1] += 1;
    else lineNumberRuns.push([lineNumber, 1]);
  }
  const outcomeRuns: ['matched' | 'ignored', number][] = [];
  for (const outcome of settled.outcomes) {
    const last = outcomeRuns.at(-1);
    if (last !== undefined && last[0] === outcome) last[1] += 1;
    else outcomeRuns.push([outcome, 1]);
  }
  const compensations: [number, Compensation][] = [];
  settled.compensations.forEach((compensation, index) => {
    if (compensation !== null) compensations.push([index, compensation]);
  });
  return {
    lineNumberRuns,
    lineIds: settled.lineIds,
    outcomeRuns,
    paymentIds: settled.paymentIds,
    compensations,
  };
}

function expandRuns<Value>(runs: readonly [Value, number][], next: (value: Value) => Value) {
  const values: Value[] = [];
  for (const [first, count] of runs) {
    let value = first;
    for (let index = 0; index < count; index += 1) {
      values.push(value);
      value = next(value);
    }
  }
  return values;
}

export function expandSettled(stored: StoredSettledLines): SettledLines {
  const compensations: (Compensation | null)[] = stored.lineIds.map(() => null);
  for (const [index, compensation] of stored.compensations) compensations[index] = compensation;
  return {
    lineNumbers: expandRuns(stored.lineNumberRuns, (lineNumber) => lineNumber + 1),
    lineIds: stored.lineIds,
    outcomes: expandRuns(stored.outcomeRuns, (outcome) => outcome),
    paymentIds: stored.paymentIds,
    compensations,
  };
}

/** The stored shape's schema; `compensation` is the codec's schema of one compensation. */
export function storedSettledSchema(
  compensation: z.ZodType<Compensation>,
  identifier: z.ZodString,
) {
  const count = z.number().int().positive();
  return z
    .object({
      lineNumberRuns: z.array(z.tuple([z.number().int().positive(), count])),
      lineIds: z.array(identifier),
      outcomeRuns: z.array(z.tuple([z.enum(['matched', 'ignored']), count])),
      paymentIds: z.array(z.string().nullable()),
      compensations: z.array(z.tuple([z.number().int().nonnegative(), compensation])),
    })
    .refine(
      (stored) => {
        const lines = stored.lineIds.length;
        const total = (runs: [unknown, number][]) => runs.reduce((sum, run) => sum + run[1], 0);
        return (
          total(stored.lineNumberRuns) === lines &&
          total(stored.outcomeRuns) === lines &&
          stored.paymentIds.length === lines &&
          stored.compensations.every(([index]) => index < lines)
        );
      },
      { message: 'every column covers every line of the batch' },
    );
}
