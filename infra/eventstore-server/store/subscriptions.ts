import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { StreamIndex, type StreamState } from '../storage/stream-index.ts';
import type { EventStore } from './event-store.ts';
import { FilterMatcher, type EventFilter } from './event-filter.ts';
import { PageBuilder } from './page-builder.ts';
import type { PositionedEvent } from './record-reader.ts';
import type { AllStart, StreamStart } from './read-positions.ts';
import { isTombstoned, visibleWindow } from './stream-reads.ts';

export type SubscriptionItem =
  | { kind: 'events'; events: PositionedEvent[] }
  | { kind: 'caught-up' }
  | { kind: 'checkpoint'; position: bigint };

/** Thrown out of a stream subscription once the stream is tombstoned. */
export class SubscriptionStreamDeleted extends Error {
  constructor(readonly streamName: string) {
    super(`stream ${streamName} is deleted`);
  }
}

const scanPageRecords = 8192;

/**
 * Catch-up then live, as one cursor over durable records: the same loop serves both phases, so
 * the switch can neither skip nor repeat an event. Runs until `signal` aborts.
 */
export async function* subscribeToStream(
  store: EventStore,
  streamName: string,
  start: StreamStart,
  signal: AbortSignal,
  nowMs: () => number,
): AsyncGenerator<SubscriptionItem> {
  if (isTombstoned(store, streamName)) throw new SubscriptionStreamDeleted(streamName);
  let state = store.streams.find(streamName);
  let cursor = streamStartRevision(store, state, start);
  let caughtUp = false;
  // Ends when the caller aborts (unsubscribe or disconnect) or the stream is tombstoned.
  while (!signal.aborted) {
    state ??= store.streams.find(streamName);
    const endRevision = state ? store.visibleEventCount(state) : 0;
    if (state && cursor < BigInt(endRevision)) {
      const sequences = nextStreamPage(store, state, cursor, caughtUp, nowMs());
      cursor = BigInt(sequences.nextRevision);
      if (sequences.page.length > 0)
        yield { kind: 'events', events: await store.reader.read(sequences.page) };
      continue;
    }
    if (state && store.isTombstoneDurable(state)) {
      yield { kind: 'events', events: await store.reader.read([state.tombstoneSequence]) };
      throw new SubscriptionStreamDeleted(streamName);
    }
    if (!caughtUp) {
      caughtUp = true;
      yield { kind: 'caught-up' };
      continue;
    }
    await store.durableSignal.wait(signal);
  }
}

function streamStartRevision(
  store: EventStore,
  state: StreamState | undefined,
  start: StreamStart,
): bigint {
  if (start.kind === 'start') return 0n;
  if (start.kind === 'end') return BigInt(state ? store.visibleEventCount(state) : 0);
  return start.revision + 1n;
}

/** Up to one page of revisions from `cursor`; catch-up honours `$maxCount`, `$tb` and `$maxAge`. */
function nextStreamPage(
  store: EventStore,
  state: StreamState,
  cursor: bigint,
  caughtUp: boolean,
  nowMs: number,
): { page: number[]; nextRevision: number } {
  const window = visibleWindow(store, state, nowMs);
  let revision = Number(cursor);
  if (!caughtUp && revision < window.firstRevision) revision = window.firstRevision;
  const page = new PageBuilder(store.table);
  for (; revision < window.endRevision && !page.full; revision += 1) {
    const sequence = StreamIndex.sequenceOf(state, revision);
    const tooOld =
      !caughtUp &&
      window.oldestCreatedMs !== undefined &&
      store.table.createdMsAt(sequence) < window.oldestCreatedMs;
    if (!tooOld) page.add(sequence);
  }
  return { page: page.sequences, nextRevision: revision };
}

export async function* subscribeToAll(
  store: EventStore,
  start: AllStart,
  filter: EventFilter | undefined,
  signal: AbortSignal,
): AsyncGenerator<SubscriptionItem> {
  const matcher = filter ? new FilterMatcher(filter, store.table, store.streams) : undefined;
  const checkpointInterval = filter
    ? Math.max(1, filter.checkpointInterval)
    : Number.POSITIVE_INFINITY;
  let cursor = allStartSequence(store, start);
  let considered = 0;
  let lastCheckpoint: bigint | undefined;
  let caughtUp = false;
  // Ends when the caller aborts (unsubscribe or disconnect).
  while (!signal.aborted) {
    const end = store.durableCount;
    if (cursor < end) {
      const page = new PageBuilder(store.table);
      let scanned = 0;
      for (; cursor < end && scanned < scanPageRecords && !page.full; cursor += 1, scanned += 1) {
        considered += 1;
        if (!matcher || matcher.matches(cursor)) page.add(cursor);
        if (considered >= checkpointInterval) {
          cursor += 1;
          break;
        }
      }
      if (page.length > 0)
        yield { kind: 'events', events: await store.reader.read(page.sequences) };
      else await yieldToEventLoop();
      if (considered >= checkpointInterval) {
        considered = 0;
        lastCheckpoint = store.table.positionAt(cursor - 1);
        yield { kind: 'checkpoint', position: lastCheckpoint };
      }
      continue;
    }
    if (!caughtUp) {
      caughtUp = true;
      const position = cursor > 0 ? store.table.positionAt(cursor - 1) : undefined;
      if (filter && position !== undefined && position !== lastCheckpoint) {
        lastCheckpoint = position;
        yield { kind: 'checkpoint', position };
      }
      yield { kind: 'caught-up' };
      continue;
    }
    await store.durableSignal.wait(signal);
  }
}

/** Subscriptions start after `position` (exclusive), unlike reads. */
function allStartSequence(store: EventStore, start: AllStart): number {
  if (start.kind === 'start') return 0;
  if (start.kind === 'end') return store.durableCount;
  return store.table.firstAtOrAfter(start.position + 1n, store.durableCount);
}
