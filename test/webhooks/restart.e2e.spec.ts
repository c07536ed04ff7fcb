import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROCESSOR_CHECKPOINT_STREAM,
  PROCESSOR_CHECKPOINTS_KEPT,
  readCheckpoint,
  writeCheckpoint,
} from '../../infra/webhooks/checkpoint.ts';
import { inboxStreamName } from '../../infra/webhooks/inbox-stream.ts';
import { loadCallback } from '../../infra/webhooks/inbox-store.ts';
import {
  createPayment,
  paymentState,
  postSim,
  startHarness,
  waitForStatus,
  type Harness,
} from './support.ts';

function capture(providerPaymentId: string, id: string) {
  return {
    id,
    type: 'payment.captured',
    created: Math.floor(Date.now() / 1000),
    data: { providerPaymentId, amount: '1200', currency: 'USD' },
  };
}

describe('processor restart', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('processes after a restart what was stored but not processed, and nothing twice', async () => {
    const suffix = Date.now().toString(36);
    const firstPayment = await createPayment(harness, `pi_first_${suffix}`, 1_200n);
    const secondPayment = await createPayment(harness, `pi_second_${suffix}`, 1_200n);

    const first = harness.startProcessor();
    await postSim(harness, capture(`pi_first_${suffix}`, `evt_first_${suffix}`));
    await waitForStatus(harness, 'sim', `evt_first_${suffix}`, ['processed']);
    await first.stop();
    const checkpoint = await readCheckpoint(harness.store.eventStore);
    expect(checkpoint).toBeTypeOf('bigint');

    // Acknowledged while no processor runs: the crash window between store and process.
    expect(
      (await postSim(harness, capture(`pi_second_${suffix}`, `evt_second_${suffix}`))).status,
    ).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      (await loadCallback(harness.store.eventStore, 'sim', `evt_second_${suffix}`))?.status,
    ).toBe('received');

    harness.startProcessor();
    await waitForStatus(harness, 'sim', `evt_second_${suffix}`, ['processed']);
    expect((await paymentState(harness, secondPayment)).capturedAmount).toBe(1_200n);
    expect((await paymentState(harness, firstPayment)).captures.size).toBe(1);
    const firstInbox = await harness.store.eventStore.readStream(
      inboxStreamName('sim', `evt_first_${suffix}`),
    );
    expect(firstInbox?.map((event) => event.type)).toEqual(['WebhookReceived', 'WebhookProcessed']);
  });

  it('keeps the checkpoint stream bounded: only the newest checkpoints stay readable', async () => {
    const processor = harness.startProcessor();
    await processor.stop();
    const store = harness.store.eventStore;
    const before = (await readCheckpoint(store)) ?? 0n;
    for (let step = 1n; step <= 25n; step += 1n) await writeCheckpoint(store, before + step);
    const kept = await store.readStream(PROCESSOR_CHECKPOINT_STREAM);
    expect(kept?.length).toBe(PROCESSOR_CHECKPOINTS_KEPT);
    expect(await readCheckpoint(store)).toBe(before + 25n);
    // A restart leaves the limit as it is rather than writing it again.
    const metastream = `$$${PROCESSOR_CHECKPOINT_STREAM}`;
    const metadataRevision = async () => (await store.readStream(metastream))?.at(-1)?.revision;
    const revisionBefore = await metadataRevision();
    expect(revisionBefore).toBeTypeOf('bigint');
    await harness.startProcessor().stop();
    expect(await metadataRevision()).toBe(revisionBefore);
  });
});
