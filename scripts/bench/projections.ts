/**
 * Projection catch-up benchmark: N ledger events into every read model, next to the ceiling of
 * a plain multi-row INSERT of the same events into one table. Runnable alone:
 * `tsx scripts/bench/projections.ts [--quick]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { StoredEvent } from '../../infra/eventstore/event-store.ts';
import { createLogger } from '../../infra/logging/logger.ts';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded.ts';
import { migrateUp } from '../../infra/postgres/migrate.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { waitForPosition } from '../../projections/consistency/wait-for-position.ts';
import { insertRows } from '../../projections/core/sql.ts';
import { startProjections } from '../../projections/start.ts';
import { generateLedger, interleave, seededRandom } from '../../projections/testing/ledger-events.ts';
import { MemoryEventSource } from '../../projections/testing/memory-event-source.ts';
import { markdownTable, sampleRss, summarizeLatencies, type BenchRow } from './bench-row.ts';

const eventsPerPayment = 4.7;
/** Live batches, and the larger ones a runner uses until it first catches up. */
const batchSize = 1_000;
const catchUpBatchSize = 2_000;
const floorEventsPerSecond = 20_000;

function ledgerOf(events: number): StoredEvent[] {
  return interleave(generateLedger(42, Math.ceil(events / eventsPerPayment)), seededRandom(43));
}

async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `ledger_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateUp(url.toString(), createLogger('warn'));
  return url.toString();
}

async function catchUp(pool: Pool, events: StoredEvent[]): Promise<BenchRow> {
  const batchDurationsMs: number[] = [];
  // The generated ledger itself lives in this process: the RSS before the runners start is the
  // fixture's share of the peak, the rest is the projections' own.
  const fixtureRssMiB = Math.round(process.memoryUsage().rss / 1024 / 1024);
  const rss = sampleRss();
  const startedMs = performance.now();
  const running = startProjections({
    pool,
    eventStore: new MemoryEventSource(events),
    logger: createLogger('warn'),
    batchSize,
    catchUpBatchSize,
    flushIntervalMs: 50,
    onBatch: (_name, count, durationMs) => {
      if (count > 0) batchDurationsMs.push(durationMs);
    },
  });
  await waitForPosition(pool, events.at(-1)?.position ?? 0n, 3_600_000, { pollIntervalMs: 100 });
  const seconds = (performance.now() - startedMs) / 1_000;
  await running.stop();
  return {
    scenario:
      `catch-up into all read models (batches of ${catchUpBatchSize}; ` +
      `RSS ${fixtureRssMiB} MiB before start, ledger included)`,
    operations: events.length,
    throughputPerSecond: events.length / seconds,
    ...summarizeLatencies(batchDurationsMs),
    peakRssMiB: rss.stop(),
  };
}

/** The ceiling: the same events as rows of one table, one multi-row INSERT per batch. */
async function plainInsert(pool: Pool, events: StoredEvent[]): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query(`CREATE TABLE bench_ceiling (event_id uuid PRIMARY KEY, position bigint,
      stream text, revision bigint, type text, data jsonb, metadata jsonb, recorded_at timestamptz)`);
    const columns = [
      ['event_id', 'uuid'], ['position', 'bigint'], ['stream', 'text'], ['revision', 'bigint'],
      ['type', 'text'], ['data', 'jsonb'], ['metadata', 'jsonb'], ['recorded_at', 'timestamptz'],
    ].map(([name, type]) => ({ name: name as string, type: type as string }));
    const startedMs = performance.now();
    for (let start = 0; start < events.length; start += catchUpBatchSize) {
      const rows = events.slice(start, start + catchUpBatchSize).map((event) => [
        ...[event.id, event.position, event.stream, event.revision, event.type],
        ...[event.data, event.metadata, event.recordedAt.toISOString()],
      ]);
      await insertRows(client, { table: 'bench_ceiling', columns, rows, onConflict: '' });
    }
    return events.length / ((performance.now() - startedMs) / 1_000);
  } finally {
    client.release();
  }
}

async function withPostgres<Value>(work: (serverUrl: string) => Promise<Value>): Promise<Value> {
  if (process.env.DATABASE_URL) return work(process.env.DATABASE_URL);
  const directory = await mkdtemp(join(tmpdir(), 'ledger-bench-pg-'));
  const postgres = await startEmbeddedPostgres({
    dataDirectory: join(directory, 'data'),
    port: 0,
    logger: createLogger('warn'),
  });
  try {
    return await work(postgres.connectionString);
  } finally {
    await postgres.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

export async function runProjectionBench(options: { quick: boolean }): Promise<BenchRow[]> {
  const override = Number(process.env.BENCH_PROJECTION_EVENTS ?? '');
  const size = Number.isInteger(override) && override > 0 ? override : undefined;
  const events = ledgerOf(size ?? (options.quick ? 100_000 : 1_000_000));
  return withPostgres(async (serverUrl) => {
    const pool = createPool({
      connectionString: await freshDatabase(serverUrl),
      maxConnections: 4,
      applicationName: 'bench-projections',
      statementTimeoutMs: 600_000,
    });
    try {
      const row = await catchUp(pool, events);
      const ceiling = await plainInsert(pool, events);
      return [
        {
          ...row,
          reference: 'plain multi-row INSERT of the same events into one table',
          referenceThroughputPerSecond: ceiling,
          ratio: row.throughputPerSecond / ceiling,
          floor: `≥ ${floorEventsPerSecond.toLocaleString('en-US')} events/s (full set)`,
          floorMet: row.throughputPerSecond >= floorEventsPerSecond,
        },
      ];
    } finally {
      await pool.end();
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  runProjectionBench({ quick })
    .then((rows) => process.stdout.write(markdownTable(rows)))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    });
}
