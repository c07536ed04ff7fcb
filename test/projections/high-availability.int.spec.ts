import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logging/logger.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { waitForPosition } from '../../projections/consistency/wait-for-position.ts';
import { allProjections } from '../../projections/registry.ts';
import {
  advanceCheckpoint,
  CheckpointConflictError,
} from '../../projections/runner/checkpoints.ts';
import { startProjections, type RunningProjections } from '../../projections/start.ts';
import {
  generateLedger,
  interleave,
  seededRandom,
} from '../../projections/testing/ledger-events.ts';
import { MemoryEventSource } from '../../projections/testing/memory-event-source.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { eventually } from './support/store.ts';

let database: TestDatabase;
let pool: Pool;
const instances: RunningProjections[] = [];
const events = interleave(generateLedger(31, 400), seededRandom(32));
const firstPart = events.slice(0, 1_200);
const source = new MemoryEventSource(firstPart);

function startInstance(instanceId: string): RunningProjections {
  const running = startProjections({
    pool,
    eventStore: source,
    logger: createLogger('silent'),
    batchSize: 100,
    flushIntervalMs: 20,
    lockPollMs: 200,
    instanceId,
  });
  instances.push(running);
  return running;
}

function leaders(running: RunningProjections): string[] {
  return running.runners
    .filter((runner) => runner.stats.role === 'leader')
    .map((runner) => runner.stats.name);
}

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, maxConnections: 6, applicationName: 'spec' });
});

afterAll(async () => {
  for (const running of instances) await running.stop();
  await pool?.end();
  await database?.drop();
});

describe('two instances running the same projections', () => {
  it('run each projection exactly once, and the survivor takes over within seconds', async () => {
    const first = startInstance('instance-a');
    const second = startInstance('instance-b');
    await waitForPosition(pool, firstPart.at(-1)?.position ?? 0n, 20_000);
    const all = allProjections.map((projection) => projection.name).sort();
    expect([...leaders(first), ...leaders(second)].sort()).toEqual(all);
    const typesInLedger = new Set(firstPart.map((event) => event.type));
    for (const projection of allProjections) {
      const applied = [first, second].flatMap((running) =>
        running.runners.filter(
          (runner) => runner.stats.name === projection.name && runner.stats.eventsApplied > 0,
        ),
      );
      // A projection with nothing of its own in this ledger applies nothing, on either instance.
      const expected = projection.handles.some((type) => typesInLedger.has(type)) ? 1 : 0;
      expect(applied.length, projection.name).toBe(expected);
    }

    const [survivor, stopped] = leaders(first).length > 0 ? [second, first] : [first, second];
    const stoppedAtMs = Date.now();
    await stopped.stop();
    source.append(events.slice(1_200));
    await eventually(
      async () => (leaders(survivor).length === all.length ? true : undefined),
      5_000,
      'the survivor to lead every projection',
    );
    expect(Date.now() - stoppedAtMs).toBeLessThan(5_000);
    await waitForPosition(pool, events.at(-1)?.position ?? 0n, 20_000);
    const audit = await pool.query<{ total: bigint }>('SELECT count(*) AS total FROM audit_log');
    expect(audit.rows[0]?.total).toBe(BigInt(events.length));
  });

  it('refuses a checkpoint write from a runner whose view is stale (CAS)', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const stale = advanceCheckpoint(
        client,
        { name: 'audit_log', version: 1 },
        {
          expected: 0n,
          next: 1n,
          eventsApplied: 1,
          lastEventRecordedAt: null,
        },
      );
      await expect(stale).rejects.toBeInstanceOf(CheckpointConflictError);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
