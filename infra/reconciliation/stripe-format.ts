import type { LineKind } from '../../domain/reconciliation/index.ts';
import { CurrencyTable, type DecimalReader } from './decimal-amount.ts';
import type { ColumnIndex, FormatReader, RowResult } from './format-reader.ts';
import { fieldAt, findColumn, indexColumns, isUsableId } from './format-reader.ts';
import { parseReportInstant } from './report-time.ts';

/**
 * Stripe's balance-transactions export (Dashboard "Balance transactions", or the itemized
 * balance-change report). Headers are matched loosely: "Created (UTC)" and "created_utc" are
 * both `created`. Amounts are decimal major units as Stripe writes them ("10.50" USD, "1050"
 * JPY, "1.005" KWD), read with the currency's ISO 4217 exponent; never through a float.
 */
export function normalizeStripeHeader(name: string): string {
  return name
    .toLowerCase()
    .replace(/\(utc\)/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_utc$/, '');
}

const COLUMNS = {
  id: ['id', 'balance_transaction_id'],
  type: ['type'],
  category: ['reporting_category'],
  source: ['source', 'source_id'],
  amount: ['amount', 'gross'],
  fee: ['fee'],
  net: ['net'],
  currency: ['currency'],
  created: ['created'],
  paymentIntent: ['payment_intent_id', 'payment_intent'],
  ledgerPaymentId: ['ledger_payment_id_metadata', 'ledger_payment_id'],
  refundId: ['refund_id'],
  disputeId: ['dispute_id'],
} as const;

type ColumnName = keyof typeof COLUMNS;
type Positions = Record<ColumnName, number | undefined>;

const REQUIRED: readonly ColumnName[] = ['id', 'amount', 'fee', 'net', 'currency', 'created'];

/** Which ledger movement a Stripe type and reporting category stand for. */
export function stripeLineKind(
  type: string,
  category: string,
  source: string,
  negative: boolean,
): LineKind {
  const label = category || type;
  if (label === 'charge' || label === 'payment' || type === 'charge' || type === 'payment') {
    return 'settlement';
  }
  if (['refund', 'payment_refund', 'payment_failure_refund'].includes(label)) return 'refund';
  if (label === 'dispute' || (type === 'adjustment' && source.startsWith('dp_') && negative)) {
    return 'dispute_debit';
  }
  if (label === 'dispute_reversal' || (type === 'adjustment' && source.startsWith('dp_'))) {
    return 'dispute_reversal';
  }
  if (label === 'payout') return 'payout';
  if (['payout_reversal', 'payout_cancel', 'payout_failure'].includes(label)) {
    return 'payout_reversal';
  }
  return 'other';
}

const EXPECTED_SIGN: Partial<Record<LineKind, 'positive' | 'negative'>> = {
  settlement: 'positive',
  refund: 'negative',
  dispute_debit: 'negative',
  dispute_reversal: 'positive',
  payout: 'negative',
  payout_reversal: 'positive',
};

type AmountColumn = 'amount' | 'fee' | 'net';

/** One amount column in minor units, or the refusal naming the column. */
function readAmount(
  fields: readonly string[],
  at: Positions,
  name: AmountColumn,
  reader: DecimalReader,
): { ok: true; value: bigint } | { ok: false; message: string } {
  const parsed = reader(fieldAt(fields, at[name]));
  return parsed.ok ? parsed : { ok: false, message: `${name}: ${parsed.error.message}` };
}

function itemIdOf(
  kind: LineKind,
  source: string,
  fields: readonly string[],
  at: Positions,
): string | null {
  if (kind === 'refund') return fieldAt(fields, at.refundId) || source || null;
  if (kind === 'dispute_debit' || kind === 'dispute_reversal') {
    return fieldAt(fields, at.disputeId) || source || null;
  }
  if (kind === 'payout' || kind === 'payout_reversal') return source || null;
  return null;
}

function parseRow(
  fields: readonly string[],
  lineNumber: number,
  at: Positions,
  table: CurrencyTable,
): RowResult {
  const lineId = fieldAt(fields, at.id);
  if (!isUsableId(lineId)) return { ok: false, message: 'id is empty or not printable' };
  const currency = table.currency(fieldAt(fields, at.currency));
  if (!currency.ok) return { ok: false, message: `currency: ${currency.error.message}` };
  const reader = table.reader(currency.value);
  const amount = readAmount(fields, at, 'amount', reader);
  if (!amount.ok) return amount;
  const fee = readAmount(fields, at, 'fee', reader);
  if (!fee.ok) return fee;
  const net = readAmount(fields, at, 'net', reader);
  if (!net.ok) return net;
  if (amount.value - fee.value !== net.value) {
    return { ok: false, message: 'net does not equal amount - fee' };
  }
  const occurredAt = parseReportInstant(fieldAt(fields, at.created));
  if (occurredAt === undefined) return { ok: false, message: 'created is not a date and time' };
  const type = fieldAt(fields, at.type).toLowerCase();
  const category = fieldAt(fields, at.category).toLowerCase();
  const source = fieldAt(fields, at.source);
  const kind = stripeLineKind(type, category, source, amount.value < 0n);
  const sign = EXPECTED_SIGN[kind];
  if ((sign === 'positive' && amount.value <= 0n) || (sign === 'negative' && amount.value >= 0n)) {
    return { ok: false, message: `amount of a ${type || category} must be ${sign}` };
  }
  const paymentIntent = fieldAt(fields, at.paymentIntent);
  const settlementReference = kind === 'settlement' ? paymentIntent || source : paymentIntent;
  return {
    ok: true,
    line: {
      lineNumber,
      lineId,
      kind,
      sourceType: category && category !== type ? `${type}/${category}` : type || category,
      paymentReference: settlementReference || null,
      paymentId: fieldAt(fields, at.ledgerPaymentId) || null,
      itemId: itemIdOf(kind, source, fields, at),
      amount: amount.value < 0n ? -amount.value : amount.value,
      fee: fee.value,
      net: net.value,
      currency: currency.value,
      occurredAt,
    },
  };
}

function positionsOf(index: ColumnIndex): Positions {
  const entries = Object.entries(COLUMNS).map(([name, spellings]) => [
    name,
    findColumn(index, spellings),
  ]);
  return Object.fromEntries(entries) as Positions;
}

export const stripeBalanceFormat: FormatReader = {
  format: 'stripe_balance_csv',
  readHeader(header) {
    const at = positionsOf(indexColumns(header, normalizeStripeHeader));
    const missing = REQUIRED.filter((name) => at[name] === undefined);
    if (at.type === undefined && at.category === undefined) missing.push('type');
    if (missing.length > 0) {
      return { ok: false, message: `missing columns: ${missing.join(', ')}` };
    }
    const table = new CurrencyTable();
    return { ok: true, parseRow: (fields, lineNumber) => parseRow(fields, lineNumber, at, table) };
  },
};
