import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentStreamName } from '../../domain/payment/events.ts';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  makeKeys,
  mutate,
  payloadOf,
  readAllEvents,
  type MutationName,
  type MutationPayload,
} from './support/client.ts';
import {
  delay,
  removeDirectory,
  startApiProcess,
  startEventStoreProcess,
  temporaryDirectory,
  waitUntil,
  type ApiProcess,
  type EventStoreProcess,
} from './support/processes.ts';

interface Command {
  name: MutationName;
  input: Record<string, unknown>;
  /** The payload of the first answer, when the client got one before the crash. */
  first?: MutationPayload;
}

const workers = 6;
const paymentsPerWorkerMax = 200;

/**
 * kill -9 of the API process while clients send commands with idempotency keys; the event store
 * runs as its own process and survives. Afterwards every acknowledged command is in the store,
 * a retry with the same key returns the first payload, and nothing took effect twice.
 */
describe('kill -9 of the API during load', () => {
  const { keys, configuration } = makeKeys();
  let database: TestDatabase;
  let store: EventStoreProcess;
  let dataDirectory: string;
  let api: ApiProcess | undefined;

  beforeAll(async () => {
    dataDirectory = await temporaryDirectory('ledger-reliability-api-');
    [database, store] = await Promise.all([createTestDatabase(), startEventStoreProcess()]);
  });

  afterAll(async () => {
    await api?.kill();
    await store?.stop();
    await database?.drop();
    await removeDirectory(dataDirectory);
  });

  function start(): Promise<ApiProcess> {
    return startApiProcess({
      dataDirectory,
      databaseUrl: database.url,
      eventStoreConnectionString: store.connectionString,
      apiKeys: configuration,
    });
  }

  /** One payment's life, command by command; stops at the first command without an answer. */
  async function paymentLife(url: string, commands: Command[], alive: () => boolean) {
    const send = async (name: MutationName, input: Record<string, unknown>) => {
      const command: Command = { name, input };
      commands.push(command);
      try {
        const answer = await mutate(url, keys.acmeAll.key, name, input, 20_000);
        const payload = payloadOf(answer, name);
        if (answer.status !== 200 || !payload) return undefined;
        command.first = payload;
        return payload;
      } catch {
        return undefined; // the connection died with the process: outcome unknown
      }
    };
    const created = await send('createPayment', {
      idempotencyKey: randomUUID(),
      amount: { amount: '1000', currency: 'USD' },
      reference: `crash-${randomUUID()}`,
    });
    const paymentId = created?.payment?.id;
    if (!paymentId || !alive()) return false;
    const steps: [MutationName, Record<string, unknown>][] = [
      ['authorizePayment', { paymentId }],
      ['capturePayment', { paymentId, amount: { amount: '600', currency: 'USD' } }],
      ['refundPayment', { paymentId, amount: { amount: '100', currency: 'USD' } }],
      ['refundPayment', { paymentId, amount: { amount: '150', currency: 'USD' } }],
    ];
    for (const [name, input] of steps) {
      if (!alive()) return false;
      const payload = await send(name, { ...input, idempotencyKey: randomUUID() });
      if (!payload) return false;
      expect(payload.errors).toEqual([]);
    }
    return true;
  }

  it('keeps every acknowledged command, replays first results, applies nothing twice', async () => {
    const first = await start();
    api = first;
    const commands: Command[] = [];
    let killed = false;
    const load = Promise.all(
      Array.from({ length: workers }, async () => {
        for (let index = 0; index < paymentsPerWorkerMax && !killed; index += 1) {
          if (!(await paymentLife(first.url, commands, () => !killed))) return;
        }
      }),
    );
    await waitUntil(
      async () => (commands.filter((command) => command.first).length >= 40 ? true : undefined),
      30_000,
      'some acknowledged commands',
      20,
    );
    await delay(200);
    const inFlight = commands.filter((command) => !command.first).length;
    await first.kill('SIGKILL');
    killed = true;
    await load;
    expect(inFlight).toBeGreaterThan(0);

    const second = await start();
    api = second;
    const acknowledged = commands.filter((command) => command.first);
    const unknown = commands.filter((command) => !command.first);
    // Every client retries with its key: acknowledged ones get the first payload byte for byte,
    // the ones cut off by the crash are completed once.
    const retried = await Promise.all(
      commands.map(async (command) => {
        const answer = await mutate(second.url, keys.acmeAll.key, command.name, command.input);
        expect(answer.status).toBe(200);
        const payload = payloadOf(answer, command.name);
        expect(payload, JSON.stringify(answer.body)).toBeDefined();
        if (command.first) expect(payload).toEqual(command.first);
        else expect(payload?.errors).toEqual([]);
        return { command, payload: payload! };
      }),
    );
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    expect(unknown.length).toBe(inFlight);

    const reader = EventStore.connect(store.connectionString);
    try {
      const events = await readAllEvents(reader);
      const ofType = (type: string) => events.filter((event) => event.type === type);
      const paymentIds = new Set(
        retried
          .filter(({ command }) => command.name === 'createPayment')
          .map(({ payload }) => payload.payment!.id),
      );
      const count = (name: MutationName) =>
        commands.filter((command) => command.name === name).length;
      // One payment per create key: no duplicate payment, none lost.
      expect(paymentIds.size).toBe(count('createPayment'));
      const initiated = ofType('PaymentInitiated').map((event) => String(event.data.paymentId));
      expect(initiated.sort()).toEqual([...paymentIds].sort());
      expect(ofType('PaymentAuthorized')).toHaveLength(count('authorizePayment'));
      expect(ofType('PaymentCaptured')).toHaveLength(count('capturePayment'));
      const refundIds = retried
        .filter(({ command }) => command.name === 'refundPayment')
        .map(({ payload }) => payload.refund!.id);
      expect(new Set(refundIds).size).toBe(count('refundPayment'));
      const requested = ofType('RefundRequested').map((event) => String(event.data.refundId));
      expect(requested.sort()).toEqual([...refundIds].sort());
      // Every acknowledged command is durable: its payment stream holds its effect.
      for (const { command, payload } of retried) {
        if (!command.first) continue;
        const name = paymentStreamName(payload.payment!.id);
        const stream = events.filter((event) => event.stream === name);
        expect(BigInt(stream.length)).toBeGreaterThanOrEqual(
          BigInt((command.first.payment as { revision?: string } | null)?.revision ?? '0') + 1n,
        );
      }
    } finally {
      await reader.close();
    }
  }, 150_000);
});
