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
  /** Per currency, Σ fee and Σ net the journal must show on provider_fees and settlement_clearing. */
  totals: Map<string, { fee: bigint; net: bigint }>;
  /** A few ids by role, for follow-up tests. */
  samples: Map<string, string>;
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
  readonly totals = new Map<string, { fee: bigint; net: bigint }>();

  constructor(
    readonly tenantId: string,
    readonly tag: string,
  ) {}

  line(row: Row, outcome: Outcome): void {
    this.rows.push(row);
    this.expected.set(`L${this.rows.length + 1}`, outcome);
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

  book(code: string, amount: bigint, fee: bigint): void {
    const total = this.totals.get(code) ?? { fee: 0n, net: 0n };
    this.totals.set(code, { fee: total.fee + fee, net: total.net + amount - fee });
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

/** A settlement line, then a refund or dispute line for the same payment. */
function addItemRole(
  builder: ScenarioBuilder,
  index: number,
  seed: SeedPayment,
  role: string,
  row: Row,
): void {
  builder.settle(row);
  const id = `txn_${builder.tag}_${index}_${role === 'refund' ? 'r' : 'd'}`;
  if (role === 'refund') {
    const refundId = `re_${builder.tag}_${index}`;
    seed.refund = { refundId, amount: seed.amount / 2n };
    builder.samples.set('refund', refundId);
    const refund = { ...row, id, type: 'refund', category: 'refund', source: refundId };
    return builder.line({ ...refund, amount: -(seed.amount / 2n), fee: 0n }, 'matched');
  }
  const disputeId = `dp_${builder.tag}_${index}`;
  seed.dispute = { disputeId, amount: seed.amount };
  const fee = role === 'dispute' ? 0n : 1_500n;
  const dispute = { ...row, id, type: 'adjustment', category: 'dispute', source: disputeId };
  builder.line(
    { ...dispute, amount: -seed.amount, fee },
    role === 'dispute' ? 'matched' : 'unsupported',
  );
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
    case 'dispute':
    case 'dispute_fee':
      return addItemRole(builder, index, seed, role, row);
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
    if (index % 1_000 === 999) {
      const at = new Date(Date.parse(seed.createdAt) + 60_000).toISOString();
      const payout = {
        id: `txn_${builder.tag}_payout_${index}`,
        type: 'payout',
        source: `po_${builder.tag}_${index}`,
        amount: -100_00n,
        fee: 0n,
        currency: USD,
        at,
        category: 'payout',
      };
      builder.line(payout, 'ignored');
    }
  }
  const csv = [STRIPE_HEADER, ...builder.rows.map(csvRow)].join('\n') + '\n';
  const { seeds, expected, totals, samples } = builder;
  return { seeds, csv, expected, totals, samples };
}
