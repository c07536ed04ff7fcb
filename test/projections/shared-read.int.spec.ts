import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logging/logger.ts';
import { ForegroundFirst, type BackgroundGate } from '../../infra/runtime/background-gate.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import type { ProjectionEventSource } from '../../projections/core/event-source.ts';
import { waitForPosition } from '../../projections/consistency/wait-for-position.ts';
import { allProjections } from '../../projections/registry.ts';
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
let running: RunningProjections | undefined;
let subscriptions = 0;

/** The real store, counting the `$all` subscriptions the projections open on it. */
function counted(eventStore: ProjectionEventSource): ProjectionEventSource {
  return {
    headPosition: () => eventStore.headPosition(),
    readAllPage: (from, maxCount) => eventStore.readAllPage(from, maxCount),
    subscribeToAll: (options) => {
      subscriptions += 1;
      return eventStore.subscribeToAll(options);
    },
  };
}

beforeAll(async () => {
  [database, store] = await Promise.all([createTestDatabase(), startTestEventStore()]);
  pool = createPool({ connectionString: database.url, maxConnections: 8, applicationName: 'spec' });
});

afterAll(async () => {
  await running?.stop();
  await pool?.end();
  await stopQuietly(store);
  await database?.drop();
});

describe('projections reading $all through one shared subscription', () => {
  it('isolate a poison event: the others catch up on the shared read, then it resumes', async () => {
    await appendStreams(store.eventStore, generateLedger(31, 120));
    const orphan = generateLedger(32, 1)[0]?.events.find(
      (event) => event.type === 'PaymentAuthorized',
    );
    if (!orphan) throw new Error('generator changed: no authorization');
    const poison = await store.eventStore.append(
      `payment-orphan-${randomUUID()}`,
      [{ ...orphan, id: randomUUID() }],
      'no_stream',
    );
    const last = await appendStreams(store.eventStore, generateLedger(33, 120));

    running = startProjections({
      pool,
      eventStore: counted(store.eventStore),
      logger: createLogger('silent'),
      batchSize: 50,
      catchUpBatchSize: 100,
      flushIntervalMs: 20,
      lockPollMs: 200,
    });
    const others = allProjections.filter((projection) => projection.name !== 'payments');
    await waitForPosition(pool, last, 30_000, { projections: others });
    const failed = await eventually(
      async () =>
        (await running?.statuses())?.find(
          (item) => item.name === 'payments' && item.state === 'failed',
        ),
      10_000,
      'payments to stop at the poison event',
    );
    expect(failed.failedPosition).toBe(poison.position);
    // One read served every projection, the failed one included, until it stopped.
    expect(subscriptions).toBe(1);

    // Live writes still reach the others while payments stands still.
    const live = await appendStreams(store.eventStore, generateLedger(34, 10));
    await waitForPosition(pool, live, 15_000, { projections: others });
    const stopped = (await running.statuses()).find((item) => item.name === 'payments');
    expect(stopped?.checkpoint).toBeLessThan(poison.position);

    await running.skipPoisonEvent('payments', poison.position, 'spec');
    await running.waitForPosition(live, 20_000);
    expect(await poisonEvents(pool, 'payments')).toMatchObject([{ status: 'skipped' }]);
    for (const projection of allProjections) {
      const verdict = await verifyProjection(
        { pool, eventStore: store.eventStore, projections: allProjections, batchSize: 500 },
        projection,
      );
      expect(verdict, projection.name).toMatchObject({ drift: false, inconclusive: null });
    }
  });
});

/** Projections on the plain store, committing small batches quickly. */
function startQuickly(gate?: BackgroundGate): RunningProjections {
  return startProjections({
    pool,
    eventStore: store.eventStore,
    logger: createLogger('silent'),
    flushIntervalMs: 10,
    lockPollMs: 200,
    ...(gate ? { gate } : {}),
  });
}

describe('projections giving way to the foreground', () => {
  it('pause (closing the shared read) and resume from where they were: nothing skipped or twice', async () => {
    await running?.stop();
    subscriptions = 0;
    await appendStreams(store.eventStore, generateLedger(41, 60));
    // Pressed most of the time, in short pauses and slices, while events keep arriving.
    let pressed = true;
    const gate = new ForegroundFirst({ pressed: () => pressed, pauseMs: 40, sliceMs: 15 });
    running = startProjections({
      pool,
      eventStore: counted(store.eventStore),
      logger: createLogger('silent'),
      batchSize: 20,
      catchUpBatchSize: 50,
      flushIntervalMs: 10,
      lockPollMs: 200,
      gate,
    });
    let last = 0n;
    for (let round = 0; round < 8; round += 1) {
      last = await appendStreams(store.eventStore, generateLedger(100 + round, 15));
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    // The shared read was closed and reopened while paused (beyond the one first subscription).
    expect(subscriptions).toBeGreaterThan(2);
    pressed = false;
    await running.waitForPosition(last, 30_000);
    for (const projection of allProjections) {
      const verdict = await verifyProjection(
        { pool, eventStore: store.eventStore, projections: allProjections, batchSize: 500 },
        projection,
      );
      expect(verdict, projection.name).toMatchObject({ drift: false, inconclusive: null });
    }
  });

  it('hold every batch while closed, and apply them once open', async () => {
    await running?.stop();
    running = undefined;
    const gate = new ForegroundFirst({ pressed: () => true, pauseMs: 60_000, sliceMs: 1 });
    // First look closes the gate for a minute: nothing may be applied meanwhile.
    expect(gate.open()).toBe(false);
    const before = await pool.query<{ count: bigint }>(
      'SELECT count(*)::bigint AS count FROM audit_log',
    );
    const appended = await appendStreams(store.eventStore, generateLedger(200, 10));
    running = startQuickly(gate);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const during = await pool.query<{ count: bigint }>(
      'SELECT count(*)::bigint AS count FROM audit_log',
    );
    expect(during.rows[0]?.count).toBe(before.rows[0]?.count);
    await running.stop();
    running = startQuickly();
    await running.waitForPosition(appended, 30_000);
  });
});
