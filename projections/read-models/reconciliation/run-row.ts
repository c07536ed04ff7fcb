import type { OutcomeCounts } from '../../../domain/reconciliation/index.ts';
import type { ColumnSpec } from '../../core/sql.ts';
import { jsonText } from '../../core/sql.ts';

/** A `reconciliation_runs` row as pg returns it. */
export interface RunRow {
  run_id: string;
  tenant_id: string;
  file_name: string;
  file_sha256: string;
  format: string;
  line_count: bigint;
  status: 'RUNNING' | 'COMPLETED';
  period_start: Date | null;
  period_end: Date | null;
  counts: OutcomeCounts;
  open_exception_count: bigint;
  batch_count: number;
  started_at: Date;
  completed_at: Date | null;
  updated_at: Date;
  last_stream_revision: bigint;
  last_position: bigint;
}

/** The row being folded; instants stay ISO strings until written. */
export interface RunDraft {
  runId: string;
  tenantId: string;
  fileName: string;
  fileSha256: string;
  format: string;
  lineCount: number;
  status: 'RUNNING' | 'COMPLETED';
  periodStart: string | null;
  periodEnd: string | null;
  counts: OutcomeCounts;
  openExceptionCount: number;
  batchCount: number;
  startedAt: string;
  completedAt: string | null;
  updatedAt: string;
  revision: bigint;
  position: bigint;
}

export const runColumns: readonly ColumnSpec[] = [
  ...['run_id', 'tenant_id', 'file_name', 'file_sha256', 'format'].map((name) => ({
    name,
    type: 'text',
  })),
  { name: 'line_count', type: 'bigint' },
  { name: 'status', type: 'text' },
  { name: 'period_start', type: 'timestamptz' },
  { name: 'period_end', type: 'timestamptz' },
  { name: 'counts', type: 'jsonb' },
  { name: 'open_exception_count', type: 'bigint' },
  { name: 'batch_count', type: 'integer' },
  ...['started_at', 'completed_at', 'updated_at'].map((name) => ({ name, type: 'timestamptz' })),
  { name: 'last_stream_revision', type: 'bigint' },
  { name: 'last_position', type: 'bigint' },
];

function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

export function draftFromRow(row: RunRow): RunDraft {
  return {
    runId: row.run_id,
    tenantId: row.tenant_id,
    fileName: row.file_name,
    fileSha256: row.file_sha256,
    format: row.format,
    lineCount: Number(row.line_count),
    status: row.status,
    periodStart: iso(row.period_start),
    periodEnd: iso(row.period_end),
    counts: row.counts,
    openExceptionCount: Number(row.open_exception_count),
    batchCount: row.batch_count,
    startedAt: row.started_at.toISOString(),
    completedAt: iso(row.completed_at),
    updatedAt: row.updated_at.toISOString(),
    revision: row.last_stream_revision,
    position: row.last_position,
  };
}

export function runValues(draft: RunDraft): unknown[] {
  return [
    ...[draft.runId, draft.tenantId, draft.fileName, draft.fileSha256, draft.format],
    ...[draft.lineCount, draft.status, draft.periodStart, draft.periodEnd, jsonText(draft.counts)],
    ...[draft.openExceptionCount, draft.batchCount, draft.startedAt, draft.completedAt],
    ...[draft.updatedAt, draft.revision, draft.position],
  ];
}
