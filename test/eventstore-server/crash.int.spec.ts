import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, waitForExit } from './support/child-server.ts';
import { collect, delay, temporaryDirectory } from './support/server-harness.ts';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0))
    await rm(directory, { recursive: true, force: true });
});

async function freshDirectory(): Promise<string> {
  const directory = await temporaryDirectory('esdb-crash-');
  directories.push(directory);
  return directory;
}

const writers = 8;

/** Appends from several writers until the server dies; returns what was acknowledged. */
async function appendUntilDeath(client: EventStoreDBClient): Promise<Map<string, number>> {
  const acknowledged = new Map<string, number>();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const stream = `crash-${writer}`;
      for (let index = 0; index < 100_000; index += 1) {
        try {
          const result = await client.appendToStream(stream, [
            jsonEvent({ type: 'Acked', data: { index } }),
          ]);
          acknowledged.set(stream, Number(result.nextExpectedRevision) + 1);
        } catch {
          return;
        }
      }
    }),
  );
  return acknowledged;
}

describe('crash recovery with real processes', () => {
  it('keeps every acknowledged event after kill -9 during concurrent appends', async () => {
    const dataDirectory = await freshDirectory();
    const first = await spawnServer(dataDirectory);
    const client = EventStoreDBClient.connectionString(first.connectionString);
    const appending = appendUntilDeath(client);
    await delay(700);
    first.process.kill('SIGKILL');
    const acknowledged = await appending;
    await client.dispose();
    await waitForExit(first.process);

    const second = await spawnServer(dataDirectory);
    const reader = EventStoreDBClient.connectionString(second.connectionString);
    try {
      expect([...acknowledged.values()].reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
      for (const [stream, count] of acknowledged) {
        const events = await collect(reader.readStream(stream));
        expect(events.length).toBeGreaterThanOrEqual(count);
        expect(events.map((resolved) => resolved.event?.revision)).toEqual(
          events.map((_, index) => BigInt(index)),
        );
      }
      const last = await reader.appendToStream('after-restart', [
        jsonEvent({ type: 'Later', data: {} }),
      ]);
      const all = await collect(reader.readAll());
      const positions = all.map((resolved) => resolved.event?.position?.commit as bigint);
      expect(
        positions.every(
          (position, index) => index === 0 || position > (positions[index - 1] as bigint),
        ),
      ).toBe(true);
      expect(last.position?.commit).toBe(positions.at(-1));
    } finally {
      await reader.dispose();
      second.process.kill('SIGTERM');
      await waitForExit(second.process);
    }
  });

  it('recovers a log cut in the middle of a record to the last whole record, and stops cleanly', async () => {
    const dataDirectory = await freshDirectory();
    const first = await spawnServer(dataDirectory);
    const client = EventStoreDBClient.connectionString(first.connectionString);
    for (let index = 0; index < 5; index += 1) {
      await client.appendToStream('cut', [jsonEvent({ type: 'Whole', data: { index } })]);
    }
    await client.dispose();
    first.process.kill('SIGTERM');
    expect(await waitForExit(first.process)).toBe(0);
    const logPath = join(dataDirectory, 'events.log');
    const handle = await open(logPath, 'r+');
    await handle.truncate((await stat(logPath)).size - 10);
    await handle.close();

    const second = await spawnServer(dataDirectory);
    const reader = EventStoreDBClient.connectionString(second.connectionString);
    try {
      const events = await collect(reader.readStream('cut'));
      expect(events.map((resolved) => (resolved.event?.data as { index: number }).index)).toEqual([
        0, 1, 2, 3,
      ]);
      const next = await reader.appendToStream(
        'cut',
        [jsonEvent({ type: 'Whole', data: { index: 4 } })],
        { expectedRevision: 3n },
      );
      expect(next.nextExpectedRevision).toBe(4n);
      expect(second.readyLine).toMatch(/\(db .*, \d+ events\)$/);
    } finally {
      await reader.dispose();
      second.process.kill('SIGINT');
      await waitForExit(second.process);
    }
  });
});
