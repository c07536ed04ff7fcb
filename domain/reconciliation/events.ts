import type { LedgerEvidence } from './ledger-facts.ts';
import type { LineEvidence, ReportFormat } from './lines.ts';
import type { Compensation, Outcome, OutcomeCounts, Resolution } from './outcomes.ts';

/**
 * The run's event catalog: a storage format, never renamed. Every type starts with
 * `Reconciliation`, the prefix the projections subscribe by. Payloads are JSON-safe: amounts are
 * minor-unit strings, times ISO-8601 strings, counts plain integers.
 */
type Event<Type extends string, Data> = { type: Type; data: Data };

/** The evidence of an exception: why, what the report said, what the ledger holds. */
export interface Evidence {
  reason: string;
  line: LineEvidence | null;
  ledger: LedgerEvidence | null;
  /** The command "accept the provider's figure" runs; null when the ledger cannot take it. */
  proposal: Compensation | null;
}

/**
 * The decision on one line, or on one ledger payment no line mentions (lineNumber null).
 * Matched lines stay compact; exceptions carry their id and evidence.
 */
export interface RecordedLine {
  exceptionId: string | null;
  lineNumber: number | null;
  lineId: string | null;
  outcome: Outcome;
  paymentId: string | null;
  /** The command applied to the ledger for this line, if any. */
  compensation: Compensation | null;
  evidence: Evidence | null;
}

export type ReconciliationRunStarted = Event<
  'ReconciliationRunStarted',
  {
    runId: string;
    tenantId: string;
    fileName: string;
    fileSha256: string;
    format: ReportFormat;
    lineCount: number;
    /** Earliest and latest line dates: the period "missing at provider" looks at. */
    periodStart: string | null;
    periodEnd: string | null;
    startedAt: string;
  }
>;

/**
 * The lines of a batch decided without an exception (matched or ignored), column by column:
 * they are the bulk of every run, and columns keep a thousand of them to a few tens of KiB.
 * All arrays have one entry per line, in file order.
 */
export interface SettledLines {
  lineNumbers: number[];
  lineIds: string[];
  outcomes: ('matched' | 'ignored')[];
  paymentIds: (string | null)[];
  /** The command applied for the line; null when the ledger was already in step. */
  compensations: (Compensation | null)[];
}

/** Up to a thousand decisions at a time, so a million-line run is a thousand events. */
export type ReconciliationBatchRecorded = Event<
  'ReconciliationBatchRecorded',
  {
    runId: string;
    batchIndex: number;
    settled: SettledLines;
    /** Every exception of the batch with its evidence, in file order. */
    exceptions: RecordedLine[];
    counts: OutcomeCounts;
    recordedAt: string;
  }
>;

export type ReconciliationRunCompleted = Event<
  'ReconciliationRunCompleted',
  { runId: string; counts: OutcomeCounts; batchCount: number; completedAt: string }
>;

export type ReconciliationExceptionResolved = Event<
  'ReconciliationExceptionResolved',
  {
    runId: string;
    exceptionId: string;
    resolution: Resolution;
    note: string;
    resolvedBy: string;
    /** The ledger command run for ACCEPT_PROVIDER_FIGURE; null otherwise. */
    compensation: Compensation | null;
    resolvedAt: string;
  }
>;

export type ReconciliationEvent =
  | ReconciliationRunStarted
  | ReconciliationBatchRecorded
  | ReconciliationRunCompleted
  | ReconciliationExceptionResolved;

export type ReconciliationEventType = ReconciliationEvent['type'];

export const RECONCILIATION_EVENT_TYPES = [
  'ReconciliationRunStarted',
  'ReconciliationBatchRecorded',
  'ReconciliationRunCompleted',
  'ReconciliationExceptionResolved',
] as const satisfies readonly ReconciliationEventType[];

export const RECONCILIATION_STREAM_PREFIX = 'reconciliation-';

export function reconciliationStreamName(runId: string): string {
  return `${RECONCILIATION_STREAM_PREFIX}${runId}`;
}
