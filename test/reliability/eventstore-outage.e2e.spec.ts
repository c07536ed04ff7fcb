import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { makeKeys, mutate, payloadOf } from './support/client.ts';
import {
  removeDirectory,
  startApiProcess,
  startEventStoreProcess,
  temporaryDirectory,
  waitUntil,
  type ApiProcess,
  type EventStoreProcess,
} from './support/processes.ts';

/** The bound a client may wait for a refusal when the event store does not answer. */
const failFastMs = 10_000;

/**
 * The event store is the write path's only dependency. When it is stopped (SIGSTOP: connections
 * stay open and nothing answers, the worst case) or dead (SIGKILL: connections refused),
 * commands must fail within a bound with a typed, retryable error, then succeed once it is back.
 */
describe('event store unreachable', () => {
  const { keys, configuration } = makeKeys();
  let database: TestDatabase;
  let store: EventStoreProcess;
  let api: ApiProcess;
  let dataDirectory: string;

  beforeAll(async () => {
    dataDirectory = await temporaryDirectory('ledger-reliability-api-');
    [database, store] = await Promise.all([createTestDatabase(), startEventStoreProcess()]);
    api = await startApiProcess({
      dataDirectory,
      databaseUrl: database.url,
      eventStoreConnectionString: store.connectionString,
      apiKeys: configuration,
    });
  });

  afterAll(async () => {
    await api?.kill();
    await store?.stop();
    await database?.drop();
    await removeDirectory(dataDirectory);
  });

  function createInput() {
    return { idempotencyKey: randomUUID(), amount: { amount: '1250', currency: 'EUR' } };
  }

  async function expectRetryableRefusal(paymentId: string): Promise<void> {
    const [created, captured] = await Promise.all([
      mutate(api.url, keys.acmeAll.key, 'createPayment', createInput(), failFastMs + 5_000),
      mutate(
        api.url,
        keys.acmeAll.key,
        'capturePayment',
        { paymentId, idempotencyKey: randomUUID() },
        failFastMs + 5_000,
      ),
    ]);
    for (const answer of [created, captured]) {
      expect(answer.elapsedMs).toBeLessThan(failFastMs);
      expect(answer.status).toBeLessThan(500);
      const error = answer.body?.errors?.[0];
      expect(error?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
      expect(error?.message).not.toMatch(/esdb:|127\.0\.0\.1|grpc/i);
    }
  }

  async function expectRecovered(): Promise<void> {
    const input = createInput();
    const recovered = await waitUntil(
      async () => {
        const answer = await mutate(api.url, keys.acmeAll.key, 'createPayment', input, 15_000);
        return payloadOf(answer, 'createPayment')?.payment ? answer : undefined;
      },
      30_000,
      'a command to succeed once the event store is back',
      250,
    );
    expect(payloadOf(recovered, 'createPayment')?.errors).toEqual([]);
  }

  it('fails fast with SERVICE_UNAVAILABLE while the store is frozen, then recovers', async () => {
    const created = await mutate(api.url, keys.acmeAll.key, 'createPayment', createInput());
    const paymentId = payloadOf(created, 'createPayment')?.payment?.id;
    expect(paymentId).toBeDefined();
    store.process.kill('SIGSTOP');
    try {
      await expectRetryableRefusal(paymentId!);
      const ready = await fetch(`${api.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { failing: string[] }).failing).toContain('eventstore');
    } finally {
      store.process.kill('SIGCONT');
    }
    await expectRecovered();
  }, 90_000);

  it('fails fast while the store is dead, then recovers when it restarts', async () => {
    const created = await mutate(api.url, keys.acmeAll.key, 'createPayment', createInput());
    const paymentId = payloadOf(created, 'createPayment')?.payment?.id;
    expect(paymentId).toBeDefined();
    await store.kill();
    await expectRetryableRefusal(paymentId!);
    store = await store.restart();
    await expectRecovered();
    const ready = await fetch(`${api.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(200);
  }, 90_000);
});
