import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  jsonEvent,
  START,
  StreamNotFoundError,
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
let stream: string;
beforeAll(async () => {
  harness = await startHarness();
  stream = uniqueStream('read');
  await harness.client.appendToStream(
    stream,
    Array.from({ length: 10 }, (_, index) => jsonEvent({ type: 'Counted', data: { index } })),
  );
});
afterAll(async () => harness.stop());

const revisionsOf = (events: { event?: { revision: bigint } }[]) =>
  events.map((resolved) => resolved.event?.revision);

describe('stream reads', () => {
  it('reads forwards inclusive of fromRevision, with a count', async () => {
    const events = await collect(
      harness.client.readStream(stream, { fromRevision: 3n, maxCount: 4 }),
    );
    expect(revisionsOf(events)).toEqual([3n, 4n, 5n, 6n]);
  });

  it('reads backwards from the end and from a revision', async () => {
    expect(
      revisionsOf(
        await collect(
          harness.client.readStream(stream, {
            direction: BACKWARDS,
            fromRevision: END,
            maxCount: 3,
          }),
        ),
      ),
    ).toEqual([9n, 8n, 7n]);
    expect(
      revisionsOf(
        await collect(
          harness.client.readStream(stream, { direction: BACKWARDS, fromRevision: 2n }),
        ),
      ),
    ).toEqual([2n, 1n, 0n]);
  });

  it('returns nothing past the end and from END forwards', async () => {
    expect(await collect(harness.client.readStream(stream, { fromRevision: 50n }))).toEqual([]);
    expect(await collect(harness.client.readStream(stream, { fromRevision: END }))).toEqual([]);
  });

  it('reports a missing stream as StreamNotFoundError', async () => {
    const error = await failureOf(() =>
      collect(harness.client.readStream(uniqueStream('missing'))),
    );
    expect(error).toBeInstanceOf(StreamNotFoundError);
  });

  it('gives stream events the same positions as $all', async () => {
    const fromStream = await collect(harness.client.readStream(stream));
    const fromAll = (await collect(harness.client.readAll())).filter(
      (resolved) => resolved.event?.streamId === stream,
    );
    expect(fromAll.map((resolved) => resolved.event?.position)).toEqual(
      fromStream.map((resolved) => resolved.event?.position),
    );
    const positions = fromAll.map((resolved) => resolved.event?.position?.commit as bigint);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
  });
});

describe('$all reads', () => {
  it('starts with system events and ends with ours', async () => {
    const all = await collect(harness.client.readAll({ fromPosition: START }));
    expect(all.length).toBeGreaterThan(8);
    expect(all[0]?.event?.type.startsWith('$')).toBe(true);
    const backwards = await collect(
      harness.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 }),
    );
    expect(backwards.map((resolved) => resolved.event?.streamId)).toEqual([
      all.at(-1)?.event?.streamId,
      all.at(-2)?.event?.streamId,
    ]);
  });

  it('is inclusive forwards and exclusive backwards from a position', async () => {
    const events = await collect(harness.client.readStream(stream));
    const middle = events[5]?.event?.position;
    if (!middle) throw new Error('no position');
    const forwards = await collect(harness.client.readAll({ fromPosition: middle, maxCount: 1 }));
    expect(forwards[0]?.event?.revision).toBe(5n);
    const backwards = await collect(
      harness.client.readAll({ fromPosition: middle, direction: BACKWARDS, maxCount: 1 }),
    );
    expect(backwards[0]?.event?.revision).toBe(4n);
  });

  it('resolves $> links when asked', async () => {
    const links = uniqueStream('links');
    await harness.client.appendToStream(links, [
      {
        id: randomUUID(),
        type: '$>',
        contentType: 'application/octet-stream',
        data: Buffer.from(`2@${stream}`),
      },
    ] as never);
    const [resolved] = await collect(harness.client.readStream(links, { resolveLinkTos: true }));
    expect(resolved?.event?.streamId).toBe(stream);
    expect(resolved?.event?.revision).toBe(2n);
    expect(resolved?.link?.streamId).toBe(links);
  });

  it('answers gossip for discovery connection strings', async () => {
    const port = harness.server.port;
    const discovering = EventStoreDBClient.connectionString(
      `esdb+discover://127.0.0.1:${port}?tls=false`,
    );
    try {
      const events = await collect(discovering.readStream(stream, { maxCount: 1 }));
      expect(events).toHaveLength(1);
    } finally {
      await discovering.dispose();
    }
  });
});
