import { startEventStoreProcess } from './test/reliability/support/processes.ts';
import { EventStore } from './infra/eventstore/event-store.ts';
const store = await startEventStoreProcess();
const es = EventStore.connect(store.connectionString);
await es.append('s-1', [{ id: crypto.randomUUID(), type: 'X', data: {}, metadata: {} }], 'any');
store.process.kill('SIGSTOP');
for (const name of ['append', 'read', 'head']) {
  const t = Date.now();
  try {
    if (name === 'append') await es.append('s-1', [{ id: crypto.randomUUID(), type: 'X', data: {}, metadata: {} }], 'any');
    if (name === 'read') await es.readStream('s-1');
    if (name === 'head') await es.headPosition();
    console.log(name, 'ok', Date.now() - t);
  } catch (e) { console.log(name, 'err', Date.now() - t, (e as Error).name, (e as Error).message); }
}
store.process.kill('SIGCONT');
await es.close(); await store.stop();
