import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { startEventStoreServer, type RunningEventStoreServer } from '../../../infra/eventstore-server/index.ts';

export interface Harness {
  server: RunningEventStoreServer;
  client: EventStoreDBClient;
  dataDirectory: string;
  stop(): Promise<void>;
}

export async function temporaryDirectory(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A server of its own (temp directory, free port) and an official client connected to it. */
export async function startHarness(): Promise<Harness> {
  const dataDirectory = await temporaryDirectory('esdb-test-');
  const server = await startEventStoreServer({ port: 0, dataDirectory });
  const client = EventStoreDBClient.connectionString(server.connectionString);
  return {
    server,
    client,
    dataDirectory,
    stop: async () => {
      await client.dispose();
      await server.close();
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}

let streamCounter = 0;

/** Every test owns its streams. */
export function uniqueStream(prefix = 'test'): string {
  streamCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${streamCounter}`;
}

export async function collect<T>(iterable: AsyncIterable<T>, limit = 100_000): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (items.length >= limit) break;
  }
  return items;
}

/** Resolves with the thrown error, or fails when nothing is thrown. */
export async function failureOf(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
