import type { CurrencyCode } from '../../../domain/money/index.ts';
import { formatDecimal, parseCurrencyCode } from '../../../domain/money/index.ts';
import type { Outcome } from '../../../domain/reconciliation/index.ts';
import type { SeedPayment } from './seed-payments.ts';

/**
 * A generated ledger and the Stripe balance report that settles it, with discrepancies of every
 * kind injected at known places. Payment i plays the role `i % 100` selects (see ROLES); every
 * other payment is a plain match. `expected` is what a correct run must find, line by line.
 */
export interface Scenario {
  seeds: SeedPayment[];
  csv: string;
  /** `L<line>` or `P<paymentId>` → outcome, for every line and every payment-only exception. */
  expected: Map<string, Outcome>;
  /**
   * Per currency, over the lines the ledger books (every matched line, plus the settlements
   * seeded before): Σ fee, Σ net and Σ paid out, which provider_fees, settlement_clearing and
   * cash must show. The report's own net totals, that is, minus its exceptions.
   */
  totals: Map<string, BookedTotals>;
  /** A few ids by role, for follow-up tests. */
  samples: Map<string, string>;
}

export interface BookedTotals {
  fee: bigint;
  net: bigint;
  cash: bigint;
}

export const STRIPE_HEADER =
  'id,type,source,amount,fee,net,currency,created,available_on,reporting_category,description';

const ROLES: Readonly<Record<number, string>> = {
  0: 'amount_mismatch',
  1: 'currency_mismatch',
  2: 'status_authorized',
  3: 'status_voided',
  4: 'missing_at_provider',
  5: 'repeated_line',
  6: 'settled_elsewhere',
  7: 'refund',
  8: 'dispute',
  9: 'no_reference',
  10: 'dispute_fee',
  11: 'same_source_twice',
  12: 'ghost_line',
  13: 'dispute_won',
  14: 'refund_fee_returned',
  15: 'fee_above_gross',
};

function currency(code: string): CurrencyCode {
  const parsed = parseCurrencyCode(code);
  if (!parsed.ok) throw new Error(code);
  return parsed.value;
}

const USD = currency('USD');
const JPY = currency('JPY');
const KWD = currency('KWD');

function stripeTime(iso: string): string {
  return iso.slice(0, 19).replace('T', ' ');
}

interface Row {
  id: string;
  type: string;
  source: string;
  amount: bigint;
  fee: bigint;
  currency: CurrencyCode;
  at: string;
  category: string;
}

function csvRow(row: Row): string {
  const decimal = (value: bigint) => formatDecimal({ amount: value, currency: row.currency });
  const time = stripeTime(row.at);
  return [
    row.id,
    row.type,
    row.source,
    decimal(row.amount),
    decimal(row.fee),
    decimal(row.amount - row.fee),
    row.currency.toLowerCase(),
    time,
    time,
    row.category,
    `"${row.type} ${row.source}, generated"`,
  ].join(',');
}

class ScenarioBuilder {
  readonly seeds: SeedPayment[] = [];
  readonly rows: Row[] = [];
  readonly expected = new Map<string, Outcome>();
  readonly samples = new Map<string, string>();
  readonly totals = new Map<string, BookedTotals>();

  constructor(
    readonly tenantId: string,
    readonly tag: string,
  ) {}

  line(row: Row, outcome: Outcome): void {
    this.rows.push(row);
    this.expected.set(`L${this.rows.length + 1}`, outcome);
    if (outcome !== 'matched' || row.type === 'charge') return;
    // A booked refund, dispute or payout line: the provider balance moved by its net, and a
    // payout (or its reversal) moved the gross to the bank (or back).
    const paidOut = row.category === 'payout' || row.category === 'payout_reversal';
    const cash = paidOut ? -row.amount : 0n;
    this.add(row.currency, { fee: row.fee, net: row.amount - row.fee, cash });
  }

  settlementRow(index: number, seed: SeedPayment, overrides: Partial<Row> = {}): Row {
    const fee = (seed.amount * 29n) / 1000n + 30n;
    return {
      id: `txn_${this.tag}_${index}`,
      type: 'charge',
      source: seed.providerPaymentId ?? '',
      amount: seed.amount,
      fee: fee < seed.amount ? fee : 0n,
      currency: seed.currency,
      at: new Date(Date.parse(seed.createdAt) + 2000).toISOString(),
      category: 'charge',
      ...overrides,
    };
  }

  settle(row: Row, outcome: Outcome = 'matched'): void {
    this.line(row, outcome);
    if (outcome === 'matched') this.book(row.currency, row.amount, row.fee);
  }

  /** A charge's settlement: gross in, fee kept. */
  book(code: string, amount: bigint, fee: bigint): void {
    this.add(code, { fee, net: amount - fee, cash: 0n });
  }

  add(code: string, booked: BookedTotals): void {
    const total = this.totals.get(code) ?? { fee: 0n, net: 0n, cash: 0n };
    this.totals.set(code, {
      fee: total.fee + booked.fee,
      net: total.net + booked.net,
      cash: total.cash + booked.cash,
    });
  }
}

function seedFor(builder: ScenarioBuilder, index: number, role: string | undefined): SeedPayment {
  const start = Date.parse('2025-03-01T00:00:00.000Z');
  const slot = index % 100;
  const code = slot >= 20 && slot < 25 ? JPY : slot >= 25 && slot < 30 ? KWD : USD;
  const amount =
    role === 'no_reference'
      ? 900_000_000n + BigInt(index)
      : 1_000n + BigInt((index * 7_919) % 250_000);
  const stage =
    role === 'status_authorized' ? 'authorized' : role === 'status_voided' ? 'voided' : 'captured';
  return {
    paymentId: `pay-${builder.tag}-${index}`,
    tenantId: builder.tenantId,
    amount,
    currency: code,
    providerPaymentId: `pi_${builder.tag}_${index}`,
    createdAt: new Date(start + index * 60_000).toISOString(),
    stage,
  };
}

/** A settlement line, then refund or dispute lines for the same payment. */
function addItemRole(
  builder: ScenarioBuilder,
  index: number,
  seed: SeedPayment,
  role: string,
  row: Row,
): void {
  builder.settle(row);
  const id = `txn_${builder.tag}_${index}`;
  if (role === 'refund' || role === 'refund_fee_returned') {
    const refundId = `re_${builder.tag}_${index}`;
    seed.refund = { refundId, amount: seed.amount / 2n };
    builder.samples.set(role, refundId);
    // A refund gives part of the charge's fee back when the provider does so (fee < 0).
    const fee = role === 'refund' ? 0n : -(row.fee / 2n);
    const refund = { ...row, id: `${id}_r`, type: 'refund', category: 'refund', source: refundId };
    return builder.line({ ...refund, amount: -(seed.amount / 2n), fee }, 'matched');
  }
  const disputeId = `dp_${builder.tag}_${index}`;
  seed.dispute = { disputeId, amount: seed.amount };
  builder.samples.set(role, disputeId);
  const fee = role === 'dispute' ? 0n : 1_500n;
  const dispute = { ...row, type: 'adjustment', category: 'dispute', source: disputeId };
  builder.line({ ...dispute, id: `${id}_d`, amount: -seed.amount, fee }, 'matched');
  if (role !== 'dispute_won') return;
  const reversal = { ...dispute, id: `${id}_w`, category: 'dispute_reversal' };
  builder.line({ ...reversal, amount: seed.amount, fee: -fee }, 'matched');
}

function addRole(
  builder: ScenarioBuilder,
  index: number,
  seed: SeedPayment,
  role: string | undefined,
): void {
  const row = builder.settlementRow(index, seed);
  switch (role) {
    case 'amount_mismatch':
      return builder.settle({ ...row, amount: row.amount - 100n }, 'amount_mismatch');
    case 'currency_mismatch':
      return builder.settle({ ...row, currency: currency('EUR') }, 'currency_mismatch');
    case 'status_authorized':
    case 'status_voided':
      return builder.settle(row, 'status_mismatch');
    case 'missing_at_provider':
      builder.expected.set(`P${seed.paymentId}`, 'missing_at_provider');
      return;
    case 'repeated_line':
      builder.settle(row);
      return builder.settle(row, 'duplicate');
    case 'settled_elsewhere':
      seed.settlement = {
        settlementId: `txn_old_${builder.tag}_${index}`,
        amount: seed.amount,
        fee: row.fee,
      };
      builder.book(seed.currency, seed.amount, row.fee);
      return builder.settle(row, 'duplicate');
    case 'refund':
    case 'refund_fee_returned':
    case 'dispute':
    case 'dispute_fee':
    case 'dispute_won':
      return addItemRole(builder, index, seed, role, row);
    case 'fee_above_gross':
      return builder.settle({ ...row, fee: row.amount + 1n }, 'unsupported');
    case 'no_reference':
      return builder.settle({ ...row, source: '' });
    case 'same_source_twice':
      builder.settle(row);
      return builder.settle({ ...row, id: `${row.id}_again` }, 'duplicate');
    case 'ghost_line': {
      builder.settle(row);
      const ghost = { ...row, id: `${row.id}_ghost`, source: `pi_ghost_${builder.tag}_${index}` };
      return builder.line({ ...ghost, amount: 800_000_000n + BigInt(index) }, 'missing_in_ledger');
    }
    default:
      return builder.settle(row);
  }
}

/** A payout now and then (one with a fee, one that fails and comes back), and a transfer. */
function addPayouts(builder: ScenarioBuilder, index: number, seed: SeedPayment): void {
  const at = new Date(Date.parse(seed.createdAt) + 60_000).toISOString();
  const payoutId = `po_${builder.tag}_${index}`;
  const payout: Row = {
    id: `txn_${builder.tag}_payout_${index}`,
    type: 'payout',
    source: payoutId,
    amount: -100_00n,
    fee: index % 2_000 === 999 ? 0n : 150n,
    currency: USD,
    at,
    category: 'payout',
  };
  builder.line(payout, 'matched');
  if (index % 2_000 === 1_999) {
    const failed = { ...payout, id: `${payout.id}_failed`, type: 'payout_failure', fee: 0n };
    builder.line({ ...failed, amount: 100_00n, category: 'payout_reversal' }, 'matched');
  }
  const transfer = { ...payout, id: `txn_${builder.tag}_transfer_${index}`, type: 'transfer' };
  builder.line(
    { ...transfer, source: `tr_${builder.tag}_${index}`, category: 'transfer', fee: 0n },
    'ignored',
  );
}

export function buildScenario(options: {
  tenantId: string;
  tag: string;
  paymentCount: number;
}): Scenario {
  const builder = new ScenarioBuilder(options.tenantId, options.tag);
  for (let index = 0; index < options.paymentCount; index += 1) {
    const role = ROLES[index % 100];
    const seed = seedFor(builder, index, role);
    builder.seeds.push(seed);
    addRole(builder, index, seed, role);
    if (role !== undefined && !builder.samples.has(role)) builder.samples.set(role, seed.paymentId);
    if (index % 1_000 === 999) addPayouts(builder, index, seed);
  }
  const csv = [STRIPE_HEADER, ...builder.rows.map(csvRow)].join('\n') + '\n';
  const { seeds, expected, totals, samples } = builder;
  return { seeds, csv, expected, totals, samples };
}
