import type { Principal } from '../auth/roles.ts';
import { isPlatformWide } from '../auth/roles.ts';
import { Conditions, scopeToTenant, type Queryable } from '../graphql/data/sql.ts';
import { instant } from '../graphql/views.ts';
import type { ConnectionArguments } from '../graphql/pagination/arguments.ts';
import { fetchPage, type Connection, type KeysetList } from '../graphql/pagination/keyset.ts';
import type { ExceptionView, RunView } from './views.ts';

/** Rows of the reconciliation read model (migration 0200). */
interface RunRow extends Record<string, unknown> {
  run_id: string;
  tenant_id: string;
  file_name: string;
  file_sha256: string;
  format: string;
  line_count: bigint;
  status: string;
  period_start: Date | null;
  period_end: Date | null;
  counts: RunView['counts'];
  open_exception_count: bigint;
  started_at: Date;
  completed_at: Date | null;
}

interface ExceptionRow extends Record<string, unknown> {
  run_id: string;
  exception_id: string;
  outcome: string;
  status: string;
  line_number: bigint | null;
  line_id: string | null;
  payment_id: string | null;
  reason: string;
  evidence: Record<string, unknown>;
  resolution: string | null;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  raised_at: Date;
}

function runFromRow(row: RunRow): RunView {
  return {
    id: row.run_id,
    tenantId: row.tenant_id,
    fileName: row.file_name,
    fileSha256: row.file_sha256,
    format: row.format,
    lineCount: Number(row.line_count),
    status: row.status,
    periodStart: instant(row.period_start),
    periodEnd: instant(row.period_end),
    startedAt: row.started_at.toISOString(),
    completedAt: instant(row.completed_at),
    counts: row.counts,
    openExceptionCount: Number(row.open_exception_count),
  };
}

function exceptionFromRow(row: ExceptionRow): ExceptionView {
  return {
    id: row.exception_id,
    runId: row.run_id,
    outcome: row.outcome,
    status: row.status,
    lineNumber: row.line_number === null ? null : Number(row.line_number),
    lineId: row.line_id,
    paymentId: row.payment_id,
    reason: row.reason,
    evidence: row.evidence,
    resolution: row.resolution,
    resolutionNote: row.resolution_note,
    resolvedBy: row.resolved_by,
    resolvedAt: instant(row.resolved_at),
    raisedAt: row.raised_at.toISOString(),
  };
}

// Newest first: the negated start time keeps the keyset helper's ascending order.
const runList: KeysetList<RunRow, RunView> = {
  name: 'reconciliationRuns',
  table: 'reconciliation_runs',
  columns: '*',
  keys: [
    { column: '(0 - (extract(epoch FROM started_at) * 1000000)::bigint)', kind: 'bigint' },
    { column: 'run_id', kind: 'text' },
  ],
  toNode: runFromRow,
};

// File order; payments missing from the report (no line) come last.
const exceptionList: KeysetList<ExceptionRow, ExceptionView> = {
  name: 'reconciliationExceptions',
  table: 'reconciliation_exceptions',
  columns: '*',
  keys: [
    { column: 'COALESCE(line_number, 9223372036854775807)', kind: 'bigint' },
    { column: 'exception_id', kind: 'text' },
  ],
  toNode: exceptionFromRow,
};

/** A tenant key sees its own runs; a platform key sees every run, platform-wide ones included. */
export function runsPage(
  database: Queryable,
  principal: Principal,
  args: ConnectionArguments,
): Promise<Connection<RunView>> {
  return fetchPage(database, runList, scopeToTenant(new Conditions(), principal, null), args);
}

export async function runById(
  database: Queryable,
  principal: Principal,
  runId: string,
): Promise<RunView | null> {
  const conditions = scopeToTenant(new Conditions().add('run_id = ?', runId), principal, null);
  const result = await database.query<RunRow>(
    `SELECT * FROM reconciliation_runs ${conditions.where()}`,
    conditions.parameters,
  );
  const row = result.rows[0];
  return row === undefined ? null : runFromRow(row);
}

export function exceptionsPage(
  database: Queryable,
  principal: Principal,
  query: { runId: string; status?: string | null; outcome?: string | null },
  args: ConnectionArguments,
): Promise<Connection<ExceptionView>> {
  const conditions = scopeToTenant(
    new Conditions().add('run_id = ?', query.runId),
    principal,
    null,
  );
  conditions.addIfGiven('status = ?', query.status ?? null);
  conditions.addIfGiven('outcome = ?', query.outcome ?? null);
  return fetchPage(database, exceptionList, conditions, args);
}

/** Of the given payments, those an open exception names (for Payment.settlementStatus). */
export async function paymentsWithOpenExceptions(
  database: Queryable,
  principal: Principal,
  paymentIds: readonly string[],
): Promise<Set<string>> {
  const result = await database.query<{ payment_id: string }>(
    `SELECT DISTINCT payment_id FROM reconciliation_exceptions
      WHERE status = 'OPEN' AND payment_id = ANY($1::text[])
        AND ($2::boolean OR tenant_id = $3 OR tenant_id = '*')`,
    [paymentIds, isPlatformWide(principal), principal.tenant],
  );
  return new Set(result.rows.map((row) => row.payment_id));
}
