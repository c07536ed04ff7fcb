import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logging/logger.ts';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from '../../infra/postgres/embedded.ts';
import { migrateUp } from '../../infra/postgres/migrate.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { waitForPosition } from '../../projections/consistency/wait-for-position.ts';
import { unbalancedCurrencies } from '../../projections/read-models/journal/queries.ts';
import { allProjections } from '../../projections/registry.ts';
import { readAllCheckpoints } from '../../projections/runner/checkpoints.ts';
import { startProjections, type RunningProjections } from '../../projections/start.ts';
import { MemoryEventSource } from '../../projections/testing/memory-event-source.ts';
import { verifyProjection } from '../../projections/verify/verify.ts';
import { crashLedger } from './support/crash-ledger.ts';
import { eventually } from './support/store.ts';

/**
 * Projection transactions commit with synchronous_commit off: the commit returns before its WAL
 * is flushed, so a PostgreSQL crash may lose the last commits. This kills every PostgreSQL
 * process with SIGKILL in the middle of a catch-up (WAL still in shared memory is lost with
 * them), restarts the server on the same data, and shows the runners resume to read models
 * equal to a clean rebuild: a lost commit loses its rows and its checkpoint together.
 */
const logger = createLogger('silent');
const events = crashLedger();
const last = events.at(-1)?.position ?? 0n;
let directory: string;
let postgres: EmbeddedPostgresHandle;
let pool: Pool;
let running: RunningProjections | undefined;

async function postgresPids(dataDirectory: string): Promise<number[]> {
  const postmaster = Number(
    (await readFile(join(dataDirectory, 'postmaster.pid'), 'utf8')).split('\n')[0],
  );
  const pids = [postmaster];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === postmaster) pids.push(Number(entry));
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function crashPostgres(dataDirectory: string): Promise<void> {
  const pids = await postgresPids(dataDirectory);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  await eventually(
    async () => (pids.some(alive) ? undefined : true),
    10_000,
    'every PostgreSQL process to exit',
  );
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ledger-pg-crash-'));
  postgres = await startEmbeddedPostgres({
    dataDirectory: join(directory, 'data'),
    port: 0,
    logger,
  });
  const admin = new pg.Client({ connectionString: postgres.connectionString });
  await admin.connect();
  await admin.query('CREATE DATABASE crash');
  await admin.end();
  const url = new URL(postgres.connectionString);
  url.pathname = '/crash';
  await migrateUp(url.toString(), logger);
  pool = createPool({
    connectionString: url.toString(),
    maxConnections: 4,
    applicationName: 'spec',
  });
});

afterAll(async () => {
  await running?.stop();
  await pool?.end();
  await postgres?.stop().catch(() => undefined);
  await rm(directory, { recursive: true, force: true });
});

describe('PostgreSQL killed with SIGKILL in the middle of a catch-up', () => {
  it('loses whole batches at most, with their checkpoints: the runners resume exactly once', async () => {
    running = startProjections({
      pool,
      eventStore: new MemoryEventSource(events),
      logger,
      batchSize: 200,
      flushIntervalMs: 20,
      lockPollMs: 100,
    });
    await eventually(
      async () => {
        const rows = await readAllCheckpoints(pool);
        const audit = rows.find((row) => row.projection_name === 'audit_log');
        return audit?.position != null && audit.position > last / 4n ? rows : undefined;
      },
      60_000,
      'a quarter of the catch-up',
    );
    await crashPostgres(join(directory, 'data'));
    postgres = await startEmbeddedPostgres({
      dataDirectory: join(directory, 'data'),
      port: postgres.port,
      logger,
    });
    // The runners saw their connections fail; they retry and go on from the stored checkpoints.
    await waitForPosition(pool, last, 120_000);

    const audit = await pool.query<{ total: bigint }>('SELECT count(*) AS total FROM audit_log');
    expect(audit.rows[0]?.total).toBe(BigInt(events.length));
    expect(await unbalancedCurrencies(pool)).toEqual([]);
    const source = new MemoryEventSource(events);
    const options = { pool, eventStore: source, projections: allProjections, batchSize: 1_000 };
    for (const projection of allProjections) {
      const verdict = await verifyProjection(options, projection);
      expect(verdict, projection.name).toMatchObject({ drift: false, inconclusive: null });
    }
  });
});
