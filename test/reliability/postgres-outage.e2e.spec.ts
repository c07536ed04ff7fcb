import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { createLogger } from '../../infra/logging/logger.ts';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from '../../infra/postgres/embedded.ts';
import { createPool } from '../../infra/postgres/pool.ts';
import { allProjections } from '../../projections/registry.ts';
import { verifyLedger } from '../../projections/verify/verify.ts';
import { graphql, makeKeys, mutate, payloadOf } from './support/client.ts';
import {
  removeDirectory,
  startApiProcess,
  startEventStoreProcess,
  temporaryDirectory,
  waitUntil,
  type ApiProcess,
  type EventStoreProcess,
} from './support/processes.ts';

/**
 * PostgreSQL holds only the read side. While it is down, commands keep succeeding (the write path
 * needs the event store alone), /readyz names the failing dependency, and once it is back the
 * projections resume from their checkpoints and catch up with no gap.
 */
describe('PostgreSQL stopped and restarted under load', () => {
  const { keys, configuration } = makeKeys();
  const logger = createLogger('silent');
  let directory: string;
  let postgres: EmbeddedPostgresHandle;
  let store: EventStoreProcess;
  let api: ApiProcess | undefined;

  const startPostgres = (port: number) =>
    startEmbeddedPostgres({ dataDirectory: join(directory, 'postgres'), port, logger });

  beforeAll(async () => {
    directory = await temporaryDirectory('ledger-reliability-pg-');
    [postgres, store] = await Promise.all([startPostgres(0), startEventStoreProcess()]);
    api = await startApiProcess({
      dataDirectory: join(directory, 'api'),
      databaseUrl: postgres.connectionString,
      eventStoreConnectionString: store.connectionString,
      apiKeys: configuration,
    });
  });

  afterAll(async () => {
    await api?.kill();
    await postgres?.stop().catch(() => undefined);
    await store?.stop();
    await removeDirectory(directory);
  });

  async function payAndCapture(url: string): Promise<string> {
    const created = await mutate(url, keys.acmeAll.key, 'createPayment', {
      idempotencyKey: randomUUID(),
      amount: { amount: '2500', currency: 'GBP' },
    });
    const paymentId = payloadOf(created, 'createPayment')?.payment?.id;
    expect(paymentId, created.text).toBeDefined();
    for (const name of ['authorizePayment', 'capturePayment'] as const) {
      const answer = await mutate(url, keys.acmeAll.key, name, {
        paymentId,
        idempotencyKey: randomUUID(),
      });
      expect(payloadOf(answer, name)?.errors, answer.text).toEqual([]);
    }
    return paymentId!;
  }

  async function readModelIds(url: string): Promise<Set<string> | undefined> {
    const answer = await graphql(
      url,
      keys.acmeRead.key,
      '{ payments(first: 100, filter: { status: [CAPTURED] }) { edges { node { id } } } }',
    );
    const edges = (answer.body?.data?.payments as { edges: { node: { id: string } }[] } | undefined)
      ?.edges;
    return edges ? new Set(edges.map((edge) => edge.node.id)) : undefined;
  }

  it('keeps accepting commands, reports the outage, and catches up with no gap', async () => {
    const url = api!.url;
    const paid: string[] = [];
    for (let index = 0; index < 5; index += 1) paid.push(await payAndCapture(url));
    await waitUntil(
      async () => ((await readModelIds(url))?.size === 5 ? true : undefined),
      20_000,
      'read model',
    );

    const port = postgres.port;
    await postgres.stop();
    const during = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const ids: string[] = [];
        for (let index = 0; index < 4; index += 1) ids.push(await payAndCapture(url));
        return ids;
      }),
    );
    paid.push(...during.flat());
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(503);
    const readiness = (await ready.json()) as { failing: string[] };
    expect(readiness.failing).toContain('postgres');
    expect(readiness.failing).not.toContain('eventstore');

    postgres = await startPostgres(port);
    paid.push(await payAndCapture(url));
    const seen = await waitUntil(
      async () => {
        const ids = await readModelIds(url);
        return ids && ids.size >= paid.length ? ids : undefined;
      },
      60_000,
      'the projections to catch up after the restart',
      250,
    );
    expect([...seen].sort()).toEqual([...paid].sort());
    const readyAgain = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    expect(readyAgain.status).toBe(200);
    const balance = await graphql(
      url,
      keys.acmeRead.key,
      '{ trialBalance(currency: "GBP") { total { amount } } }',
    );
    expect(balance.body?.data?.trialBalance).toEqual({ total: { amount: '0' } });

    // No gap and no double application: a rebuild from the event store equals the live tables.
    const pool = createPool({
      connectionString: postgres.connectionString,
      maxConnections: 2,
      applicationName: 'reliability-verify',
    });
    const eventStore = EventStore.connect(store.connectionString);
    try {
      const report = await verifyLedger({
        pool,
        eventStore,
        projections: allProjections,
        batchSize: 1_000,
      });
      expect(report.chains.broken).toEqual([]);
      expect(report.projections.filter((item) => item.drift || item.inconclusive)).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await pool.end();
      await eventStore.close();
    }
  }, 150_000);
});
