import { randomUUID } from 'node:crypto';
import {
  ANY,
  DeadlineExceededError,
  jsonEvent,
  MaxAppendSizeExceededError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
} from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
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

function event(index: number, id: string = randomUUID()) {
  return jsonEvent({ id, type: 'Tested', data: { index } });
}

// Per-call credentials force the client-streaming Append; without them the client uses BatchAppend.
const paths = [
  { name: 'BatchAppend', options: {} },
  { name: 'Append', options: { credentials: { username: 'admin', password: 'changeit' } } },
] as const;

describe.each(paths)('appends through $name', ({ options }) => {
  const append = (
    stream: string,
    events: ReturnType<typeof event>[],
    expectedRevision: AppendExpectedRevision,
  ) => harness.client.appendToStream(stream, events, { ...options, expectedRevision });

  it('accepts every expected-revision kind when it holds', async () => {
    const stream = uniqueStream();
    expect((await append(stream, [event(0)], NO_STREAM)).nextExpectedRevision).toBe(0n);
    expect((await append(stream, [event(1)], 0n)).nextExpectedRevision).toBe(1n);
    expect((await append(stream, [event(2)], STREAM_EXISTS)).nextExpectedRevision).toBe(2n);
    const result = await append(stream, [event(3), event(4)], ANY);
    expect(result.nextExpectedRevision).toBe(4n);
    const events = await collect(harness.client.readStream(stream));
    expect(events.map((resolved) => resolved.event?.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(events[4]?.event?.position).toEqual(result.position);
  });

  it('reports wrong expected versions with their fields', async () => {
    const stream = uniqueStream();
    const onNew = await failureOf(() => append(stream, [event(0)], STREAM_EXISTS));
    expect(onNew).toBeInstanceOf(WrongExpectedVersionError);
    expect(onNew).toMatchObject({
      streamName: stream,
      expectedVersion: 'stream_exists',
      actualVersion: 'no_stream',
    });
    await append(stream, [event(0), event(1)], NO_STREAM);
    expect(await failureOf(() => append(stream, [event(2)], NO_STREAM))).toMatchObject({
      streamName: stream,
      expectedVersion: 'no_stream',
      actualVersion: 1n,
    });
    expect(await failureOf(() => append(stream, [event(2)], 5n))).toMatchObject({
      expectedVersion: 5n,
      actualVersion: 1n,
    });
  });

  it('treats a retry of the same events as success without duplicates', async () => {
    const stream = uniqueStream();
    const batch = [event(0), event(1), event(2)];
    const first = await append(stream, batch, NO_STREAM);
    const retriedExact = await append(stream, batch, NO_STREAM);
    const retriedAny = await append(stream, batch, ANY);
    expect(retriedExact).toEqual(first);
    expect(retriedAny).toEqual(first);
    expect(await collect(harness.client.readStream(stream))).toHaveLength(3);
    const partial = [batch[1] as ReturnType<typeof event>, event(9)];
    expect(await failureOf(() => append(stream, partial, ANY))).toBeInstanceOf(
      WrongExpectedVersionError,
    );
  });
});

describe('append limits and deadlines', () => {
  it('refuses appends over the maximum append size', async () => {
    const big = jsonEvent({ type: 'Big', data: { text: 'x'.repeat(1_100_000) } });
    const error = await failureOf(() => harness.client.appendToStream(uniqueStream(), [big]));
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
  });

  it('answers an expired BatchAppend deadline with DeadlineExceededError and writes nothing', async () => {
    // The client sends an absolute deadline (now + deadline). A deadline already in the past when
    // the request arrives must be refused whatever the disk's speed; a deadline of a millisecond
    // or two would race a fast fsync, as it does on the real server.
    const stream = uniqueStream();
    const error = await failureOf(() =>
      harness.client.appendToStream(stream, [event(0)], { deadline: -1_000 }),
    );
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(await failureOf(() => collect(harness.client.readStream(stream)))).toBeInstanceOf(
      StreamNotFoundError,
    );
  });

  it('serialises 1000 parallel appends to one stream into contiguous revisions', async () => {
    const stream = uniqueStream();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, index) =>
        harness.client.appendToStream(stream, [event(index)]),
      ),
    );
    const revisions = results
      .map((result) => result.nextExpectedRevision)
      .sort((a, b) => (a < b ? -1 : 1));
    expect(revisions).toEqual(Array.from({ length: 1000 }, (_, index) => BigInt(index)));
    const events = await collect(harness.client.readStream(stream));
    expect(events).toHaveLength(1000);
  });

  it('keeps the data of binary and JSON events and their metadata', async () => {
    const stream = uniqueStream();
    await harness.client.appendToStream(stream, [
      jsonEvent({ type: 'Json', data: { amount: '100' }, metadata: { correlation: 'c-1' } }),
      {
        id: randomUUID(),
        type: 'Binary',
        contentType: 'application/octet-stream',
        data: new Uint8Array([1, 2, 3]),
      },
    ] as never);
    const [json, binary] = await collect(harness.client.readStream(stream));
    expect(json?.event).toMatchObject({
      type: 'Json',
      data: { amount: '100' },
      metadata: { correlation: 'c-1' },
      isJson: true,
    });
    expect(binary?.event?.isJson).toBe(false);
    expect(Array.from(binary?.event?.data as Uint8Array)).toEqual([1, 2, 3]);
  });
});
