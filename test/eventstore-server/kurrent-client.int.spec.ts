import {
  BACKWARDS,
  END,
  jsonEvent,
  KurrentDBClient,
  NO_STREAM,
  START,
  streamNameFilter,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { spawnServer, waitForExit, type ChildServer } from './support/child-server.ts';
import { collect, failureOf, temporaryDirectory, uniqueStream } from './support/test-helpers.ts';

// Kurrent's reads go through a native Rust client with its own HTTP/2 stack: a second opinion on
// wire compatibility. The server runs as a child process: loading @eventstore/db-client's generated
// code in this process would overwrite the global protobuf names kurrent's own code relies on.
let server: ChildServer;
let dataDirectory: string;
let client: KurrentDBClient;
beforeAll(async () => {
  dataDirectory = await temporaryDirectory('esdb-kurrent-');
  server = await spawnServer(dataDirectory);
  client = KurrentDBClient.connectionString(
    server.connectionString.replace('esdb://', 'kurrentdb://'),
  );
});
afterAll(async () => {
  await client.dispose();
  server.process.kill('SIGTERM');
  await waitForExit(server.process);
  await rm(dataDirectory, { recursive: true, force: true });
});

const events = (count: number) =>
  Array.from({ length: count }, (_, index) => jsonEvent({ type: 'Kurrent', data: { index } }));

describe('@kurrent/kurrentdb-client 1.3.1', () => {
  it('appends with stream states and reports wrong expected versions', async () => {
    const stream = uniqueStream('kurrent');
    const result = await client.appendToStream(stream, events(3), { streamState: NO_STREAM });
    expect(result.nextExpectedRevision).toBe(2n);
    const error = await failureOf(() =>
      client.appendToStream(stream, events(1), { streamState: NO_STREAM }),
    );
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ streamName: stream });
  });

  it('reads streams forwards and backwards through the native bridge', async () => {
    const stream = uniqueStream('kurrent-read');
    await client.appendToStream(stream, events(5));
    const forwards = await collect(client.readStream(stream, { fromRevision: 1n, maxCount: 2 }));
    expect(forwards.map((resolved) => resolved.event?.revision)).toEqual([1n, 2n]);
    expect(forwards[0]?.event?.data).toEqual({ index: 1 });
    const backwards = await collect(
      client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
    );
    expect(backwards[0]?.event?.revision).toBe(4n);
    expect(
      await failureOf(() => collect(client.readStream(uniqueStream('kurrent-missing')))),
    ).toBeInstanceOf(StreamNotFoundError);
  });

  it('reads $all with a filter and subscribes', async () => {
    const prefix = uniqueStream('kurrent-all');
    await client.appendToStream(`${prefix}-1`, events(2));
    const filtered = await collect(
      client.readAll({ fromPosition: START, filter: streamNameFilter({ prefixes: [prefix] }) }),
    );
    expect(filtered.map((resolved) => resolved.event?.streamId)).toEqual([
      `${prefix}-1`,
      `${prefix}-1`,
    ]);
    const subscription = client.subscribeToStream(`${prefix}-1`);
    const received = [];
    for await (const resolved of subscription) {
      received.push(resolved);
      if (received.length === 2) break;
    }
    expect(received).toHaveLength(2);
  });

  it('sees tombstones as StreamDeletedError', async () => {
    const stream = uniqueStream('kurrent-tomb');
    await client.appendToStream(stream, events(1));
    await client.tombstoneStream(stream);
    expect(await failureOf(() => collect(client.readStream(stream)))).toBeInstanceOf(
      StreamDeletedError,
    );
    expect(await failureOf(() => client.appendToStream(stream, events(1)))).toBeInstanceOf(
      StreamDeletedError,
    );
  });
});
