import { StreamIndex } from '../storage/stream-index.ts';
import type { EventStore } from './event-store.ts';
import type { PositionedEvent } from './record-reader.ts';
import { visibleWindow } from './stream-reads.ts';

export const linkEventType = '$>';

/** `event` is what the reader sees; `link` is the `$>` record that pointed at it, if any. */
export interface ResolvedEvent {
  event: PositionedEvent | undefined;
  link: PositionedEvent | undefined;
}

export async function resolveEvents(
  store: EventStore,
  events: readonly PositionedEvent[],
  resolveLinks: boolean,
  nowMs: number,
): Promise<ResolvedEvent[]> {
  if (!resolveLinks || !events.some((event) => event.eventType === linkEventType)) {
    return events.map((event) => ({ event, link: undefined }));
  }
  const resolved: ResolvedEvent[] = [];
  for (const event of events) {
    resolved.push(
      event.eventType === linkEventType
        ? await resolveLink(store, event, nowMs)
        : { event, link: undefined },
    );
  }
  return resolved;
}

async function resolveLink(
  store: EventStore,
  link: PositionedEvent,
  nowMs: number,
): Promise<ResolvedEvent> {
  const text = Buffer.from(link.data).toString('utf8');
  const separator = text.indexOf('@');
  const revisionText = separator > 0 ? text.slice(0, separator) : '';
  if (!/^\d+$/.test(revisionText)) return { event: link, link: undefined };
  const target = store.streams.find(text.slice(separator + 1));
  if (!target || target.tombstoneSequence >= 0) return { event: undefined, link };
  const window = visibleWindow(store, target, nowMs);
  const revision = BigInt(revisionText);
  if (revision < BigInt(window.firstRevision) || revision >= BigInt(window.endRevision)) {
    return { event: undefined, link };
  }
  const [event] = await store.reader.read([StreamIndex.sequenceOf(target, Number(revision))]);
  return { event, link };
}
