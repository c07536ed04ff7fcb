import type { EventStore } from '../../../infra/eventstore/event-store.ts';
import type { GeneratedStream } from '../../../projections/testing/ledger-events.ts';
import type { TestEventStore } from '../../support/event-store.ts';

/** Appends every stream (one append each, "no stream"), a few at a time; the highest position. */
export async function appendStreams(
  eventStore: EventStore,
  streams: readonly GeneratedStream[],
  concurrency = 16,
): Promise<bigint> {
  let highest = 0n;
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < streams.length; index = next++) {
      const stream = streams[index];
      if (!stream) continue;
      const result = await eventStore.append(stream.stream, stream.events, 'no_stream');
      if (result.position > highest) highest = result.position;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return highest;
}

/** Stops the test store without letting a slow shutdown fail the file. */
export async function stopQuietly(store: TestEventStore | undefined, timeoutMs = 5_000) {
  if (!store) return;
  await Promise.race([
    store.stop().catch(() => undefined),
    new Promise((resolveWait) => setTimeout(resolveWait, timeoutMs)),
  ]);
}

export async function eventually<Value>(
  probe: () => Promise<Value | undefined>,
  timeoutMs: number,
  what: string,
): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 10_000; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) break;
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
