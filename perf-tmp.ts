import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { startEventStoreServer } from './infra/eventstore-server/index.ts';
const server = await startEventStoreServer({ port: 0, dataDirectory: '/tmp/esdbtest/perf-' + Date.now() });
const client = EventStoreDBClient.connectionString(server.connectionString);
await client.appendToStream('warm', [jsonEvent({ type: 'A', data: {} })]);
for (const n of [1000, 1000, 4000]) {
  const t = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => client.appendToStream('s', [jsonEvent({ type: 'A', data: { i } })])));
  console.log(n, 'parallel ms', performance.now() - t);
}
const t2 = performance.now();
for (let i = 0; i < 300; i++) await client.appendToStream('q', [jsonEvent({ type: 'A', data: { i } })]);
console.log('300 sequential ms', performance.now() - t2);
await client.dispose(); await server.close();
