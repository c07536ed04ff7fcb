import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logging/logger.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { waitForPosition } from '../../projections/consistency/wait-for-position.ts';
import { replayProjection } from '../../projections/rebuild/replay.ts';
import { allProjections, projectionNamed } from '../../projections/registry.ts';
import { poisonEvents } from '../../projections/runner/poison.ts';
import { startProjections, type RunningProjections } from '../../projections/start.ts';
import { generateLedger } from '../../projections/testing/ledger-events.ts';
import { verifyProjection } from '../../projections/verify/verify.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestEventStore, type TestEventStore } from '../support/event-store.ts';
import { appendStreams, eventually, stopQuietly } from './support/store.ts';

let database: TestDatabase;
let pool: Pool;
let store: TestEventStore;
let running: RunningProjections;
const registry = new Registry();

beforeAll(async () => {
  [database, store] = await Promise.all([createTestDatabase(), startTestEventStore()]);
  pool = createPool({ connectionString: database.url, maxConnections: 8, applicationName: 'spec' });
  running = startProjections({
    pool,
    eventStore: store.eventStore,
    logger: createLogger('silent'),
    registry,
    batchSize: 100,
    flushIntervalMs: 20,
    lockPollMs: 200,
  });
});

afterAll(async () => {
  await running?.stop();
  await pool?.end();
  await stopQuietly(store);
  await database?.drop();
});

async function verifyAll() {
  for (const projection of allProjections) {
    const result = await verifyProjection(
      { pool, eventStore: store.eventStore, projections: allProjections, batchSize: 500 },
      projection,
    );
    expect(result, projection.name).toMatchObject({ drift: false, inconclusive: null });
  }
}

describe('the projection runner on a real event store', () => {
  it('catches up, follows live writes, and equals a clean rebuild', async () => {
    await appendStreams(store.eventStore, generateLedger(11, 40));
    const last = await appendStreams(store.eventStore, generateLedger(12, 20));
    await running.waitForPosition(last, 20_000);
    const payments = await pool.query<{ total: bigint }>('SELECT count(*) AS total FROM payments');
    expect(payments.rows[0]?.total).toBe(60n);
    await verifyAll();
  });

  it('reaches the position of a write no projection handles (read-your-writes)', async () => {
    const claim = {
      id: randomUUID(),
      type: 'IdempotencyKeyClaimed',
      data: { key: 'k' },
      metadata: {},
    };
    const written = await store.eventStore.append(
      `idempotency-t-${randomUUID()}`,
      [claim],
      'no_stream',
    );
    await running.waitForPosition(written.position, 10_000);
  });

  it('stops only the projection a poison event breaks, until an operator skips it', async () => {
    const orphan = generateLedger(13, 1)[0]?.events.find(
      (event) => event.type === 'PaymentAuthorized',
    );
    if (!orphan) throw new Error('generator changed: no authorization');
    const poison = await store.eventStore.append(
      `payment-orphan-${randomUUID()}`,
      [orphan],
      'no_stream',
    );
    const after = await appendStreams(store.eventStore, generateLedger(14, 5));
    const others = allProjections.filter((projection) => projection.name !== 'payments');
    await waitForPosition(pool, after, 15_000, { projections: others });
    const status = await eventually(
      async () =>
        (await running.statuses()).find(
          (item) => item.name === 'payments' && item.state === 'failed',
        ),
      10_000,
      'payments to stop',
    );
    expect(status.failedPosition).toBe(poison.position);
    expect(status.lastError).toMatch(/before PaymentInitiated/);
    expect(status.lagEvents).toBeGreaterThan(0);
    expect(await poisonEvents(pool, 'payments')).toMatchObject([
      { status: 'open', position: poison.position },
    ]);
    await running.skipPoisonEvent('payments', poison.position, 'spec');
    await running.waitForPosition(after, 15_000);
    expect(await poisonEvents(pool, 'payments')).toMatchObject([
      { status: 'skipped', resolved_by: 'spec' },
    ]);
    await verifyAll();
  });

  it('replays a projection into fresh tables and swaps them in while live', async () => {
    const writing = appendStreams(store.eventStore, generateLedger(15, 20), 2);
    await replayProjection({
      pool,
      eventStore: store.eventStore,
      projection: projectionNamed('payments'),
      batchSize: 200,
    });
    await running.waitForPosition(await writing, 20_000);
    await verifyAll();
    const indexes = await pool.query(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'payments' ORDER BY 1",
    );
    expect(indexes.rows.map((row) => row.indexname)).toContain('payments_by_tenant_created');
  });

  it('reports status and metrics', async () => {
    const statuses = await running.statuses();
    expect(statuses.map((status) => status.name)).toEqual(allProjections.map((item) => item.name));
    for (const status of statuses) {
      expect(status).toMatchObject({ state: 'running', lagEvents: 0, owner: running.instanceId });
      expect(typeof status.checkpoint).toBe('bigint');
    }
    const text = await registry.metrics();
    expect(text).toMatch(/ledger_projection_lag_events\{projection="payments"\} 0/);
    expect(text).toMatch(/ledger_projection_events_applied_total\{projection="audit_log"\} \d+/);
  });
});
