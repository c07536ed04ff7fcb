import type { ReportFormat } from './lines.ts';
import type { Compensation, Outcome, OutcomeCounts, Resolution } from './outcomes.ts';

export type ExceptionStatus = 'OPEN' | 'RESOLVED';

export interface ExceptionState {
  readonly exceptionId: string;
  readonly outcome: Outcome;
  readonly paymentId: string | null;
  readonly status: ExceptionStatus;
  readonly resolution: Resolution | null;
  readonly proposal: Compensation | null;
}

/** A run as folded from its stream. */
export interface RunState {
  readonly runId: string;
  readonly tenantId: string;
  readonly fileName: string;
  readonly fileSha256: string;
  readonly format: ReportFormat;
  readonly lineCount: number;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly status: 'RUNNING' | 'COMPLETED';
  /** Batches are recorded in order; this is the index the next one must have. */
  readonly batchCount: number;
  /** Report lines decided so far (a prefix of the file): where a resumed run carries on. */
  readonly linesRecorded: number;
  readonly counts: OutcomeCounts;
  readonly exceptions: ReadonlyMap<string, ExceptionState>;
  readonly startedAt: string;
  readonly completedAt: string | null;
  /** Events folded: the stream revision + 1. */
  readonly version: number;
}
