import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEventStore, type TestEventStore } from '../support/event-store.ts';

let store: TestEventStore;
beforeAll(async () => {
  store = await startTestEventStore();
  await store.eventStore.append(
    `calls-${randomUUID()}`,
    [{ id: randomUUID(), type: 'Counted', data: { index: 1 }, metadata: {} }],
    'no_stream',
  );
});
afterAll(async () => store.stop());

/** Lets the client's stream bookkeeping (finished callbacks, cancellations) run. */
async function settled(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  return store.eventStore.openCallCount();
}

/**
 * Every read must end its gRPC call. A read left half-consumed stays registered in the client
 * with its buffered answer until the connection closes: the service's memory grew by one call
 * per idle projection per second that way (headPosition returned from inside its loop).
 */
describe('the event-store gateway leaves no call open', () => {
  it('after many head reads, stream reads, missing streams and $all pages', async () => {
    const { eventStore } = store;
    await eventStore.headPosition();
    const before = await settled();
    expect(before).toBeGreaterThanOrEqual(0);
    for (let round = 0; round < 50; round += 1) {
      await eventStore.headPosition();
      await eventStore.readStream(`missing-${randomUUID()}`);
      await eventStore.readStream(`missing-${randomUUID()}`, { backwards: true, maxCount: 1 });
      await eventStore.readAllPage(undefined, 1);
    }
    expect(await settled()).toBe(before);
  });

  it('after reads given up on at their deadline', async () => {
    const { eventStore } = store;
    const before = await settled();
    for (let round = 0; round < 20; round += 1) {
      // A deadline of 0 ms gives up before the answer comes: the abandoned path.
      await eventStore.headPosition(0).catch(() => undefined);
      await eventStore.readAllPage(undefined, 10, 0).catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await settled()).toBe(before);
  });
});
