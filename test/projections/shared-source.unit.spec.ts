import { describe, expect, it } from 'vitest';
import type {
  StoredEvent,
  SubscribeToAllOptions,
  SubscriptionMessage,
} from '../../infra/eventstore/event-store.ts';
import type { ProjectionEventSource } from '../../projections/core/event-source.ts';
import { SubscriptionDetachedError } from '../../projections/runner/shared-feed.ts';
import { SharedEventSource } from '../../projections/runner/shared-source.ts';
import {
  generateLedger,
  interleave,
  seededRandom,
} from '../../projections/testing/ledger-events.ts';
import { MemoryEventSource } from '../../projections/testing/memory-event-source.ts';

const ledger = interleave(generateLedger(7, 700), seededRandom(8));

/** The upstream `$all`, counting the subscriptions made to it. */
function countingSource(events: readonly StoredEvent[]) {
  const memory = new MemoryEventSource(events);
  const source: ProjectionEventSource & { subscriptions: number } = {
    subscriptions: 0,
    headPosition: () => memory.headPosition(),
    readAllPage: (from, maxCount) => memory.readAllPage(from, maxCount),
    subscribeToAll(options) {
      source.subscriptions += 1;
      return memory.subscribeToAll(options);
    },
  };
  return source;
}

function shared(upstream: ProjectionEventSource, overrides: Partial<SharedOptions> = {}) {
  return new SharedEventSource(upstream, {
    expectedSubscribers: 3,
    gatherMs: 200,
    bufferMessagesMax: 400,
    stallTimeoutMs: 5_000,
    checkpointIntervalEvents: 16,
    shareWindowEvents: 1_000,
    ...overrides,
  });
}
type SharedOptions = ConstructorParameters<typeof SharedEventSource>[1];

interface Seen {
  events: StoredEvent[];
  checkpoints: bigint[];
}

/** Reads a subscription until it reports it caught up (bounded). */
async function readUntilCaughtUp(messages: AsyncGenerator<SubscriptionMessage>): Promise<Seen> {
  const seen: Seen = { events: [], checkpoints: [] };
  for (let count = 0; count < 100_000; count += 1) {
    const next = await messages.next();
    if (next.done || next.value.kind === 'caughtUp') break;
    if (next.value.kind === 'event') seen.events.push(next.value.event);
    else seen.checkpoints.push(next.value.position);
  }
  await messages.return(undefined);
  return seen;
}

function positions(seen: Seen): bigint[] {
  return [...seen.events.map((event) => event.position), ...seen.checkpoints];
}

/** What the store itself delivers to a subscription of its own. */
async function alone(options: SubscribeToAllOptions): Promise<StoredEvent[]> {
  return (await readUntilCaughtUp(new MemoryEventSource(ledger).subscribeToAll(options))).events;
}

const at = (index: number) => (ledger[index] as StoredEvent).position;

describe('SharedEventSource (one $all subscription for the runners of a process)', () => {
  it('gives each subscriber exactly the events its own subscription would, from one read', async () => {
    const upstream = countingSource(ledger);
    const source = shared(upstream);
    const subscriptions: SubscribeToAllOptions[] = [
      { eventTypePrefixes: ['Payment', 'Refund', 'Dispute'] },
      { fromPosition: at(40), eventTypePrefixes: ['Webhook'] },
      { fromPosition: at(25), eventTypePrefixes: ['Refund'], checkpointIntervalEvents: 4 },
    ];
    const seen = await Promise.all(
      subscriptions.map((options) => readUntilCaughtUp(source.subscribeToAll(options))),
    );
    expect(upstream.subscriptions).toBe(1);
    for (const [index, options] of subscriptions.entries()) {
      const expected = await alone(options);
      expect(expected.length).toBeGreaterThan(10);
      expect(seen[index]?.events.map((event) => event.id)).toEqual(expected.map((e) => e.id));
      // Every position reported lies after the start, and none comes before one already seen.
      const reported = seen[index] as Seen;
      const from = options.fromPosition ?? 0n;
      expect(positions(reported).every((position) => position > from)).toBe(true);
      expect(reported.checkpoints).toEqual(
        [...reported.checkpoints].sort((a, b) => (a < b ? -1 : 1)),
      );
    }
    // A subscriber of rare types still hears how far the read has come.
    expect(seen[1]?.checkpoints.length).toBeGreaterThan(0);
  });

  it('detaches a subscriber that stops reading, and the others read on to the head', async () => {
    const upstream = countingSource(ledger);
    const source = shared(upstream, { bufferMessagesMax: 200, stallTimeoutMs: 300 });
    const stuck = source.subscribeToAll({ eventTypePrefixes: ['Payment'] });
    const reading = [
      readUntilCaughtUp(source.subscribeToAll({ eventTypePrefixes: ['Payment'] })),
      readUntilCaughtUp(source.subscribeToAll({ eventTypePrefixes: ['Webhook', 'Refund'] })),
    ];
    // It takes a few messages, then stalls (a projection stuck in a transaction).
    for (let index = 0; index < 5; index += 1) await stuck.next();
    const [payments, others] = await Promise.all(reading);
    expect(payments?.events.map((event) => event.id)).toEqual(
      (await alone({ eventTypePrefixes: ['Payment'] })).map((event) => event.id),
    );
    expect(others?.events.length).toBeGreaterThan(0);
    await expect(readUntilCaughtUp(stuck)).rejects.toBeInstanceOf(SubscriptionDetachedError);
    expect(upstream.subscriptions).toBe(1);
  });

  it('lets a subscriber far behind the others read on its own, so it holds no one back', async () => {
    const upstream = countingSource(ledger);
    const source = shared(upstream, { expectedSubscribers: 2, shareWindowEvents: 100 });
    const behind = { eventTypePrefixes: ['Payment'] };
    const ahead = { fromPosition: at(2_000), eventTypePrefixes: ['Payment'] };
    const [slow, fast] = await Promise.all([
      readUntilCaughtUp(source.subscribeToAll(behind)),
      readUntilCaughtUp(source.subscribeToAll(ahead)),
    ]);
    expect(upstream.subscriptions).toBe(2);
    expect(slow.events.map((event) => event.id)).toEqual((await alone(behind)).map((e) => e.id));
    expect(fast.events.map((event) => event.id)).toEqual((await alone(ahead)).map((e) => e.id));
  });

  it('takes a late subscriber on the running read only while it still holds its position', async () => {
    const upstream = countingSource(ledger);
    const source = shared(upstream, { expectedSubscribers: 1, bufferMessagesMax: 100 });
    const first = source.subscribeToAll({ eventTypePrefixes: ['Payment', 'Webhook'] });
    await first.next();
    // Still retained: the late one shares the read.
    const early = source.subscribeToAll({ fromPosition: at(0), eventTypePrefixes: ['Payment'] });
    const firstDone = readUntilCaughtUp(first);
    const earlySeen = await readUntilCaughtUp(early);
    await firstDone;
    expect(upstream.subscriptions).toBe(1);
    const fromStartOptions = { fromPosition: at(0), eventTypePrefixes: ['Payment'] };
    expect(earlySeen.events.map((event) => event.id)).toEqual(
      (await alone(fromStartOptions)).map((event) => event.id),
    );
    // The shared read has ended with its subscribers: a newcomer from the start reads afresh.
    const again = await readUntilCaughtUp(source.subscribeToAll(fromStartOptions));
    expect(again.events.length).toBe(earlySeen.events.length);
    expect(upstream.subscriptions).toBe(2);
  });

  it('sends a late subscriber whose position the read has dropped to a read of its own', async () => {
    const upstream = countingSource(ledger);
    const source = shared(upstream, { expectedSubscribers: 1, bufferMessagesMax: 100 });
    const first = source.subscribeToAll({ eventTypePrefixes: ['Payment', 'Webhook'] });
    // Far enough that the messages after at(700) are gone from the shared read.
    for (let index = 0; index < 1_000; index += 1) await first.next();
    const lateOptions = { fromPosition: at(700), eventTypePrefixes: ['Payment'] };
    const late = await readUntilCaughtUp(source.subscribeToAll(lateOptions));
    await first.return(undefined);
    expect(upstream.subscriptions).toBe(2);
    expect(late.events.map((event) => event.id)).toEqual(
      (await alone(lateOptions)).map((event) => event.id),
    );
  });
});
