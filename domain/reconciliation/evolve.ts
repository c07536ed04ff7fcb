import { assertNever, InvariantViolationError } from '../errors.ts';
import type { ReconciliationEvent } from './events.ts';
import { addCounts, emptyCounts } from './outcomes.ts';
import type { ExceptionState, RunState } from './state.ts';

/** Folds one event; refuses only streams that cannot be true (no start first). */
export function evolve(state: RunState | undefined, event: ReconciliationEvent): RunState {
  if (event.type === 'ReconciliationRunStarted') {
    if (state !== undefined) throw new InvariantViolationError(`run ${state.runId} started twice`);
    const { data } = event;
    return {
      runId: data.runId,
      tenantId: data.tenantId,
      fileName: data.fileName,
      fileSha256: data.fileSha256,
      format: data.format,
      lineCount: data.lineCount,
      periodStart: data.periodStart,
      periodEnd: data.periodEnd,
      status: 'RUNNING',
      batchCount: 0,
      linesRecorded: 0,
      counts: emptyCounts(),
      exceptions: new Map(),
      startedAt: data.startedAt,
      completedAt: null,
      version: 1,
    };
  }
  if (state === undefined) throw new InvariantViolationError(`${event.type} before the start`);
  return { ...apply(state, event), version: state.version + 1 };
}

function apply(
  state: RunState,
  event: Exclude<ReconciliationEvent, { type: 'ReconciliationRunStarted' }>,
): RunState {
  switch (event.type) {
    case 'ReconciliationBatchRecorded': {
      // Extended in place, not copied: copying per batch would make folding a run with a
      // million exceptions quadratic. Successive states share the map, so a state must not be
      // read for its exceptions after a later one was derived from it (the folds never do).
      const exceptions = state.exceptions as Map<string, ExceptionState>;
      let linesRecorded = state.linesRecorded + event.data.settled.lineNumbers.length;
      for (const line of event.data.exceptions) {
        if (line.lineNumber !== null) linesRecorded += 1;
        if (line.exceptionId === null) continue;
        exceptions.set(line.exceptionId, {
          exceptionId: line.exceptionId,
          outcome: line.outcome,
          paymentId: line.paymentId,
          status: 'OPEN',
          resolution: null,
          proposal: line.evidence?.proposal ?? null,
        });
      }
      return {
        ...state,
        batchCount: event.data.batchIndex + 1,
        linesRecorded,
        counts: addCounts(state.counts, event.data.counts),
        exceptions,
      };
    }
    case 'ReconciliationRunCompleted':
      return { ...state, status: 'COMPLETED', completedAt: event.data.completedAt };
    case 'ReconciliationExceptionResolved': {
      const existing = state.exceptions.get(event.data.exceptionId);
      if (existing === undefined) {
        throw new InvariantViolationError(`resolution of unknown ${event.data.exceptionId}`);
      }
      const reopened = event.data.resolution === 'REOPEN';
      const next: ExceptionState = {
        ...existing,
        status: reopened ? 'OPEN' : 'RESOLVED',
        resolution: reopened ? null : event.data.resolution,
      };
      const exceptions = state.exceptions as Map<string, ExceptionState>;
      return { ...state, exceptions: exceptions.set(next.exceptionId, next) };
    }
    default:
      return assertNever(event, 'reconciliation event');
  }
}

export function fold(events: Iterable<ReconciliationEvent>): RunState | undefined {
  let state: RunState | undefined;
  for (const event of events) state = evolve(state, event);
  return state;
}
