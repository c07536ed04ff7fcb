import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { StreamIndex, type StreamState } from '../storage/stream-index.ts';
import type { EventStore } from './event-store.ts';
import { FilterMatcher, type EventFilter } from './event-filter.ts';
import { PageBuilder } from './page-builder.ts';
import type { PositionedEvent } from './record-reader.ts';
import {
  boundedCount,
  clampRevision,
  type AllStart,
  type ReadDirection,
  type StreamStart,
} from './read-positions.ts';
import {
  firstVisibleRevision,
  isMetastreamName,
  isSoftDeleted,
  oldestVisibleCreatedMs,
  streamOfMetastream,
} from './stream-metadata.ts';

const scanPageRecords = 8192;

export type StreamReadResult =
  | { kind: 'not-found' }
  | { kind: 'deleted' }
  | { kind: 'events'; pages: AsyncGenerator<PositionedEvent[]> };

/** Whether `streamName` (or, for a metastream, its target) has been tombstoned. */
export function isTombstoned(store: EventStore, streamName: string): boolean {
  const own = store.streams.find(streamName);
  if (own && own.tombstoneSequence >= 0) return true;
  if (!isMetastreamName(streamName)) return false;
  return (store.streams.find(streamOfMetastream(streamName))?.tombstoneSequence ?? -1) >= 0;
}

export interface VisibleWindow {
  firstRevision: number;
  /** One past the last durable revision. */
  endRevision: number;
  oldestCreatedMs: number | undefined;
}

/** The revisions a stream read may return, after `$maxCount`, `$tb` and `$maxAge`. */
export function visibleWindow(store: EventStore, state: StreamState, nowMs: number): VisibleWindow {
  const endRevision = store.visibleEventCount(state);
  const isMetastream = isMetastreamName(state.name);
  const metadata = isMetastream ? undefined : state.metadata;
  const first = firstVisibleRevision(BigInt(endRevision) - 1n, metadata, isMetastream);
  return {
    firstRevision: clampRevision(first, 0, endRevision),
    endRevision,
    oldestCreatedMs: oldestVisibleCreatedMs(metadata, nowMs),
  };
}

export function readStream(
  store: EventStore,
  streamName: string,
  start: StreamStart,
  direction: ReadDirection,
  count: bigint,
  nowMs: number,
): StreamReadResult {
  if (isTombstoned(store, streamName)) return { kind: 'deleted' };
  const state = store.streams.find(streamName);
  if (!state || store.visibleEventCount(state) === 0) return { kind: 'not-found' };
  if (!isMetastreamName(streamName) && isSoftDeleted(state.metadata)) return { kind: 'not-found' };
  const window = visibleWindow(store, state, nowMs);
  const revisions =
    direction === 'forwards' ? forwardRevisions(window, start) : backwardRevisions(window, start);
  return {
    kind: 'events',
    pages: readRevisionPages(store, state, window, revisions, boundedCount(count)),
  };
}

function* forwardRevisions(window: VisibleWindow, start: StreamStart): Generator<number> {
  const from =
    start.kind === 'start'
      ? window.firstRevision
      : start.kind === 'end'
        ? window.endRevision
        : clampRevision(start.revision, window.firstRevision, window.endRevision);
  for (let revision = from; revision < window.endRevision; revision += 1) yield revision;
}

function* backwardRevisions(window: VisibleWindow, start: StreamStart): Generator<number> {
  const last = window.endRevision - 1;
  const from =
    start.kind === 'end'
      ? last
      : start.kind === 'start'
        ? 0
        : clampRevision(start.revision, -1, last);
  for (let revision = from; revision >= window.firstRevision; revision -= 1) yield revision;
}

async function* readRevisionPages(
  store: EventStore,
  state: StreamState,
  window: VisibleWindow,
  revisions: Generator<number>,
  count: number,
): AsyncGenerator<PositionedEvent[]> {
  let remaining = count;
  let page = new PageBuilder(store.table);
  for (const revision of revisions) {
    if (remaining === 0) break;
    const sequence = StreamIndex.sequenceOf(state, revision);
    if (
      window.oldestCreatedMs !== undefined &&
      store.table.createdMsAt(sequence) < window.oldestCreatedMs
    )
      continue;
    page.add(sequence);
    remaining -= 1;
    if (page.full) {
      yield await store.reader.read(page.sequences);
      page = new PageBuilder(store.table);
    }
  }
  if (page.length > 0) yield await store.reader.read(page.sequences);
}

/** `$all` in log order; ignores stream metadata and soft deletes, as ESDB does. */
export async function* readAll(
  store: EventStore,
  start: AllStart,
  direction: ReadDirection,
  count: bigint,
  filter: EventFilter | undefined,
): AsyncGenerator<PositionedEvent[]> {
  const end = store.durableCount;
  const matcher = filter ? new FilterMatcher(filter, store.table, store.streams) : undefined;
  let remaining = boundedCount(count);
  let cursor = allStartSequence(store, start, direction, end);
  const step = direction === 'forwards' ? 1 : -1;
  // Bounded by the log length: each page advances the cursor by up to scanPageRecords.
  while (remaining > 0 && cursor >= 0 && cursor < end) {
    const page = new PageBuilder(store.table);
    for (let scanned = 0; scanned < scanPageRecords && cursor >= 0 && cursor < end; scanned += 1) {
      if (!matcher || matcher.matches(cursor)) page.add(cursor);
      cursor += step;
      if (page.length === remaining || page.full) break;
    }
    remaining -= page.length;
    if (page.length > 0) yield await store.reader.read(page.sequences);
    else await yieldToEventLoop();
  }
}

function allStartSequence(
  store: EventStore,
  start: AllStart,
  direction: ReadDirection,
  end: number,
): number {
  if (direction === 'forwards') {
    if (start.kind === 'start') return 0;
    if (start.kind === 'end') return end;
    return store.table.firstAtOrAfter(start.position, end);
  }
  if (start.kind === 'start') return -1;
  if (start.kind === 'end') return end - 1;
  return store.table.firstAtOrAfter(start.position, end) - 1;
}
