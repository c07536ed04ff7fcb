import { parseMinorUnits } from '../../domain/money/index.ts';
import type { LineKind, ReportLine } from '../../domain/reconciliation/index.ts';
import { CurrencyTable } from './decimal-amount.ts';
import type { ColumnIndex, FormatReader, RowResult } from './format-reader.ts';
import { fieldAt, findColumn, indexColumns, isUsableId } from './format-reader.ts';
import { parseReportInstant } from './report-time.ts';

/**
 * The ledger's own settlement CSV (README: "The ledger CSV format"). Header names are exact
 * (lower-case); amounts are positive integers of minor units; the sign comes from the type.
 *
 * line_id, type, payment_id, provider_reference, item_id, amount_minor, fee_minor, currency,
 * occurred_at
 */
const COLUMNS = [
  'line_id',
  'type',
  'payment_id',
  'provider_reference',
  'item_id',
  'amount_minor',
  'fee_minor',
  'currency',
  'occurred_at',
] as const;
type ColumnName = (typeof COLUMNS)[number];

const REQUIRED: readonly ColumnName[] = [
  'line_id',
  'type',
  'amount_minor',
  'fee_minor',
  'currency',
  'occurred_at',
];

const KINDS: Readonly<Record<string, LineKind>> = {
  settlement: 'settlement',
  refund: 'refund',
  dispute: 'dispute_debit',
  dispute_reversal: 'dispute_reversal',
  payout: 'payout',
  payout_reversal: 'payout_reversal',
};

/** Money leaving the provider balance: the gross counts negative in the net. */
const OUTGOING: ReadonlySet<LineKind> = new Set(['refund', 'dispute_debit', 'payout']);

/** Lines that must name the refund or dispute they are about. */
const NEEDS_ITEM: ReadonlySet<LineKind> = new Set(['refund', 'dispute_debit', 'dispute_reversal']);

function parseRow(
  fields: readonly string[],
  lineNumber: number,
  at: ReadonlyMap<ColumnName, number>,
  table: CurrencyTable,
): RowResult {
  const field = (name: ColumnName) => fieldAt(fields, at.get(name));
  const lineId = field('line_id');
  if (!isUsableId(lineId)) return { ok: false, message: 'line_id is empty or not printable' };
  const kind = KINDS[field('type')];
  if (kind === undefined) {
    const types = 'settlement, refund, dispute, dispute_reversal, payout or payout_reversal';
    return { ok: false, message: `type must be ${types}` };
  }
  const amount = parseMinorUnits(field('amount_minor'), 'positive');
  if (!amount.ok) return { ok: false, message: `amount_minor: ${amount.error.message}` };
  const fee = parseMinorUnits(field('fee_minor'), 'nonNegative');
  if (!fee.ok) return { ok: false, message: `fee_minor: ${fee.error.message}` };
  const currency = table.currency(field('currency'));
  if (!currency.ok) return { ok: false, message: `currency: ${currency.error.message}` };
  const occurredAt = parseReportInstant(field('occurred_at'));
  if (occurredAt === undefined) return { ok: false, message: 'occurred_at is not an instant' };
  const itemId = field('item_id') || null;
  if (NEEDS_ITEM.has(kind) && itemId === null) {
    return { ok: false, message: `a ${field('type')} line needs item_id (refund or dispute id)` };
  }
  const signedGross = OUTGOING.has(kind) ? -amount.value : amount.value;
  const line: ReportLine = {
    lineNumber,
    lineId,
    kind,
    sourceType: field('type'),
    paymentReference: field('provider_reference') || null,
    paymentId: field('payment_id') || null,
    itemId,
    amount: amount.value,
    fee: fee.value,
    net: signedGross - fee.value,
    currency: currency.value,
    occurredAt,
  };
  return { ok: true, line };
}

export const ledgerCsvFormat: FormatReader = {
  format: 'ledger_csv',
  readHeader(header) {
    const index: ColumnIndex = indexColumns(header, (name) => name.trim().toLowerCase());
    const at = new Map<ColumnName, number>();
    for (const name of COLUMNS) {
      const position = findColumn(index, [name]);
      if (position !== undefined) at.set(name, position);
    }
    const missing = REQUIRED.filter((name) => !at.has(name));
    if (missing.length > 0) return { ok: false, message: `missing columns: ${missing.join(', ')}` };
    const table = new CurrencyTable();
    return { ok: true, parseRow: (fields, lineNumber) => parseRow(fields, lineNumber, at, table) };
  },
};
