import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEventStoreServer } from '../../infra/eventstore-server/index.ts';
import { EventStore } from '../../infra/eventstore/event-store.ts';

export interface TestEventStore {
  connectionString: string;
  eventStore: EventStore;
  stop(): Promise<void>;
}

/** A real embedded event-store server of its own (free port, temporary directory) and a client. */
export async function startTestEventStore(): Promise<TestEventStore> {
  const directory = await mkdtemp(join(tmpdir(), 'ledger-test-esdb-'));
  const server = await startEventStoreServer({ port: 0, dataDirectory: directory });
  const eventStore = EventStore.connect(server.connectionString);
  return {
    connectionString: server.connectionString,
    eventStore,
    stop: async () => {
      await eventStore.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
