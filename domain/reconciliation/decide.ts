import type { Decision, ErrorCode } from '../errors.ts';
import { assertNever, refuse } from '../errors.ts';
import { isInstant } from '../time.ts';
import type {
  CompleteReconciliationRun,
  RecordReconciliationBatch,
  ReconciliationCommand,
  ResolveReconciliationException,
  StartReconciliationRun,
} from './commands.ts';
import type { ReconciliationEvent, RecordedLine, SettledLines } from './events.ts';
import { REPORT_FORMATS } from './lines.ts';
import { countOutcomes, isException, RESOLUTIONS } from './outcomes.ts';
import type { RunState } from './state.ts';

/** The most lines one batch event may hold: keeps every append far below the store's 1 MiB. */
export const BATCH_LINES_MAX = 1_000;
export const NOTE_LENGTH_MAX = 1_000;

const SHA256_PATTERN = /^[0-9a-f]{64}$/;

function accept(...events: ReconciliationEvent[]): Decision<ReconciliationEvent> {
  return { ok: true, events };
}

function alreadyDone(): Decision<ReconciliationEvent> {
  return { ok: true, events: [] };
}

function refuseWith(code: ErrorCode, message: string, field?: string[]) {
  return refuse(code, message, field);
}

/**
 * The run decider: pure, never throws for a business reason. Starting the same file again is a
 * retry (the run id comes from tenant + file hash); decisions already recorded emit nothing.
 */
export function decide(
  command: ReconciliationCommand,
  state: RunState | undefined,
): Decision<ReconciliationEvent> {
  if (typeof command.data.runId !== 'string' || command.data.runId.length === 0) {
    return refuseWith('INVALID_COMMAND', 'runId must be a non-empty string', ['runId']);
  }
  if (!isInstant(command.data.at)) {
    return refuseWith('INVALID_COMMAND', 'at must be an ISO-8601 instant', ['at']);
  }
  if (command.type === 'StartReconciliationRun') return decideStart(command, state);
  if (state === undefined) {
    return refuseWith('INVALID_COMMAND', `no reconciliation run ${command.data.runId}`, ['runId']);
  }
  switch (command.type) {
    case 'RecordReconciliationBatch':
      return decideRecord(command, state);
    case 'CompleteReconciliationRun':
      return decideComplete(command, state);
    case 'ResolveReconciliationException':
      return decideResolve(command, state);
    default:
      return assertNever(command, 'reconciliation command');
  }
}

function decideStart(
  command: StartReconciliationRun,
  state: RunState | undefined,
): Decision<ReconciliationEvent> {
  const { at, ...data } = command.data;
  if (!SHA256_PATTERN.test(data.fileSha256)) {
    return refuseWith('INVALID_COMMAND', 'fileSha256 must be 64 hex digits', ['fileSha256']);
  }
  if (!REPORT_FORMATS.includes(data.format)) {
    return refuseWith('INVALID_COMMAND', 'unknown report format', ['format']);
  }
  if (!Number.isSafeInteger(data.lineCount) || data.lineCount < 0) {
    return refuseWith('INVALID_COMMAND', 'lineCount must be a whole number', ['lineCount']);
  }
  if (state !== undefined) {
    const same =
      state.tenantId === data.tenantId &&
      state.fileSha256 === data.fileSha256 &&
      state.format === data.format;
    return same
      ? alreadyDone()
      : refuseWith('IDEMPOTENCY_KEY_REUSED', `run ${data.runId} exists for another report`);
  }
  return accept({ type: 'ReconciliationRunStarted', data: { ...data, startedAt: at } });
}

function decideRecord(
  command: RecordReconciliationBatch,
  state: RunState,
): Decision<ReconciliationEvent> {
  const { batchIndex, lines, runId, at } = command.data;
  if (batchIndex < state.batchCount) return alreadyDone();
  if (state.status !== 'RUNNING') {
    return refuseWith('INVALID_TRANSITION', 'the run is already completed');
  }
  if (batchIndex !== state.batchCount) {
    return refuseWith('INVALID_COMMAND', `batch ${state.batchCount} comes next`, ['batchIndex']);
  }
  if (lines.length === 0 || lines.length > BATCH_LINES_MAX) {
    return refuseWith('INVALID_COMMAND', `a batch holds 1 to ${BATCH_LINES_MAX} lines`, ['lines']);
  }
  const seen = new Set<string>();
  for (const line of lines) {
    const id = line.exceptionId;
    if (isException(line.outcome) !== (id !== null && line.evidence !== null)) {
      return refuseWith('INVALID_COMMAND', 'exceptions, and only they, carry an id and evidence');
    }
    if (!isException(line.outcome) && (line.lineNumber === null || line.lineId === null)) {
      return refuseWith('INVALID_COMMAND', 'a matched or ignored line names its report line');
    }
    if (id !== null && (seen.has(id) || state.exceptions.has(id))) {
      return refuseWith('INVALID_COMMAND', `exception ${id} is recorded twice`, ['lines']);
    }
    if (id !== null) seen.add(id);
  }
  const counts = countOutcomes(lines.map((line) => line.outcome));
  const { settled, exceptions } = split(lines);
  return accept({
    type: 'ReconciliationBatchRecorded',
    data: { runId, batchIndex, settled, exceptions, counts, recordedAt: at },
  });
}

/** Exceptions stay whole; the other lines go into columns. */
function split(lines: readonly RecordedLine[]): {
  settled: SettledLines;
  exceptions: RecordedLine[];
} {
  const settled: SettledLines = {
    lineNumbers: [],
    lineIds: [],
    outcomes: [],
    paymentIds: [],
    compensations: [],
  };
  const exceptions: RecordedLine[] = [];
  for (const line of lines) {
    if (line.outcome !== 'matched' && line.outcome !== 'ignored') {
      exceptions.push(line);
      continue;
    }
    settled.lineNumbers.push(line.lineNumber ?? 0);
    settled.lineIds.push(line.lineId ?? '');
    settled.outcomes.push(line.outcome);
    settled.paymentIds.push(line.paymentId);
    settled.compensations.push(line.compensation);
  }
  return { settled, exceptions };
}

function decideComplete(
  command: CompleteReconciliationRun,
  state: RunState,
): Decision<ReconciliationEvent> {
  if (state.status === 'COMPLETED') return alreadyDone();
  return accept({
    type: 'ReconciliationRunCompleted',
    data: {
      runId: command.data.runId,
      counts: state.counts,
      batchCount: state.batchCount,
      completedAt: command.data.at,
    },
  });
}

/**
 * An operator's ruling on one exception. Accepting or writing off an open exception closes
 * it; asking again for the same ruling is a retry; REOPEN opens a resolved one again. Only a
 * finished run's exceptions can be ruled on: a running one may still record more.
 */
function decideResolve(
  command: ResolveReconciliationException,
  state: RunState,
): Decision<ReconciliationEvent> {
  const { runId, exceptionId, resolution, note, resolvedBy, compensation, at } = command.data;
  if (!RESOLUTIONS.includes(resolution)) {
    return refuseWith('INVALID_COMMAND', 'unknown resolution', ['resolution']);
  }
  const trimmed = typeof note === 'string' ? note.trim() : '';
  if (trimmed.length === 0 || trimmed.length > NOTE_LENGTH_MAX) {
    return refuseWith('INVALID_COMMAND', `a note of 1 to ${NOTE_LENGTH_MAX} characters`, ['note']);
  }
  if (typeof resolvedBy !== 'string' || resolvedBy.length === 0) {
    return refuseWith('INVALID_COMMAND', 'resolvedBy must name the operator', ['resolvedBy']);
  }
  if (state.status !== 'COMPLETED') {
    return refuseWith('INVALID_TRANSITION', 'the run is still in progress');
  }
  const exception = state.exceptions.get(exceptionId);
  if (exception === undefined) {
    return refuseWith('INVALID_COMMAND', `no exception ${exceptionId}`, ['exceptionId']);
  }
  if (resolution === 'REOPEN') {
    if (exception.status === 'OPEN') {
      return refuseWith('INVALID_TRANSITION', `exception ${exceptionId} is already open`);
    }
  } else if (exception.status === 'RESOLVED') {
    return exception.resolution === resolution
      ? alreadyDone()
      : refuseWith('INVALID_TRANSITION', `exception ${exceptionId} is ${exception.resolution}`);
  } else if (resolution === 'ACCEPT_PROVIDER_FIGURE' && exception.proposal === null) {
    const message = 'the ledger cannot take the provider figure here; write it off instead';
    return refuseWith('INVALID_TRANSITION', message, ['resolution']);
  }
  return accept({
    type: 'ReconciliationExceptionResolved',
    data: {
      runId,
      exceptionId,
      resolution,
      note: trimmed,
      resolvedBy,
      compensation: resolution === 'ACCEPT_PROVIDER_FIGURE' ? compensation : null,
      resolvedAt: at,
    },
  });
}
