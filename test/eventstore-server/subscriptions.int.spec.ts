import {
  END,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  START,
  streamNameFilter,
  StreamDeletedError,
} from '@eventstore/db-client';
import type { AllStreamResolvedEvent, Position, ResolvedEvent } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay, startHarness, uniqueStream, type Harness } from './support/server-harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness.stop());

const events = (count: number, type = 'Ticked') =>
  Array.from({ length: count }, (_, index) => jsonEvent({ type, data: { index } }));

/** Consumes a subscription until `count` events arrived, remembering when caughtUp came. */
async function take<T>(
  subscription: AsyncIterable<T> & {
    on(event: string, listener: () => void): unknown;
    unsubscribe(): Promise<void>;
  },
  count: number,
  onEach?: () => Promise<void>,
) {
  const received: T[] = [];
  let caughtUpAfter: number | undefined;
  subscription.on('caughtUp', () => {
    caughtUpAfter ??= received.length;
  });
  for await (const item of subscription) {
    received.push(item);
    if (onEach) await onEach();
    if (received.length >= count) break;
  }
  await subscription.unsubscribe();
  return { received, caughtUpAfter };
}

describe('stream subscriptions', () => {
  it('starts after fromRevision, signals caughtUp, then goes live', async () => {
    const stream = uniqueStream('sub');
    await harness.client.appendToStream(stream, events(4));
    const subscription = harness.client.subscribeToStream(stream, { fromRevision: 2n });
    const caughtUp = new Promise<void>((resolve) => subscription.on('caughtUp', () => resolve()));
    const consumed = take(subscription, 3);
    await caughtUp;
    await harness.client.appendToStream(stream, events(2));
    const { received, caughtUpAfter } = await consumed;
    expect(received.map((resolved: ResolvedEvent) => resolved.event?.revision)).toEqual([
      3n,
      4n,
      5n,
    ]);
    expect(caughtUpAfter).toBe(1);
  });

  it('waits on a missing stream and delivers it once written; END skips history', async () => {
    const stream = uniqueStream('sub-later');
    const fromStart = harness.client.subscribeToStream(stream);
    await harness.client.appendToStream(uniqueStream('other'), events(1));
    const fromEnd = harness.client.subscribeToStream(stream, { fromRevision: END });
    await delay(50);
    await harness.client.appendToStream(stream, events(2));
    expect((await take(fromStart, 2)).received).toHaveLength(2);
    expect(
      (await take(fromEnd, 2)).received.map((resolved: ResolvedEvent) => resolved.event?.revision),
    ).toEqual([0n, 1n]);
  });

  it('has no gap or duplicate across the catch-up to live switch, with a slow consumer', async () => {
    const stream = uniqueStream('switch');
    await harness.client.appendToStream(stream, events(150));
    const subscription = harness.client.subscribeToStream(stream, { fromRevision: START });
    const writer = (async () => {
      for (let batch = 0; batch < 15; batch += 1)
        await harness.client.appendToStream(stream, events(10));
    })();
    const { received } = await take(subscription, 300, () => delay(1));
    await writer;
    expect(received.map((resolved: ResolvedEvent) => resolved.event?.revision)).toEqual(
      Array.from({ length: 300 }, (_, index) => BigInt(index)),
    );
  });

  it('delivers the tombstone and then fails with StreamDeletedError', async () => {
    const stream = uniqueStream('sub-tomb');
    await harness.client.appendToStream(stream, events(1));
    const subscription = harness.client.subscribeToStream(stream);
    const seen: string[] = [];
    const failure = new Promise<unknown>((resolve) => subscription.on('error', resolve));
    subscription.on('data', (resolved: ResolvedEvent) => seen.push(resolved.event?.type ?? ''));
    await delay(50);
    await harness.client.tombstoneStream(stream);
    expect(await failure).toBeInstanceOf(StreamDeletedError);
    expect(seen).toEqual(['Ticked', '$streamDeleted']);
  });
});

describe('$all subscriptions', () => {
  it('filters by stream prefix and by event type regex', async () => {
    const prefix = uniqueStream('pfx');
    const type = `Type${Date.now()}`;
    const byStream = harness.client.subscribeToAll({
      filter: streamNameFilter({ prefixes: [prefix] }),
    });
    const byType = harness.client.subscribeToAll({
      filter: eventTypeFilter({ regex: `^${type}$` }),
    });
    await harness.client.appendToStream(`${prefix}-a`, events(2));
    await harness.client.appendToStream(uniqueStream('elsewhere'), events(2, type));
    const streams = (await take(byStream, 2)).received.map(
      (resolved: AllStreamResolvedEvent) => resolved.event?.streamId,
    );
    expect(streams).toEqual([`${prefix}-a`, `${prefix}-a`]);
    const types = (await take(byType, 2)).received.map(
      (resolved: AllStreamResolvedEvent) => resolved.event?.type,
    );
    expect(types).toEqual([type, type]);
  });

  it('excludes system events and is exclusive of fromPosition', async () => {
    const stream = uniqueStream('excl');
    await harness.client.appendToStream(stream, events(3));
    const userEvents = await take(
      harness.client.subscribeToAll({ filter: excludeSystemEvents() }),
      5,
    );
    expect(
      userEvents.received.some((resolved: AllStreamResolvedEvent) =>
        resolved.event?.type.startsWith('$'),
      ),
    ).toBe(false);
    const all = await take(harness.client.subscribeToAll({ fromPosition: START }), 3);
    expect(
      all.received.every((resolved: AllStreamResolvedEvent) =>
        resolved.event?.type.startsWith('$'),
      ),
    ).toBe(true);
    const first = await take(
      harness.client.subscribeToAll({ filter: streamNameFilter({ prefixes: [stream] }) }),
      1,
    );
    const from = (first.received[0] as AllStreamResolvedEvent).event?.position as Position;
    const after = await take(
      harness.client.subscribeToAll({
        fromPosition: from,
        filter: streamNameFilter({ prefixes: [stream] }),
      }),
      2,
    );
    expect(
      after.received.map((resolved: AllStreamResolvedEvent) => resolved.event?.revision),
    ).toEqual([1n, 2n]);
  });

  it('sends checkpoints at the interval, resumable, and before caughtUp', async () => {
    const prefix = uniqueStream('chk');
    const checkpoints: Position[] = [];
    const subscription = harness.client.subscribeToAll({
      fromPosition: END,
      filter: streamNameFilter({
        prefixes: [prefix],
        checkpointInterval: 2,
        checkpointReached: (_sub, position) => void checkpoints.push(position),
      }),
    });
    await new Promise<void>((resolve) => subscription.on('caughtUp', () => resolve()));
    const atCaughtUp = checkpoints.length;
    for (let batch = 0; batch < 4; batch += 1)
      await harness.client.appendToStream(`${prefix}-${batch}`, events(96));
    let received = 0;
    subscription.on('data', () => {
      received += 1;
    });
    // The checkpoint for the last interval follows the events it covers.
    for (
      let attempt = 0;
      attempt < 500 && (received < 384 || checkpoints.length < atCaughtUp + 6);
      attempt += 1
    ) {
      await delay(10);
    }
    await subscription.unsubscribe();
    expect(received).toBe(384);
    expect(atCaughtUp).toBe(1);
    expect(checkpoints.length - atCaughtUp).toBeGreaterThanOrEqual(6);
    expect(checkpoints.length - atCaughtUp).toBeLessThanOrEqual(7);
    const commits = checkpoints.map((position) => position.commit);
    expect([...commits].sort((a, b) => (a < b ? -1 : 1))).toEqual(commits);
  });
});
