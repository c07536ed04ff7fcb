import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntakeThreads } from '../../api/webhooks/intake-threads.ts';
import { signatureHeader } from '../../api/webhooks/signature.ts';
import { loadCallback } from '../../infra/webhooks/inbox-store.ts';
import { startTestEventStore, type TestEventStore } from '../support/event-store.ts';
import { logger, simSecret } from './support.ts';

let store: TestEventStore;
let threads: IntakeThreads;

function request(id: string, secret = simSecret) {
  const body = JSON.stringify({
    id,
    type: 'payment.authorized',
    created: Math.floor(Date.now() / 1000),
    data: { providerPaymentId: `p_${id}`, amount: '100', currency: 'USD' },
  });
  return {
    provider: 'sim',
    signature: signatureHeader(secret, Math.floor(Date.now() / 1000), body),
    rawBody: Buffer.from(body),
    requestId: undefined,
  };
}

beforeAll(async () => {
  store = await startTestEventStore();
  threads = new IntakeThreads({
    threads: 2,
    eventStoreConnectionString: store.connectionString,
    secrets: new Map([['sim', [simSecret]]]),
    logger,
    logLevel: 'silent',
  });
});

afterAll(async () => {
  await threads?.close();
  await store?.stop();
});

describe('the intake on threads of its own', () => {
  it('stores a callback durably before it answers 202', async () => {
    const id = `evt_threads_${Date.now()}`;
    const answer = await threads.receive(request(id));
    expect(answer).toMatchObject({ status: 202, outcome: 'accepted' });
    expect((await loadCallback(store.eventStore, 'sim', id))?.status).toBe('received');
  });

  it('takes 10 concurrent deliveries of one callback, over both threads, exactly once', async () => {
    const id = `evt_threads_dup_${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => threads.receive(request(id))),
    );
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(1);
    expect(answers.filter((answer) => answer.outcome === 'duplicate')).toHaveLength(9);
    const stored = await store.eventStore.readStream(`webhook-sim-${id}`);
    expect(stored).toHaveLength(1);
  });

  it('answers each of many callbacks sent in one turn (batched to the threads) with its own outcome', async () => {
    const run = Date.now();
    // Sent in the same turn: they travel in batches; every other one is forged.
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        threads.receive(
          request(
            `evt_threads_batch_${run}_${index}`,
            index % 2 === 0 ? simSecret : 'forged-0123456789',
          ),
        ),
      ),
    );
    answers.forEach((answer, index) => {
      if (index % 2 === 0) {
        expect(answer).toMatchObject({
          status: 202,
          body: { providerEventId: `evt_threads_batch_${run}_${index}` },
        });
      } else {
        expect(answer).toMatchObject({ status: 400, outcome: 'rejected_signature' });
      }
    });
    expect(
      (await loadCallback(store.eventStore, 'sim', `evt_threads_batch_${run}_198`))?.status,
    ).toBe('received');
    expect(
      await loadCallback(store.eventStore, 'sim', `evt_threads_batch_${run}_199`),
    ).toBeUndefined();
  });

  it('refuses a forged callback and stores nothing', async () => {
    const id = `evt_threads_forged_${Date.now()}`;
    const answer = await threads.receive(request(id, 'another-secret-0123456789'));
    expect(answer).toMatchObject({ status: 400, outcome: 'rejected_signature' });
    expect(await loadCallback(store.eventStore, 'sim', id)).toBeUndefined();
  });

  it('answers 503 for what a dying thread held, and replaces the thread', async () => {
    // A crash from outside: the threads are private, reached here as a test only may.
    const { threads: running } = threads as unknown as { threads: { worker: Worker }[] };
    const id = `evt_threads_crash_${Date.now()}`;
    const inFlight = Promise.all([
      threads.receive(request(`${id}_a`)),
      threads.receive(request(`${id}_b`)),
    ]);
    await Promise.all(running.map((thread) => thread.worker.terminate()));
    for (const answer of await inFlight) expect([202, 503]).toContain(answer.status);
    let answer = await threads.receive(request(`${id}_after`));
    for (let attempt = 0; answer.status !== 202 && attempt < 100; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await threads.receive(request(`${id}_after`));
    }
    expect(answer).toMatchObject({ status: 202, outcome: 'accepted' });
  });

  it('answers 503 once closed (the provider delivers again)', async () => {
    await threads.close();
    const answer = await threads.receive(request(`evt_threads_closed_${Date.now()}`));
    expect(answer).toMatchObject({ status: 503 });
  });
});
