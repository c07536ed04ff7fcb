import type { ReconciliationRunStarted, RecordedLine } from './events.ts';
import type { Compensation, Resolution } from './outcomes.ts';

/** Commands carry their time and ids, as the payment's do: the decider has no clock. */
type Command<Type extends string, Data> = {
  type: Type;
  data: Data & { runId: string; at: string };
};

export type StartReconciliationRun = Command<
  'StartReconciliationRun',
  Omit<ReconciliationRunStarted['data'], 'startedAt'>
>;

export type RecordReconciliationBatch = Command<
  'RecordReconciliationBatch',
  { batchIndex: number; lines: RecordedLine[] }
>;

export type CompleteReconciliationRun = Command<'CompleteReconciliationRun', object>;

export type ResolveReconciliationException = Command<
  'ResolveReconciliationException',
  {
    exceptionId: string;
    resolution: Resolution;
    note: string;
    resolvedBy: string;
    /** What the write path applied for ACCEPT_PROVIDER_FIGURE (the exception's proposal). */
    compensation: Compensation | null;
  }
>;

export type ReconciliationCommand =
  | StartReconciliationRun
  | RecordReconciliationBatch
  | CompleteReconciliationRun
  | ResolveReconciliationException;
