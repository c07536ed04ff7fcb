/**
 * Projection catch-up benchmark: N ledger events read from the embedded event store through the
 * official client into every read model, next to the ceiling of a plain multi-row INSERT of the
 * same events into one table; then the lag of the live projections under a command load.
 * Runnable alone: `tsx scripts/bench/projections.ts [--quick]`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { startEmbeddedEventStore } from '../../infra/eventstore/embedded-process.ts';
import { EventStore, type StoredEvent } from '../../infra/eventstore/event-store.ts';
import { createLogger } from '../../infra/logging/logger.ts';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded.ts';
import { migrateUp } from '../../infra/postgres/migrate.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { waitForPosition } from '../../projections/consistency/wait-for-position.ts';
import { startProjections, type RunningProjections } from '../../projections/start.ts';
import { markdownTable, sampleRss, summarizeLatencies, type BenchRow } from './bench-row.ts';
import { cpuSecondsOf, ownCpuSeconds, postgresCpuSeconds } from './process-cpu.ts';
import { measureLiveLag } from './projection-lag.ts';

const execFileAsync = promisify(execFile);
/** Live batches, and the larger ones a runner uses until it first catches up. */
const batchSize = 1_000;
const catchUpBatchSize = 2_000;
const floorEventsPerSecond = 20_000;
const ledgerScript = fileURLToPath(new URL('./projection-ledger.ts', import.meta.url));

interface Servers {
  pool: Pool;
  eventStore: EventStore;
  /** CPU seconds so far of the bench process, the event store and PostgreSQL. */
  cpu(): Promise<{ bench: number; eventStore: number; postgres: number }>;
}

/** The ledger, written into a fresh event-store directory by a child process. */
async function writeLedger(directory: string, events: number): Promise<number> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', ledgerScript, directory, String(events)],
    { maxBuffer: 1024 * 1024 },
  );
  return Number(stdout.trim());
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

/**
 * Rows PostgreSQL has inserted, updated or deleted in the read models so far (its own table
 * counters; the runner's session-local stage tables, which COPY fills, and the ceiling's table
 * left out). Backends report them a little after their transactions, so this waits until the
 * sum holds still.
 */
async function readModelRowWrites(pool: Pool): Promise<number> {
  const total = async () => {
    const { rows } = await pool.query<{ writes: string | null }>(
      `SELECT sum(n_tup_ins + n_tup_upd + n_tup_del)::text AS writes
         FROM pg_stat_user_tables
        WHERE relname <> 'bench_ceiling' AND schemaname NOT LIKE 'pg\\_temp\\_%'`,
    );
    return Number(rows[0]?.writes ?? 0);
  };
  let last = -1;
  for (let look = 0; look < 30; look += 1) {
    const now = await total();
    if (now === last) return now;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return last;
}

function microsecondsEach(seconds: number, events: number): number {
  return Math.round((seconds * 1e6) / events);
}

async function catchUp(
  servers: Servers,
  events: number,
): Promise<{ row: BenchRow; running: RunningProjections; writesPerEvent: number }> {
  const batchDurationsMs: number[] = [];
  const head = await servers.eventStore.headPosition();
  const rss = sampleRss();
  const writesBefore = await readModelRowWrites(servers.pool);
  const cpuBefore = await servers.cpu();
  const startedMs = performance.now();
  const running = startProjections({
    pool: servers.pool,
    eventStore: servers.eventStore,
    logger: createLogger('warn'),
    batchSize,
    catchUpBatchSize,
    flushIntervalMs: 50,
    onBatch: (_name, count, durationMs) => {
      if (count > 0) batchDurationsMs.push(durationMs);
    },
  });
  await waitForPosition(servers.pool, head, 3_600_000, { pollIntervalMs: 100 });
  const seconds = (performance.now() - startedMs) / 1_000;
  const cpuAfter = await servers.cpu();
  const cpu = (key: keyof typeof cpuAfter) =>
    microsecondsEach(cpuAfter[key] - cpuBefore[key], events);
  const writesPerEvent = ((await readModelRowWrites(servers.pool)) - writesBefore) / events;
  return {
    running,
    writesPerEvent,
    row: {
      scenario:
        `catch-up from the event store into all read models (batches of ${catchUpBatchSize}; ` +
        `CPU µs/event: bench ${cpu('bench')}, event store ${cpu('eventStore')}, ` +
        `PostgreSQL ${cpu('postgres')}; ${writesPerEvent.toFixed(2)} row writes per event in the read models)`,
      operations: events,
      throughputPerSecond: events / seconds,
      ...summarizeLatencies(batchDurationsMs),
      peakRssMiB: rss.stop(),
    },
  };
}

const ceilingColumns = [
  'event_id uuid PRIMARY KEY',
  'position bigint',
  'stream text',
  'revision bigint',
  'type text',
  'data jsonb',
  'metadata jsonb',
  'recorded_at timestamptz',
];

function ceilingParameters(events: readonly StoredEvent[]): unknown[] {
  return events.flatMap((event) => [
    ...[event.id, event.position, event.stream, event.revision, event.type],
    ...[JSON.stringify(event.data), JSON.stringify(event.metadata), event.recordedAt.toISOString()],
  ]);
}

/**
 * The ceiling: the same events as rows of one table, one plain multi-row `INSERT … VALUES` per
 * batch. Reading the events back from the store is not timed; building and running the INSERTs is.
 */
async function plainInsert(
  servers: Servers,
  events: number,
): Promise<{ perSecond: number; postgresMicrosecondsPerRow: number }> {
  const client = await servers.pool.connect();
  const width = ceilingColumns.length;
  const placeholders = (rows: number) =>
    Array.from(
      { length: rows },
      (_, row) => `(${Array.from({ length: width }, (_, column) => `$${row * width + column + 1}`)})`,
    ).join(', ');
  try {
    await client.query(`CREATE TABLE bench_ceiling (${ceilingColumns.join(', ')})`);
    const names = ceilingColumns.map((column) => column.split(' ')[0]).join(', ');
    let timedMs = 0;
    let postgresSeconds = 0;
    let inserted = 0;
    let from: bigint | undefined;
    while (inserted < events) {
      const page = await servers.eventStore.readAllPage(from, catchUpBatchSize + 1);
      const batch = page.filter((event) => from === undefined || event.position > from);
      if (batch.length === 0) break;
      const postgresBefore = (await servers.cpu()).postgres;
      const startedMs = performance.now();
      await client.query(
        `INSERT INTO bench_ceiling (${names}) VALUES ${placeholders(batch.length)}`,
        ceilingParameters(batch),
      );
      timedMs += performance.now() - startedMs;
      postgresSeconds += (await servers.cpu()).postgres - postgresBefore;
      inserted += batch.length;
      from = batch.at(-1)?.position;
    }
    return {
      perSecond: inserted / (timedMs / 1_000),
      postgresMicrosecondsPerRow: microsecondsEach(postgresSeconds, inserted),
    };
  } finally {
    client.release();
  }
}

async function withPostgres<Value>(
  work: (serverUrl: string, cpuSeconds: () => Promise<number>) => Promise<Value>,
): Promise<Value> {
  if (process.env.DATABASE_URL) return work(process.env.DATABASE_URL, async () => 0);
  const directory = await mkdtemp(join(tmpdir(), 'ledger-bench-pg-'));
  const dataDirectory = join(directory, 'data');
  const postgres = await startEmbeddedPostgres({
    dataDirectory,
    port: 0,
    logger: createLogger('error'),
  });
  try {
    return await work(postgres.connectionString, () => postgresCpuSeconds(dataDirectory));
  } finally {
    await postgres.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

async function withServers<Value>(
  events: number,
  work: (servers: Servers, written: number) => Promise<Value>,
): Promise<Value> {
  const directory = await mkdtemp(join(tmpdir(), 'ledger-bench-projections-'));
  try {
    const written = await writeLedger(join(directory, 'esdb'), events);
    const store = await startEmbeddedEventStore({
      dataDirectory: join(directory, 'esdb'),
      port: 0,
      logger: createLogger('error'),
      startTimeoutMs: 300_000,
    });
    const eventStore = EventStore.connect(store.connectionString);
    try {
      return await withPostgres(async (serverUrl, postgresCpu) => {
        const pool = createPool({
          connectionString: await freshDatabase(serverUrl),
          maxConnections: 4,
          applicationName: 'bench-projections',
          statementTimeoutMs: 600_000,
        });
        const cpu = async () => ({
          bench: ownCpuSeconds(),
          eventStore: await cpuSecondsOf(store.process.pid ?? 0),
          postgres: await postgresCpu(),
        });
        try {
          return await work({ pool, eventStore, cpu }, written);
        } finally {
          await pool.end();
        }
      });
    } finally {
      await eventStore.close();
      await store.stop();
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export async function runProjectionBench(options: { quick: boolean }): Promise<BenchRow[]> {
  const override = Number(process.env.BENCH_PROJECTION_EVENTS ?? '');
  const size = Number.isInteger(override) && override > 0 ? override : undefined;
  const requested = size ?? (options.quick ? 30_000 : 1_000_000);
  return withServers(requested, async (servers, written) => {
    const { row, running, writesPerEvent } = await catchUp(servers, written);
    let lag: BenchRow;
    try {
      lag = await measureLiveLag({
        pool: servers.pool,
        eventStore: servers.eventStore,
        commandsPerSecond: 1_000,
        durationMs: options.quick ? 8_000 : 60_000,
      });
    } finally {
      await running.stop();
    }
    const ceiling = await plainInsert(servers, written);
    // What PostgreSQL alone would need if each of the read models' row writes cost what a row
    // of the one-table INSERT costs it (an update or an upsert with its indexes costs more).
    const postgresFloorUs = Math.round(ceiling.postgresMicrosecondsPerRow * writesPerEvent);
    return [
      {
        ...row,
        reference:
          'plain multi-row INSERT of the same events into one table ' +
          `(PostgreSQL ${ceiling.postgresMicrosecondsPerRow} µs CPU per row; at that cost the ` +
          `read models' row writes alone need ${postgresFloorUs} µs per event)`,
        referenceThroughputPerSecond: ceiling.perSecond,
        ratio: row.throughputPerSecond / ceiling.perSecond,
        floor: `≥ ${floorEventsPerSecond.toLocaleString('en-US')} events/s (1,000,000 events)`,
        floorMet: row.throughputPerSecond >= floorEventsPerSecond && written >= 1_000_000,
      },
      lag,
    ];
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
