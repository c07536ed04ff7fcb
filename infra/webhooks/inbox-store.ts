import { randomUUID } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  JsonObject,
} from '../eventstore/event-store.ts';
import { computeEventHash } from '../write/hash-chain.ts';
import type { InboxEvent, InboxEventMetadata, WebhookReceived } from './inbox-events.ts';
import { INBOX_SCHEMA_VERSION } from './inbox-events.ts';
import { foldInbox, type CallbackState } from './inbox-state.ts';
import { inboxStreamName } from './inbox-stream.ts';

/** The event-store operations the inbox needs; the gateway class satisfies it. */
export type InboxEventStore = Pick<
  EventStore,
  'append' | 'readStream' | 'subscribeToAll' | 'readAllPage'
>;

export type InboxContext = Omit<InboxEventMetadata, 'source' | 'schemaVersion'>;

// A fixed namespace: follow-up events derive their id from their hash (a retried append of the
// same decision is recognised by the store), like the payment write path does.
const inboxEventIdNamespace = '6f1c2d8e-4b7a-4e59-9c3d-2a1b0e9f8d7c';

function prepare(
  stream: string,
  revision: bigint,
  previousHash: string | null,
  event: InboxEvent,
  context: InboxContext,
  eventId: string | undefined,
): EventToAppend {
  const base = {
    ...context,
    source: 'webhook',
    schemaVersion: INBOX_SCHEMA_VERSION,
    previousHash,
  };
  const hash = computeEventHash({
    previousHash,
    stream,
    revision,
    type: event.type,
    data: event.data,
    metadataWithoutHash: base,
  });
  return {
    id: eventId ?? uuidV5(`${stream}:${hash}`, inboxEventIdNamespace),
    type: event.type,
    data: event.data as unknown as JsonObject,
    metadata: { ...base, hash },
  };
}

/**
 * Stores a new callback. Throws StreamConflictError when the stream already exists: the callback
 * was received before. The id is random on purpose: a deterministic one would let the store
 * treat a duplicate delivery as an idempotent retry and hide that it was a duplicate.
 */
export function appendReceived(
  store: Pick<EventStore, 'append'>,
  event: WebhookReceived,
  context: InboxContext,
): Promise<AppendResult> {
  const stream = inboxStreamName(event.data.provider, event.data.providerEventId);
  const prepared = prepare(stream, 0n, null, event, context, randomUUID());
  return store.append(stream, [prepared], 'no_stream');
}

/** Appends one follow-up event at the revision the caller folded (StreamConflictError if moved). */
export function appendToInbox(
  store: Pick<EventStore, 'append'>,
  state: CallbackState,
  event: InboxEvent,
  context: InboxContext,
): Promise<AppendResult> {
  const prepared = prepare(
    state.stream,
    state.revision + 1n,
    state.lastHash,
    event,
    context,
    undefined,
  );
  return store.append(state.stream, [prepared], state.revision);
}

export async function loadCallback(
  store: Pick<EventStore, 'readStream'>,
  provider: string,
  providerEventId: string,
): Promise<CallbackState | undefined> {
  return foldInbox(await store.readStream(inboxStreamName(provider, providerEventId)));
}

export async function loadCallbackByStream(
  store: Pick<EventStore, 'readStream'>,
  stream: string,
): Promise<CallbackState | undefined> {
  return foldInbox(await store.readStream(stream));
}
