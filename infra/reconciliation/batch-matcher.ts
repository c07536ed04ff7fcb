import type {
  LedgerLookup,
  LedgerPayment,
  LineDecision,
  ReportLine,
} from '../../domain/reconciliation/index.ts';
import {
  duplicateDecision,
  lookupByAmountAndDate,
  matchLine,
} from '../../domain/reconciliation/index.ts';
import type { KeyTable } from './compact-key-table.ts';
import type { LedgerReader } from './ledger-reader.ts';

/** A decision with the line it is about (null for a ledger payment no line mentions). */
export interface MatchedLine {
  line: ReportLine | null;
  decision: LineDecision;
}

export interface MatchContext {
  tenantId: string;
  /** How far apart a line and a payment may be dated when matched by amount alone. */
  windowMs: number;
  /** Repeated lines found by the validation pass → the line first seen. */
  duplicates: ReadonlyMap<number, number>;
  /**
   * Every ledger payment a line of this run touched → the line that settles it (0 when no line
   * settles it). Shared by all batches of the run; "missing at provider" reads it at the end.
   */
  touched: KeyTable;
}

/** Candidates looked at per line without a reference; more are ambiguous anyway. */
const AMOUNT_CANDIDATES_MAX = 20;

/** The ledger rows one batch of lines can need, fetched in a few queries. */
export interface BatchLedger {
  byId: Map<string, LedgerPayment>;
  byReference: Map<string, LedgerPayment>;
  itemOwners: Map<string, string>;
}

function isItemLine(line: ReportLine): boolean {
  return (
    line.kind === 'refund' || line.kind === 'dispute_debit' || line.kind === 'dispute_reversal'
  );
}

/** A line about the provider account itself, not about a payment. */
function isAccountLine(line: ReportLine): boolean {
  return line.kind === 'payout' || line.kind === 'payout_reversal';
}

/** Two or three queries for the whole batch, whatever its size. */
export async function loadBatchLedger(
  ledger: LedgerReader,
  tenantId: string,
  lines: readonly ReportLine[],
): Promise<BatchLedger> {
  const named = lines.filter((line) => line.kind === 'settlement' || isItemLine(line));
  const ids = named.flatMap((line) => (line.paymentId === null ? [] : [line.paymentId]));
  const references = named.flatMap((line) => line.paymentReference ?? []);
  const unowned = named.filter(
    (line) => isItemLine(line) && line.paymentId === null && line.paymentReference === null,
  );
  const refundIds = unowned
    .filter((line) => line.kind === 'refund')
    .flatMap((line) => line.itemId ?? []);
  const disputeIds = unowned
    .filter((line) => line.kind !== 'refund')
    .flatMap((line) => line.itemId ?? []);
  // Settlement lines never look at refunds or disputes: a batch without item lines skips them.
  const withItems = named.some(isItemLine);
  const [byReference, refundOwners, disputeOwners] = await Promise.all([
    ledger.byProviderReferences(tenantId, [...new Set(references)], withItems),
    ledger.paymentIdsByRefundIds(tenantId, refundIds),
    ledger.paymentIdsByDisputeIds(tenantId, disputeIds),
  ]);
  const itemOwners = new Map([...refundOwners, ...disputeOwners]);
  const wanted = new Set([...ids, ...itemOwners.values()]);
  const byId = await ledger.byPaymentIds(tenantId, [...wanted], withItems);
  return {
    byId: new Map(byId.map((payment) => [payment.paymentId, payment])),
    byReference: new Map(
      byReference.flatMap((payment) => {
        const reference = payment.providerPaymentId;
        return reference === null ? [] : [[reference, payment] as const];
      }),
    ),
    itemOwners,
  };
}

function found(payment: LedgerPayment | undefined): LedgerLookup | undefined {
  return payment === undefined ? undefined : { kind: 'found', payment, matchedBy: 'reference' };
}

async function lookupFor(
  line: ReportLine,
  batch: BatchLedger,
  ledger: LedgerReader,
  context: MatchContext,
): Promise<LedgerLookup> {
  // Booked to the run's books; a platform-wide run books it to the platform's ('*').
  if (isAccountLine(line)) return { kind: 'account', tenantId: context.tenantId };
  const byName =
    found(line.paymentId === null ? undefined : batch.byId.get(line.paymentId)) ??
    found(
      line.paymentReference === null ? undefined : batch.byReference.get(line.paymentReference),
    );
  if (byName !== undefined) return byName;
  const owner = line.itemId === null ? undefined : batch.itemOwners.get(line.itemId);
  const byItem = found(owner === undefined ? undefined : batch.byId.get(owner));
  if (byItem !== undefined) return byItem;
  const unnamed = line.paymentId === null && line.paymentReference === null;
  if (!unnamed || line.kind !== 'settlement') return { kind: 'not_found' };
  const atMs = Date.parse(line.occurredAt);
  const candidates = await ledger.candidatesByAmount(context.tenantId, {
    currency: line.currency,
    amount: line.amount,
    from: new Date(atMs - context.windowMs).toISOString(),
    to: new Date(atMs + context.windowMs).toISOString(),
    limit: AMOUNT_CANDIDATES_MAX,
  });
  const unclaimed = candidates.filter(
    (payment) => (context.touched.get(payment.paymentId) ?? 0) === 0,
  );
  return lookupByAmountAndDate(line, unclaimed, context.windowMs);
}

/** One settling line per payment and report: a second one is a duplicate, not a second settle. */
function claim(
  line: ReportLine,
  decision: LineDecision,
  lookup: LedgerLookup,
  touched: KeyTable,
): LineDecision {
  const paymentId = decision.paymentId;
  if (paymentId === null) return decision;
  const settler = touched.get(paymentId) ?? 0;
  const settles = line.kind === 'settlement' && decision.outcome === 'matched';
  if (settles && settler > 0 && settler !== line.lineNumber) {
    const payment = lookup.kind === 'found' ? lookup.payment : null;
    const reason = `payment settled by line ${settler} of this report`;
    return { ...duplicateDecision(reason, payment), paymentId };
  }
  if (settles) touched.set(paymentId, line.lineNumber);
  else if (!touched.has(paymentId)) touched.set(paymentId, 0);
  return decision;
}

/** Decides every line of a batch against the ledger, in file order. */
export async function matchBatch(
  ledger: LedgerReader,
  context: MatchContext,
  lines: readonly ReportLine[],
  batch: BatchLedger,
): Promise<MatchedLine[]> {
  const matched: MatchedLine[] = [];
  for (const line of lines) {
    const first = context.duplicates.get(line.lineNumber);
    if (first !== undefined) {
      matched.push({
        line,
        decision: duplicateDecision(`repeats line ${first} of the report`, null),
      });
      continue;
    }
    const lookup = await lookupFor(line, batch, ledger, context);
    const decision = matchLine(line, lookup);
    matched.push({ line, decision: claim(line, decision, lookup, context.touched) });
  }
  return matched;
}
