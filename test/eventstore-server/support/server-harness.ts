import { rm } from 'node:fs/promises';
import { EventStoreDBClient } from '@eventstore/db-client';
import {
  startEventStoreServer,
  type RunningEventStoreServer,
} from '../../../infra/eventstore-server/index.ts';
import { temporaryDirectory } from './test-helpers.ts';

export { collect, delay, failureOf, temporaryDirectory, uniqueStream } from './test-helpers.ts';

export interface Harness {
  server: RunningEventStoreServer;
  client: EventStoreDBClient;
  dataDirectory: string;
  stop(): Promise<void>;
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
