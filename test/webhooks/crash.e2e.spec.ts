import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../api/webhooks/signature.ts';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { loadCallback } from '../../infra/webhooks/inbox-store.ts';
import { PaymentService } from '../../infra/write/payment-service.ts';
import {
  removeDirectory,
  startApiProcess,
  startEventStoreProcess,
  temporaryDirectory,
  waitUntil,
  type ApiProcess,
  type EventStoreProcess,
} from '../reliability/support/processes.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { merchantCaller, simSecret } from './support.ts';

const payments = 120;
// More at once than the intake's queueing threshold (16): the processor gives way during the
// burst, as in production, so the kill finds callbacks stored and not yet processed.
const inFlight = 32;
/** Acknowledgements after which the API is killed: mid-burst, callbacks still unprocessed. */
const killAfterAcks = 60;

function captureCallback(providerPaymentId: string) {
  return {
    id: `evt_${providerPaymentId}_captured`,
    type: 'payment.captured',
    created: Math.floor(Date.now() / 1000),
    data: { providerPaymentId, amount: '1500', currency: 'USD' },
  };
}

async function deliver(url: string, callback: object): Promise<number> {
  const body = JSON.stringify(callback);
  const response = await fetch(`${url}/webhooks/sim`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ledger-signature': signatureHeader(simSecret, Math.floor(Date.now() / 1000), body),
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * kill -9 of the service while callbacks arrive: what was acknowledged was stored, and what was
 * stored but not yet processed is processed after the restart, once, with redeliveries of every
 * callback (the provider retries what got no answer) changing nothing more.
 */
describe('kill -9 of the service between storing and processing callbacks', () => {
  let database: TestDatabase;
  let store: EventStoreProcess;
  let dataDirectory: string;
  let api: ApiProcess | undefined;
  let client: EventStore;

  beforeAll(async () => {
    dataDirectory = await temporaryDirectory('ledger-webhook-crash-');
    [database, store] = await Promise.all([createTestDatabase(), startEventStoreProcess()]);
    client = EventStore.connect(store.connectionString);
  });

  afterAll(async () => {
    await api?.kill();
    await client?.close();
    await store?.stop();
    await database?.drop();
    await removeDirectory(dataDirectory);
  });

  function start(): Promise<ApiProcess> {
    return startApiProcess({
      dataDirectory,
      databaseUrl: database.url,
      eventStoreConnectionString: store.connectionString,
      // The service needs a key configured; this test only talks to the webhook route.
      apiKeys: [
        { id: 'ops', key: 'crash-test-key-0123456789abcdef', tenant: '*', roles: ['read'] },
      ],
      environment: { WEBHOOK_SECRET_SIM: simSecret },
    });
  }

  it('processes every stored callback after the restart, and none twice', async () => {
    const service = new PaymentService(client);
    const suffix = Date.now().toString(36);
    const references = Array.from(
      { length: payments },
      (_, index) => `pi_crash_${suffix}_${index}`,
    );
    const paymentIds = new Map<string, string>();
    for (const reference of references) {
      const created = await service.createPayment(merchantCaller, {
        idempotencyKey: `create-${reference}`,
        amount: { amount: '1500', currency: 'USD' },
        providerPaymentId: reference,
      });
      paymentIds.set(reference, created.payment!.id);
    }
    api = await start();
    const running = api;
    const acknowledged: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < references.length && acknowledged.length < killAfterAcks) {
        const reference = references[next++]!;
        const status = await deliver(running.url, captureCallback(reference)).catch(() => 0);
        if (status === 202) acknowledged.push(reference);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    await running.kill('SIGKILL');

    const states = await Promise.all(
      acknowledged.map((reference) => loadCallback(client, 'sim', captureCallback(reference).id)),
    );
    // Every acknowledgement was durable; some were not processed yet: the window under test.
    expect(states.every((state) => state !== undefined)).toBe(true);
    expect(states.filter((state) => state?.status === 'received').length).toBeGreaterThan(0);

    api = await start();
    const restarted = api;
    const redeliveries = await Promise.all(
      references.map((reference) => deliver(restarted.url, captureCallback(reference))),
    );
    expect(redeliveries.every((status) => status === 200 || status === 202)).toBe(true);
    for (const reference of references) {
      const callbackId = captureCallback(reference).id;
      await waitUntil(
        async () =>
          (await loadCallback(client, 'sim', callbackId))?.status === 'processed'
            ? true
            : undefined,
        60_000,
        `${callbackId} to be processed`,
      );
      const payment = await service.loadForCommand('*', paymentIds.get(reference)!, {
        fresh: true,
      });
      expect(payment?.state.captures.size).toBe(1);
      expect(payment?.state.capturedAmount).toBe(1500n);
    }
  }, 240_000);
});
