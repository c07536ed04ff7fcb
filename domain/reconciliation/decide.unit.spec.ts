import { describe, expect, it } from 'vitest';
import type { ReconciliationCommand, StartReconciliationRun } from './commands.ts';
import { decide } from './decide.ts';
import type { RecordedLine, ReconciliationEvent } from './events.ts';
import { evolve } from './evolve.ts';
import type { RunState } from './state.ts';

const AT = '2025-03-02T09:00:00.000Z';
const RUN = 'run-1';

const start: StartReconciliationRun = {
  type: 'StartReconciliationRun',
  data: {
    runId: RUN,
    tenantId: 'acme',
    fileName: 'balance.csv',
    fileSha256: 'a'.repeat(64),
    format: 'stripe_balance_csv',
    lineCount: 2,
    periodStart: AT,
    periodEnd: AT,
    at: AT,
  },
};

const matched: RecordedLine = {
  exceptionId: null,
  lineNumber: 2,
  lineId: 'txn_1',
  outcome: 'matched',
  paymentId: 'pay-1',
  compensation: null,
  evidence: null,
};

const exception: RecordedLine = {
  exceptionId: 'L3',
  lineNumber: 3,
  lineId: 'txn_2',
  outcome: 'amount_mismatch',
  paymentId: 'pay-2',
  compensation: null,
  evidence: {
    reason: 'gross 900 but captured 1000',
    line: null,
    ledger: null,
    proposal: {
      kind: 'settle',
      paymentId: 'pay-2',
      settlementId: 'txn_2',
      amount: '900',
      fee: '0',
      currency: 'USD',
      settledAt: AT,
    },
  },
};

function given(...commands: ReconciliationCommand[]): RunState | undefined {
  let state: RunState | undefined;
  for (const command of commands) {
    const decision = decide(command, state);
    if (!decision.ok) throw new Error(decision.error.message);
    for (const event of decision.events) state = evolve(state, event);
  }
  return state;
}

function events(
  command: ReconciliationCommand,
  state: RunState | undefined,
): ReconciliationEvent[] {
  const decision = decide(command, state);
  if (!decision.ok) throw new Error(`${decision.error.code}: ${decision.error.message}`);
  return decision.events;
}

const record = (batchIndex: number, lines: RecordedLine[]): ReconciliationCommand => ({
  type: 'RecordReconciliationBatch',
  data: { runId: RUN, batchIndex, lines, at: AT },
});
const complete: ReconciliationCommand = {
  type: 'CompleteReconciliationRun',
  data: { runId: RUN, at: AT },
};
const resolve = (
  resolution: 'ACCEPT_PROVIDER_FIGURE' | 'WRITE_OFF' | 'REOPEN',
  note = 'checked the bank',
): ReconciliationCommand => ({
  type: 'ResolveReconciliationException',
  data: {
    runId: RUN,
    exceptionId: 'L3',
    resolution,
    note,
    resolvedBy: 'ops-1',
    compensation: exception.evidence?.proposal ?? null,
    at: AT,
  },
});

describe('the reconciliation run', () => {
  it('starts once per report: the same start again is a retry, another report a refusal', () => {
    const state = given(start);
    expect(events(start, state)).toEqual([]);
    const other = { ...start, data: { ...start.data, fileSha256: 'b'.repeat(64) } };
    expect(decide(other, state)).toMatchObject({
      ok: false,
      error: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
  });

  it('records batches in order, counts outcomes, and ignores a batch already recorded', () => {
    const state = given(start, record(0, [matched, exception]));
    expect(state).toMatchObject({
      batchCount: 1,
      linesRecorded: 2,
      counts: { matched: 1, amount_mismatch: 1 },
    });
    expect(events(record(0, [matched]), state)).toEqual([]);
    expect(decide(record(2, [matched]), state)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_COMMAND' },
    });
  });

  it('refuses an exception without evidence and an exception id used twice', () => {
    const state = given(start, record(0, [exception]));
    expect(decide(record(1, [{ ...exception, evidence: null }]), state)).toMatchObject({
      ok: false,
    });
    expect(decide(record(1, [exception]), state)).toMatchObject({
      ok: false,
      error: { message: /twice/ },
    });
  });

  it('completes with the counts, once', () => {
    const state = given(start, record(0, [matched, exception]));
    expect(events(complete, state)).toMatchObject([
      {
        type: 'ReconciliationRunCompleted',
        data: { counts: { matched: 1, amount_mismatch: 1 }, batchCount: 1 },
      },
    ]);
    expect(events(complete, given(start, complete))).toEqual([]);
  });

  it('lets an operator accept, then reopen, then write off, each an audited event', () => {
    const running = given(start, record(0, [matched, exception]));
    expect(decide(resolve('WRITE_OFF'), running)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_TRANSITION' },
    });
    const done = given(start, record(0, [matched, exception]), complete);
    expect(events(resolve('ACCEPT_PROVIDER_FIGURE'), done)).toMatchObject([
      {
        type: 'ReconciliationExceptionResolved',
        data: {
          resolution: 'ACCEPT_PROVIDER_FIGURE',
          resolvedBy: 'ops-1',
          note: 'checked the bank',
          compensation: { kind: 'settle' },
        },
      },
    ]);
    const accepted = given(
      start,
      record(0, [matched, exception]),
      complete,
      resolve('ACCEPT_PROVIDER_FIGURE'),
    );
    expect(events(resolve('ACCEPT_PROVIDER_FIGURE'), accepted)).toEqual([]);
    expect(decide(resolve('WRITE_OFF'), accepted)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_TRANSITION' },
    });
    const reopened = given(
      start,
      record(0, [matched, exception]),
      complete,
      resolve('ACCEPT_PROVIDER_FIGURE'),
      resolve('REOPEN'),
    );
    expect(reopened?.exceptions.get('L3')).toMatchObject({ status: 'OPEN', resolution: null });
    expect(events(resolve('WRITE_OFF'), reopened)).toMatchObject([
      { data: { resolution: 'WRITE_OFF', compensation: null } },
    ]);
  });

  it('refuses a ruling without a note, on an unknown exception, or an impossible acceptance', () => {
    const done = given(
      start,
      record(0, [
        matched,
        exception,
        {
          ...exception,
          exceptionId: 'L4',
          lineNumber: 4,
          evidence: { ...exception.evidence!, proposal: null },
        },
      ]),
      complete,
    );
    expect(decide(resolve('WRITE_OFF', '  '), done)).toMatchObject({
      ok: false,
      error: { field: ['note'] },
    });
    const unknown = {
      ...resolve('WRITE_OFF'),
      data: { ...resolve('WRITE_OFF').data, exceptionId: 'L9' },
    } as ReconciliationCommand;
    expect(decide(unknown, done)).toMatchObject({ ok: false, error: { field: ['exceptionId'] } });
    const noProposal = {
      ...resolve('ACCEPT_PROVIDER_FIGURE'),
      data: { ...resolve('ACCEPT_PROVIDER_FIGURE').data, exceptionId: 'L4' },
    } as ReconciliationCommand;
    expect(decide(noProposal, done)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_TRANSITION' },
    });
    expect(decide(resolve('REOPEN'), done)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_TRANSITION' },
    });
  });
});
