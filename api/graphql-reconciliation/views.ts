import type { OutcomeCounts, RunState } from '../../domain/reconciliation/index.ts';
import type { MoneyView } from '../../infra/write/payment-snapshot.ts';
import { money } from '../graphql/views.ts';

/** What ReconciliationRun resolves from: a read-model row or a command's run state. */
export interface RunView {
  id: string;
  tenantId: string;
  fileName: string;
  fileSha256: string;
  format: string;
  lineCount: number;
  status: string;
  periodStart: string | null;
  periodEnd: string | null;
  startedAt: string;
  completedAt: string | null;
  counts: OutcomeCounts;
  openExceptionCount: number;
}

export interface ExceptionView {
  id: string;
  runId: string;
  outcome: string;
  status: string;
  lineNumber: number | null;
  lineId: string | null;
  paymentId: string | null;
  reason: string;
  evidence: Record<string, unknown>;
  resolution: string | null;
  resolutionNote: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  raisedAt: string;
}

/** Enum values of the API are the domain's names in upper case. */
export function apiEnum(value: string): string {
  return value.toUpperCase();
}

export function runFromState(state: RunState): RunView {
  let open = 0;
  for (const exception of state.exceptions.values()) if (exception.status === 'OPEN') open += 1;
  return {
    id: state.runId,
    tenantId: state.tenantId,
    fileName: state.fileName,
    fileSha256: state.fileSha256,
    format: state.format,
    lineCount: state.lineCount,
    status: state.status,
    periodStart: state.periodStart,
    periodEnd: state.periodEnd,
    startedAt: state.startedAt,
    completedAt: state.completedAt,
    counts: state.counts,
    openExceptionCount: open,
  };
}

export function countsView(counts: OutcomeCounts) {
  return {
    matched: counts.matched,
    amountMismatch: counts.amount_mismatch,
    currencyMismatch: counts.currency_mismatch,
    statusMismatch: counts.status_mismatch,
    missingInLedger: counts.missing_in_ledger,
    missingAtProvider: counts.missing_at_provider,
    duplicate: counts.duplicate,
    unsupported: counts.unsupported,
    ignored: counts.ignored,
  };
}

type Evidence = {
  line?: { amount?: string; currency?: string } | null;
  ledger?: { capturedAmount?: string; currency?: string } | null;
  proposal?: unknown;
};

export function reportAmount(exception: ExceptionView): MoneyView | null {
  const line = (exception.evidence as Evidence).line;
  return line?.amount && line.currency ? money(line.amount, line.currency) : null;
}

export function ledgerAmount(exception: ExceptionView): MoneyView | null {
  const ledger = (exception.evidence as Evidence).ledger;
  return ledger?.capturedAmount && ledger.currency
    ? money(ledger.capturedAmount, ledger.currency)
    : null;
}

export function acceptable(exception: ExceptionView): boolean {
  const proposal = (exception.evidence as Evidence).proposal;
  return exception.status === 'OPEN' && proposal !== null && proposal !== undefined;
}
