import type { StoredEvent } from '../../../infra/eventstore/event-store.ts';
import type { PoolClient } from '../../../infra/postgres/pool.ts';
import type { ReconciliationEvent, RecordedLine } from '../../../domain/reconciliation/index.ts';
import {
  addCounts,
  decodeReconciliationEvent,
  emptyCounts,
  RECONCILIATION_EVENT_TYPES,
} from '../../../domain/reconciliation/index.ts';
import { EventDecodeError } from '../../core/decode.ts';
import { excludedAssignments, insertRows, jsonText, type ColumnSpec } from '../../core/sql.ts';
import { ProjectionInvariantError, type Projection } from '../../core/types.ts';
import { draftFromRow, runColumns, runValues, type RunDraft, type RunRow } from './run-row.ts';

type Resolved = Extract<ReconciliationEvent, { type: 'ReconciliationExceptionResolved' }>['data'];

interface Pending {
  runs: Map<string, RunDraft>;
  changed: Set<string>;
  exceptions: unknown[][];
  resolutions: Resolved[];
}

const exceptionColumns: readonly ColumnSpec[] = [
  ...['run_id', 'exception_id', 'tenant_id', 'outcome', 'status'].map((name) => ({
    name,
    type: 'text',
  })),
  { name: 'line_number', type: 'bigint' },
  ...['line_id', 'payment_id', 'reason'].map((name) => ({ name, type: 'text' })),
  { name: 'evidence', type: 'jsonb' },
  ...['raised_at', 'updated_at'].map((name) => ({ name, type: 'timestamptz' })),
];

function decode(event: StoredEvent): ReconciliationEvent {
  const version = event.metadata.schemaVersion;
  if (typeof version !== 'number') {
    throw new EventDecodeError(`${event.type} at ${event.stream}: no schemaVersion`, event.type, 0);
  }
  return decodeReconciliationEvent(event.type, event.data, version);
}

function exceptionRow(draft: RunDraft, line: RecordedLine, at: string): unknown[] {
  return [
    ...[draft.runId, line.exceptionId, draft.tenantId, line.outcome, 'OPEN', line.lineNumber],
    ...[line.lineId, line.paymentId, line.evidence?.reason ?? '', jsonText(line.evidence), at, at],
  ];
}

function started(
  event: Extract<ReconciliationEvent, { type: 'ReconciliationRunStarted' }>,
): RunDraft {
  const { data } = event;
  return {
    ...data,
    status: 'RUNNING',
    counts: emptyCounts(),
    openExceptionCount: 0,
    batchCount: 0,
    completedAt: null,
    updatedAt: data.startedAt,
    revision: -1n,
    position: 0n,
  };
}

/** Folds one event into the drafts and the rows to write; the run row's revision guards it. */
function foldEvent(pending: Pending, stored: StoredEvent): void {
  const event = decode(stored);
  const runId = event.data.runId;
  const existing = pending.runs.get(runId);
  if (existing !== undefined && stored.revision <= existing.revision) return;
  const draft = event.type === 'ReconciliationRunStarted' ? started(event) : existing;
  if (draft === undefined) {
    throw new ProjectionInvariantError(`${event.type} of run ${runId} before its start`);
  }
  switch (event.type) {
    case 'ReconciliationRunStarted':
      break;
    case 'ReconciliationBatchRecorded': {
      const raised = event.data.exceptions.filter((line) => line.exceptionId !== null);
      pending.exceptions.push(
        ...raised.map((line) => exceptionRow(draft, line, event.data.recordedAt)),
      );
      draft.counts = addCounts(draft.counts, event.data.counts);
      draft.openExceptionCount += raised.length;
      draft.batchCount = event.data.batchIndex + 1;
      draft.updatedAt = event.data.recordedAt;
      break;
    }
    case 'ReconciliationRunCompleted':
      draft.status = 'COMPLETED';
      draft.completedAt = event.data.completedAt;
      draft.updatedAt = event.data.completedAt;
      break;
    case 'ReconciliationExceptionResolved':
      pending.resolutions.push(event.data);
      draft.openExceptionCount += event.data.resolution === 'REOPEN' ? 1 : -1;
      draft.updatedAt = event.data.resolvedAt;
      break;
  }
  draft.revision = stored.revision;
  draft.position = stored.position;
  pending.runs.set(runId, draft);
  pending.changed.add(runId);
}

async function loadRuns(tx: PoolClient, runIds: string[]): Promise<Map<string, RunDraft>> {
  const result = await tx.query<RunRow>(
    'SELECT * FROM reconciliation_runs WHERE run_id = ANY($1::text[])',
    [runIds],
  );
  return new Map(result.rows.map((row) => [row.run_id, draftFromRow(row)]));
}

/** Resolutions in stream order: a resolve then a reopen in one batch ends open. */
async function applyResolutions(tx: PoolClient, resolutions: readonly Resolved[]): Promise<void> {
  for (const resolution of resolutions) {
    const reopened = resolution.resolution === 'REOPEN';
    await tx.query(
      `UPDATE reconciliation_exceptions
          SET status = $3, resolution = $4, resolution_note = $5, resolved_by = $6,
              resolved_at = $7, compensation = COALESCE($8::jsonb, compensation), updated_at = $7
        WHERE run_id = $1 AND exception_id = $2`,
      [
        ...[resolution.runId, resolution.exceptionId, reopened ? 'OPEN' : 'RESOLVED'],
        ...[resolution.resolution, resolution.note, resolution.resolvedBy, resolution.resolvedAt],
        resolution.compensation === null ? null : jsonText(resolution.compensation),
      ],
    );
  }
}

async function apply(batch: readonly StoredEvent[], tx: PoolClient): Promise<void> {
  if (batch.length === 0) return;
  const runIds = [...new Set(batch.map((event) => String(event.data.runId)))];
  const pending: Pending = {
    runs: await loadRuns(tx, runIds),
    changed: new Set(),
    exceptions: [],
    resolutions: [],
  };
  for (const event of batch) foldEvent(pending, event);
  const rows = [...pending.changed].flatMap((runId) => {
    const draft = pending.runs.get(runId);
    return draft === undefined ? [] : [runValues(draft)];
  });
  await insertRows(tx, {
    table: 'reconciliation_runs',
    columns: runColumns,
    rows,
    onConflict:
      `ON CONFLICT (run_id) DO UPDATE SET ${excludedAssignments(runColumns, ['run_id'])} ` +
      'WHERE reconciliation_runs.last_stream_revision < EXCLUDED.last_stream_revision',
  });
  const exceptionChunk = 5_000;
  for (let start = 0; start < pending.exceptions.length; start += exceptionChunk) {
    await insertRows(tx, {
      table: 'reconciliation_exceptions',
      columns: exceptionColumns,
      rows: pending.exceptions.slice(start, start + exceptionChunk),
      onConflict: 'ON CONFLICT (run_id, exception_id) DO NOTHING',
    });
  }
  await applyResolutions(tx, pending.resolutions);
}

/** Reconciliation runs (counts per outcome) and their exceptions with evidence and state. */
export const reconciliationProjection: Projection = {
  name: 'reconciliation',
  version: 1,
  handles: RECONCILIATION_EVENT_TYPES,
  tables: [
    { name: 'reconciliation_runs', key: ['run_id'] },
    { name: 'reconciliation_exceptions', key: ['run_id', 'exception_id'] },
  ],
  apply,
};
