import type {
  OutcomeCounts,
  ReconciliationEvent,
  RecordedLine,
  ReportFormat,
  ReportLine,
  RunState,
} from '../../domain/reconciliation/index.ts';
import { missingAtProvider } from '../../domain/reconciliation/index.ts';
import type { EventStore } from '../eventstore/event-store.ts';
import type { CommandContext } from '../write/event-metadata.ts';
import type { PaymentService } from '../write/payment-service.ts';
import {
  loadBatchLedger,
  matchBatch,
  type BatchLedger,
  type MatchContext,
  type MatchedLine,
} from './batch-matcher.ts';
import { CompactKeyTable } from './compact-key-table.ts';
import { compensate } from './compensation.ts';
import type { LedgerReader } from './ledger-reader.ts';
import { exceptionIdOf, recordedLine } from './recorded-lines.ts';
import type { LineSpill } from './line-spill.ts';
import { validateReport, type LineProblem, type ValidatedReport } from './report-reader.ts';
import type { ReportSource } from './report-source.ts';
import { deriveRunId } from './run-aggregate.ts';
import { RunRecorder } from './run-recorder.ts';
import { RunWriter } from './run-writer.ts';

export interface ReconciliationDependencies {
  store: EventStore;
  ledger: LedgerReader;
  payments: PaymentService;
  clock: () => Date;
}

export interface ReconcileOptions {
  /** ±window for matching lines without a reference by amount and date. */
  windowMs: number;
  /** Lines matched together (one set of ledger queries per batch). */
  batchLines: number;
  /**
   * Batches whose ledger rows are fetched while earlier ones are decided: PostgreSQL answers
   * them in parallel, on connections of the pool it is given.
   */
  prefetchBatches: number;
  /** Payment commands in flight at once. */
  compensationConcurrency: number;
  /** Size bound of one recorded event's lines. */
  eventBytesMax: number;
  /** Size bound of one append of several events (the store takes 1 MiB of data at most). */
  appendBytesMax: number;
  /** Recorded events waiting for the store before deciding waits for it. */
  queuedEventsMax: number;
  onProgress?: (progress: {
    phase: 'validating' | 'matching' | 'closing';
    linesDone: number;
    lineCount: number;
  }) => void;
}

export const defaultReconcileOptions: ReconcileOptions = {
  windowMs: 3 * 24 * 60 * 60 * 1000,
  batchLines: 1_000,
  prefetchBatches: 6,
  compensationConcurrency: 32,
  eventBytesMax: 512 * 1024,
  appendBytesMax: 896 * 1024,
  queuedEventsMax: 32,
};

export interface ReconcileRequest {
  source: ReportSource;
  format: ReportFormat;
  /** The run's tenant, or '*' to match across every tenant. */
  tenantId: string;
  actor: string;
}

export type ReconcileResult =
  | { status: 'REFUSED'; fileSha256: string | null; problems: LineProblem[]; problemCount: number }
  | {
      status: 'COMPLETED';
      runId: string;
      fileSha256: string;
      lineCount: number;
      counts: OutcomeCounts;
      /** The same report was reconciled before: nothing was done this time. */
      alreadyReconciled: boolean;
      run: RunState;
      /** `$all` position of the run's last event, for read-your-writes. */
      position: bigint;
    };

interface Run {
  recorder: RunRecorder;
  deps: ReconciliationDependencies;
  request: ReconcileRequest;
  options: ReconcileOptions;
  writer: RunWriter;
  context: CommandContext;
  match: MatchContext;
  lineCount: number;
}

function completed(writer: RunWriter, alreadyReconciled: boolean): ReconcileResult {
  const state = writer.state;
  if (state === undefined) throw new Error('a completed run has a state');
  return {
    run: state,
    position: writer.position,
    status: 'COMPLETED',
    runId: state.runId,
    fileSha256: state.fileSha256,
    lineCount: state.lineCount,
    counts: state.counts,
    alreadyReconciled,
  };
}

/** Payments the recorded batches already touched, so a resumed run knows them. */
function touchedBy(events: readonly ReconciliationEvent[]): CompactKeyTable {
  const touched = new CompactKeyTable();
  for (const event of events) {
    if (event.type !== 'ReconciliationBatchRecorded') continue;
    const { settled, exceptions } = event.data;
    settled.paymentIds.forEach((paymentId, index) => {
      if (paymentId === null) return;
      const settles = settled.compensations[index]?.kind === 'settle';
      touched.set(
        paymentId,
        settles ? (settled.lineNumbers[index] ?? 0) : (touched.get(paymentId) ?? 0),
      );
    });
    for (const line of exceptions) {
      if (line.paymentId !== null && !touched.has(line.paymentId)) touched.set(line.paymentId, 0);
    }
  }
  return touched;
}

/**
 * Reconciles one report: validates the whole file first (a bad file changes nothing), then
 * matches it batch by batch, applies what matched through the payment write path, records every
 * decision on the run's stream, and looks for ledger payments the report lacks. A report seen
 * before (same tenant, same bytes) is the same run: a completed one is returned as it stands, an
 * interrupted one carries on where its records end.
 */
export async function reconcileReport(
  deps: ReconciliationDependencies,
  request: ReconcileRequest,
  options: ReconcileOptions = defaultReconcileOptions,
): Promise<ReconcileResult> {
  options.onProgress?.({ phase: 'validating', linesDone: 0, lineCount: 0 });
  const validated = await validateReport(request.source, request.format);
  if (!validated.ok) {
    const { fileSha256, problems, problemCount } = validated;
    return { status: 'REFUSED', fileSha256, problems, problemCount };
  }
  try {
    return await applyReport(deps, request, options, validated);
  } finally {
    await validated.lines.dispose();
  }
}

async function applyReport(
  deps: ReconciliationDependencies,
  request: ReconcileRequest,
  options: ReconcileOptions,
  validated: ValidatedReport & { ok: true },
): Promise<ReconcileResult> {
  const runId = deriveRunId(request.tenantId, validated.fileSha256);
  const { writer, events } = await RunWriter.open(deps.store, runId);
  if (writer.state?.status === 'COMPLETED') return completed(writer, true);
  const context: CommandContext = {
    tenantId: request.tenantId,
    actor: request.actor,
    source: 'reconciliation',
    correlationId: runId,
    causationId: runId,
  };
  const at = deps.clock().toISOString();
  await writer.execute(
    {
      type: 'StartReconciliationRun',
      data: {
        runId,
        tenantId: request.tenantId,
        fileName: request.source.fileName,
        fileSha256: validated.fileSha256,
        format: request.format,
        lineCount: validated.lineCount,
        periodStart: validated.periodStart,
        periodEnd: validated.periodEnd,
        at,
      },
    },
    context,
  );
  const match = {
    tenantId: request.tenantId,
    windowMs: options.windowMs,
    duplicates: validated.duplicates,
    touched: touchedBy(events),
  };
  let linesDone = writer.state?.linesRecorded ?? 0;
  const recorder = new RunRecorder({
    writer,
    context,
    clock: deps.clock,
    eventBytesMax: options.eventBytesMax,
    appendBytesMax: options.appendBytesMax,
    queuedEventsMax: options.queuedEventsMax,
    onRecorded: (reportLines) => {
      linesDone += reportLines;
      const lineCount = validated.lineCount;
      if (reportLines > 0) options.onProgress?.({ phase: 'matching', linesDone, lineCount });
    },
  });
  const run: Run = {
    recorder,
    deps,
    request,
    options,
    writer,
    context,
    match,
    lineCount: validated.lineCount,
  };
  await processLines(run, validated.lines);
  await recordMissingAtProvider(run, validated.periodStart, validated.periodEnd);
  await recorder.flush();
  await writer.execute(
    { type: 'CompleteReconciliationRun', data: { runId, at: deps.clock().toISOString() } },
    context,
  );
  return completed(writer, false);
}

/** A batch of lines whose ledger rows are being fetched ahead of its turn. */
interface PendingBatch {
  lines: ReportLine[];
  ledger: Promise<BatchLedger>;
}

/**
 * A pipeline over the accepted lines: the ledger rows of the next batches are fetched while
 * the current batch is decided and compensated, and the records are appended (see RunRecorder)
 * while the next ones are decided. Decisions stay in file order (a payment's first settling line
 * wins), and the run's stream is written in order. Bounded: `prefetchBatches` batches fetched
 * ahead, one being decided, and the recorder's queue.
 *
 * Fetching ahead reads the read model a little earlier than deciding: no new kind of staleness,
 * since the read model lags the payment streams anyway; a compensation the stream refuses is
 * decided again against the stream (see compensation.ts).
 */
async function processLines(run: Run, lines: LineSpill): Promise<void> {
  let skip = run.writer.state?.linesRecorded ?? 0;
  let batch: ReportLine[] = [];
  const pending: PendingBatch[] = [];
  run.options.onProgress?.({ phase: 'matching', linesDone: skip, lineCount: run.lineCount });
  const prefetch = () => {
    const ledger = loadBatchLedger(run.deps.ledger, run.match.tenantId, batch);
    // Awaited in its turn; this only keeps Node from calling an early rejection unhandled.
    ledger.catch(() => undefined);
    pending.push({ lines: batch, ledger });
    batch = [];
  };
  const decideNext = async () => {
    const next = pending.shift();
    if (next !== undefined) await run.recorder.add(await decideBatch(run, next));
  };
  for await (const spilled of lines.batches()) {
    for (const line of spilled) {
      if (skip > 0) {
        skip -= 1;
        continue;
      }
      batch.push(line);
      if (batch.length < run.options.batchLines) continue;
      prefetch();
      if (pending.length > run.options.prefetchBatches) await decideNext();
    }
  }
  if (batch.length > 0) prefetch();
  while (pending.length > 0) await decideNext();
}

async function decideBatch(run: Run, batch: PendingBatch): Promise<RecordedLine[]> {
  const matched = await matchBatch(run.deps.ledger, run.match, batch.lines, await batch.ledger);
  await compensate(matched, {
    ledger: { payments: run.deps.payments, store: run.deps.store },
    caller: { ...run.context },
    runId: run.writer.runId,
    at: run.deps.clock().toISOString(),
    concurrency: run.options.compensationConcurrency,
  });
  return matched.map(recordedLine);
}

/** Pages through the period's unsettled captured payments that no line touched. */
async function recordMissingAtProvider(
  run: Run,
  periodStart: string | null,
  periodEnd: string | null,
): Promise<void> {
  if (periodStart === null || periodEnd === null) return;
  run.options.onProgress?.({
    phase: 'closing',
    linesDone: run.lineCount,
    lineCount: run.lineCount,
  });
  const pageSize = run.options.batchLines;
  let afterPaymentId = '';
  for (let page = 0; page < Number.MAX_SAFE_INTEGER; page += 1) {
    const payments = await run.deps.ledger.unsettledInPeriod(run.request.tenantId, {
      from: periodStart,
      to: periodEnd,
      afterPaymentId,
      limit: pageSize,
    });
    const missing: MatchedLine[] = payments
      .filter((payment) => !run.match.touched.has(payment.paymentId))
      .map((payment) => ({ line: null, decision: missingAtProvider(payment) }))
      .filter((item) => !run.writer.state?.exceptions.has(exceptionIdOf(item)));
    if (missing.length > 0) await run.recorder.add(missing.map(recordedLine));
    const last = payments.at(-1);
    if (last === undefined || payments.length < pageSize) return;
    afterPaymentId = last.paymentId;
  }
}
