/**
 * Reconciliation throughput, three rows measured in one run:
 *
 * 1. A 1,000,000-line Stripe balance report (50,000 with --quick) against a ledger in step:
 *    every line's payment is captured and already settled by that line, as it is once the
 *    provider's settlement callbacks have arrived. The run does all a report costs when
 *    nothing needs changing: validate and hash the file, match every line against the
 *    `payments` read model, record every decision on the run's stream (a thousand per event),
 *    look for payments missing at the provider. No payment command is needed, so this is the
 *    engine's own speed; the floor is 20,000 lines/s with a peak RSS under 512 MiB (RSS of
 *    the reconciling process; PostgreSQL and the event store run in processes of their own).
 *    How the ledger is built, and checked against the payments projection: reconciliation-ledger.ts.
 * 2. 10,000 real payments (500 with --quick) written through the write path and projected,
 *    with discrepancies of every kind, reconciled with every payment command and booking that
 *    implies: bound by the event store (a read and an append per command or booking).
 * 3. The reference: csv-parse alone over the file of row 1, one pass.
 *
 * `npx tsx scripts/bench/reconciliation.ts [--quick] [--report-only]`.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import pg from 'pg';
import { startEmbeddedEventStore } from '../../infra/eventstore/embedded-process.ts';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { createLogger } from '../../infra/logging/logger.ts';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded.ts';
import { migrateUp } from '../../infra/postgres/migrate.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import {
  bytesSource,
  fileSource,
  ReconciliationService,
} from '../../infra/reconciliation/index.ts';
import { startProjections } from '../../projections/start.ts';
import { reconciliationReadSide } from '../../test/reconciliation/support/projections.ts';
import { buildScenario, STRIPE_HEADER } from '../../test/reconciliation/support/scenario.ts';
import { seedPayments } from '../../test/reconciliation/support/seed-payments.ts';
import { markdownTable, sampleRss, summarizeLatencies, type BenchRow } from './bench-row.ts';
import {
  amountOf,
  BENCH_TENANT,
  createdAtMs,
  feeOf,
  fillInStepLedger,
} from './reconciliation-ledger.ts';

const FLOOR_LINES_PER_SECOND = 20_000;
const FLOOR_PEAK_RSS_MIB = 512;
const logger = createLogger('warn', 'bench-reconciliation');

interface Stores {
  pool: Pool;
  databaseUrl: string;
  store: EventStore;
}

function decimal(minorUnits: bigint): string {
  const text = minorUnits.toString().padStart(3, '0');
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

/** Writes the report line by line with back-pressure: the file never sits in memory. */
async function writeReport(path: string, lines: number): Promise<void> {
  const output = createWriteStream(path);
  output.write(`${STRIPE_HEADER}\n`);
  const chunkLines = 10_000;
  for (let start = 0; start < lines; start += chunkLines) {
    const rows: string[] = [];
    for (let index = start; index < Math.min(lines, start + chunkLines); index += 1) {
      const amount = amountOf(index);
      const fee = feeOf(amount);
      const time = new Date(createdAtMs(index) + 500).toISOString().slice(0, 19).replace('T', ' ');
      rows.push(
        `txn_bench_${index},charge,pi_bench_${index},${decimal(amount)},${decimal(fee)},` +
          `${decimal(amount - fee)},usd,${time},${time},charge,bench charge ${index}`,
      );
    }
    if (!output.write(`${rows.join('\n')}\n`)) await once(output, 'drain');
  }
  output.end();
  await once(output, 'finish');
}

async function csvParseCeiling(path: string): Promise<number> {
  const startedMs = performance.now();
  let rows = 0;
  for await (const _record of createReadStream(path).pipe(parse({ relax_column_count: true })))
    rows += 1;
  return (rows - 1) / ((performance.now() - startedMs) / 1000);
}

function row(
  scenario: string,
  operations: number,
  elapsedMs: number,
  peakRssMiB: number,
  batchDurationsMs: readonly number[],
): BenchRow {
  return {
    scenario,
    operations,
    throughputPerSecond: operations / (elapsedMs / 1000),
    ...summarizeLatencies(batchDurationsMs),
    peakRssMiB,
  };
}

/** Row 1: the engine over a large report whose ledger is already in step. */
async function inStepReportRow(
  stores: Stores,
  directory: string,
  lines: number,
): Promise<BenchRow> {
  const path = join(directory, `stripe-${lines}.csv`);
  const [{ realPayments }] = await Promise.all([
    fillInStepLedger({ ...stores, logger }, lines),
    writeReport(path, lines),
  ]);
  const service = new ReconciliationService({ store: stores.store, pool: stores.pool });
  const durations: number[] = [];
  let lastMs = 0;
  let applyStartedMs = 0;
  global.gc?.();
  const rss = sampleRss(20);
  const startedMs = performance.now();
  const result = await service.reconcile(
    {
      source: fileSource(path),
      format: 'stripe_balance_csv',
      tenantId: BENCH_TENANT,
      actor: 'bench',
    },
    (progress) => {
      if (progress.phase !== 'matching') return;
      const nowMs = performance.now();
      if (applyStartedMs === 0) applyStartedMs = nowMs;
      else durations.push(nowMs - lastMs);
      lastMs = nowMs;
    },
  );
  const endedMs = performance.now();
  const elapsedMs = endedMs - startedMs;
  const peak = rss.stop();
  if (result.status !== 'COMPLETED' || result.counts.matched !== lines) {
    throw new Error(
      `bench run did not match every line: ${JSON.stringify(result.status === 'COMPLETED' ? result.counts : result.problems)}`,
    );
  }
  const ceiling = await csvParseCeiling(path);
  const validateS = ((applyStartedMs - startedMs) / 1000).toFixed(1);
  const applyS = ((endedMs - applyStartedMs) / 1000).toFixed(1);
  const label =
    `reconcile ${lines.toLocaleString('en-US')}-line Stripe report, ledger in step ` +
    `(lines/s; validate ${validateS} s + match and record ${applyS} s; ` +
    `${realPayments} real payments, the rest checked-generated rows; p50/p99 per append of recorded batches)`;
  const measured = row(label, lines, elapsedMs, peak, durations);
  const floorMet =
    measured.throughputPerSecond >= FLOOR_LINES_PER_SECOND && peak < FLOOR_PEAK_RSS_MIB;
  return {
    ...measured,
    reference: 'csv-parse alone over the same file (one pass)',
    referenceThroughputPerSecond: ceiling,
    ratio: measured.throughputPerSecond / ceiling,
    floor: `≥ ${FLOOR_LINES_PER_SECOND.toLocaleString('en-US')} lines/s and < ${FLOOR_PEAK_RSS_MIB} MiB`,
    floorMet,
  };
}

/** Row 2: real payments, reconciled with their settle, refund and dispute commands. */
async function compensatingRow(stores: Stores, payments: number): Promise<BenchRow> {
  const scenario = buildScenario({ tenantId: 'bench-real', tag: 'bench', paymentCount: payments });
  await seedPayments(stores.store, scenario.seeds, 48);
  const projections = startProjections({
    pool: stores.pool,
    eventStore: stores.store,
    logger,
    projections: reconciliationReadSide,
    batchSize: 1_000,
  });
  try {
    await projections.waitForPosition(await stores.store.headPosition(), 900_000);
    const service = new ReconciliationService({ store: stores.store, pool: stores.pool });
    const rss = sampleRss(20);
    const startedMs = performance.now();
    const result = await service.reconcile({
      source: bytesSource('scenario.csv', Buffer.from(scenario.csv)),
      format: 'stripe_balance_csv',
      tenantId: 'bench-real',
      actor: 'bench',
    });
    const elapsedMs = performance.now() - startedMs;
    if (result.status !== 'COMPLETED') throw new Error('the scenario report was refused');
    const lines = scenario.expected.size;
    return row(
      `reconcile + compensate ${payments.toLocaleString('en-US')} real payments (lines/s; ${result.counts.matched} matched: settlements, refunds, disputes and payouts applied and booked through the write path)`,
      lines,
      elapsedMs,
      rss.stop(),
      [],
    );
  } finally {
    await projections.stop();
  }
}

async function withStores<Value>(
  directory: string,
  work: (stores: Stores) => Promise<Value>,
): Promise<Value> {
  const postgres = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDirectory: join(directory, 'postgres'), port: 0, logger });
  const serverUrl = process.env.DATABASE_URL ?? postgres?.connectionString ?? '';
  const databaseUrl = await freshDatabase(serverUrl);
  const esdb = await startEmbeddedEventStore({
    dataDirectory: join(directory, 'esdb'),
    port: 0,
    logger,
    startTimeoutMs: 60_000,
  });
  const store = EventStore.connect(esdb.connectionString);
  const pool = createPool({
    connectionString: databaseUrl,
    maxConnections: 8,
    applicationName: 'bench-reconciliation',
    statementTimeoutMs: 600_000,
  });
  try {
    return await work({ pool, databaseUrl, store });
  } finally {
    await pool.end();
    await store.close();
    await esdb.stop();
    await postgres?.stop();
  }
}

async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `bench_reconciliation_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateUp(url.toString(), logger);
  return url.toString();
}

export async function runReconciliationBench(options: {
  quick: boolean;
  /** Only row 1 (the large report), e.g. to look at memory. */
  reportOnly?: boolean;
}): Promise<BenchRow[]> {
  const directory = await mkdtemp(join(tmpdir(), 'ledger-bench-reconciliation-'));
  try {
    return await withStores(directory, async (stores) => {
      const rows = [await inStepReportRow(stores, directory, options.quick ? 50_000 : 1_000_000)];
      if (options.reportOnly !== true) {
        rows.push(await compensatingRow(stores, options.quick ? 500 : 10_000));
      }
      return rows;
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const reportOnly = process.argv.includes('--report-only');
  runReconciliationBench({ quick, reportOnly }).then(
    (rows) => process.stdout.write(markdownTable(rows)),
    (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${text}\n`);
      process.exit(1);
    },
  );
}
