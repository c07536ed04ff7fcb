import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { waitForPosition } from '../../projections/consistency/wait-for-position.ts';
import { unbalancedCurrencies } from '../../projections/read-models/journal/queries.ts';
import { allProjections } from '../../projections/registry.ts';
import { readAllCheckpoints } from '../../projections/runner/checkpoints.ts';
import { MemoryEventSource } from '../../projections/testing/memory-event-source.ts';
import { verifyProjection } from '../../projections/verify/verify.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { crashLedger } from './support/crash-ledger.ts';
import { eventually } from './support/store.ts';

const runnerScript = fileURLToPath(new URL('./support/runner-process.ts', import.meta.url));
const events = crashLedger();
const last = events.at(-1)?.position ?? 0n;
let database: TestDatabase;
let pool: Pool;
const children: ChildProcess[] = [];

function startRunner(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', runnerScript], {
    env: { ...process.env, DATABASE_URL: database.url, BATCH_SIZE: '200' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolveStart, reject) => {
    child.once('exit', (code) => reject(new Error(`runner exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') resolveStart(child);
    });
  });
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, maxConnections: 4, applicationName: 'spec' });
});

afterAll(async () => {
  for (const child of children) await killHard(child);
  await pool?.end();
  await database?.drop();
});

describe('a runner killed with SIGKILL in the middle of a large catch-up', () => {
  it('resumes without skipping or repeating an event: equal to a clean rebuild', async () => {
    expect(events.length).toBeGreaterThan(20_000);
    const first = await startRunner();
    // Kill once real progress is committed but well before the end.
    const midway = await eventually(
      async () => {
        const rows = await readAllCheckpoints(pool);
        const audit = rows.find((row) => row.projection_name === 'audit_log');
        return audit?.position != null && audit.position > last / 5n ? rows : undefined;
      },
      60_000,
      'a fifth of the catch-up',
    );
    await killHard(first);
    const atKill = await readAllCheckpoints(pool);
    expect(atKill.some((row) => row.position === null || row.position < last)).toBe(true);
    expect(midway.length).toBe(allProjections.length);

    const second = await startRunner();
    await waitForPosition(pool, last, 60_000);
    await killHard(second);

    const audit = await pool.query<{ total: bigint }>('SELECT count(*) AS total FROM audit_log');
    expect(audit.rows[0]?.total).toBe(BigInt(events.length));
    expect(await unbalancedCurrencies(pool)).toEqual([]);
    const source = new MemoryEventSource(events);
    const options = { pool, eventStore: source, projections: allProjections, batchSize: 1_000 };
    const verdicts = await Promise.all(
      allProjections.map((projection) => verifyProjection(options, projection)),
    );
    for (const verdict of verdicts) {
      expect(verdict, verdict.projection).toMatchObject({
        drift: false,
        inconclusive: null,
        position: last,
      });
    }
  });
});
