import {
  BACKWARDS,
  END,
  jsonEvent,
  NO_STREAM,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { ResolvedEvent } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  delay,
  failureOf,
  startHarness,
  uniqueStream,
  type Harness,
} from './support/server-harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness.stop());

const events = (count: number) =>
  Array.from({ length: count }, (_, index) => jsonEvent({ type: 'Kept', data: { index } }));
const revisions = (resolved: ResolvedEvent[]) => resolved.map((item) => item.event?.revision);

describe('stream metadata', () => {
  it('honours $maxCount on reads and subscription catch-up', async () => {
    const stream = uniqueStream('meta');
    await harness.client.setStreamMetadata(stream, { maxCount: 2 });
    await harness.client.appendToStream(stream, events(20));
    expect(revisions(await collect(harness.client.readStream(stream)))).toEqual([18n, 19n]);
    const subscription = harness.client.subscribeToStream(stream);
    const caughtUp = new Promise<void>((resolve) => subscription.on('caughtUp', () => resolve()));
    const seen: ResolvedEvent[] = [];
    subscription.on('data', (item: ResolvedEvent) => seen.push(item));
    await caughtUp;
    await subscription.unsubscribe();
    expect(revisions(seen)).toEqual([18n, 19n]);
    const metadata = await harness.client.getStreamMetadata(stream);
    expect(metadata.metadata).toEqual({ maxCount: 2 });
  });

  it('honours $tb and $maxAge', async () => {
    const truncated = uniqueStream('tb');
    await harness.client.appendToStream(truncated, events(5));
    await harness.client.setStreamMetadata(truncated, { truncateBefore: 3 });
    expect(revisions(await collect(harness.client.readStream(truncated)))).toEqual([3n, 4n]);
    const aged = uniqueStream('age');
    await harness.client.appendToStream(aged, events(2));
    await harness.client.setStreamMetadata(aged, { maxAge: 1 });
    await delay(1_100);
    await harness.client.appendToStream(aged, events(1));
    expect(revisions(await collect(harness.client.readStream(aged)))).toEqual([2n]);
  });

  it('keeps only the latest metadata event visible in the metastream', async () => {
    const stream = uniqueStream('metastream');
    await harness.client.setStreamMetadata(stream, { maxCount: 5 });
    await harness.client.setStreamMetadata(stream, { maxCount: 6 });
    const visible = await collect(harness.client.readStream(`$$${stream}`));
    expect(visible.map((item) => item.event?.revision)).toEqual([1n]);
  });
});

describe('soft delete', () => {
  it('hides the stream, keeps it in $all, and re-creates it with continuing revisions', async () => {
    const stream = uniqueStream('soft');
    await harness.client.setStreamMetadata(stream, { custom: 'kept' } as never);
    await harness.client.appendToStream(stream, events(3));
    await harness.client.deleteStream(stream);
    expect(await failureOf(() => collect(harness.client.readStream(stream)))).toBeInstanceOf(
      StreamNotFoundError,
    );
    const inAll = (
      await collect(
        harness.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 20 }),
      )
    ).filter((item) => item.event?.streamId === stream);
    expect(inAll).toHaveLength(3);
    const recreated = await harness.client.appendToStream(stream, events(2), {
      expectedRevision: NO_STREAM,
    });
    expect(recreated.nextExpectedRevision).toBe(4n);
    expect(revisions(await collect(harness.client.readStream(stream)))).toEqual([3n, 4n]);
    const metadata = await harness.client.getStreamMetadata(stream);
    expect(metadata.metadata).toMatchObject({ truncateBefore: 3 });
  });

  it('refuses to delete a stream that never existed', async () => {
    const error = await failureOf(() => harness.client.deleteStream(uniqueStream('never')));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
  });

  it('checks the expected revision', async () => {
    const stream = uniqueStream('soft-wev');
    await harness.client.appendToStream(stream, events(2));
    const error = await failureOf(() =>
      harness.client.deleteStream(stream, { expectedRevision: 0n }),
    );
    expect(error).toMatchObject({ streamName: stream, expectedVersion: 0n, actualVersion: 1n });
  });
});

describe('tombstone', () => {
  it('refuses every later read, append, delete and metadata access', async () => {
    const stream = uniqueStream('tomb');
    await harness.client.appendToStream(stream, events(2));
    await harness.client.tombstoneStream(stream);
    const failures = [
      await failureOf(() => collect(harness.client.readStream(stream))),
      await failureOf(() => harness.client.appendToStream(stream, events(1))),
      await failureOf(() =>
        harness.client.appendToStream(stream, events(1), {
          credentials: { username: 'admin', password: 'changeit' },
        }),
      ),
      await failureOf(() => harness.client.deleteStream(stream)),
      await failureOf(() => harness.client.tombstoneStream(stream)),
      await failureOf(() => harness.client.getStreamMetadata(stream)),
    ];
    for (const failure of failures) expect(failure).toBeInstanceOf(StreamDeletedError);
    expect(failures[0]).toMatchObject({ streamName: stream });
  });

  it('can tombstone a stream that never existed', async () => {
    const stream = uniqueStream('tomb-new');
    await harness.client.tombstoneStream(stream, { expectedRevision: NO_STREAM });
    expect(await failureOf(() => collect(harness.client.readStream(stream)))).toBeInstanceOf(
      StreamDeletedError,
    );
  });
});
