import { InvariantViolationError } from '../../domain/errors.ts';
import type { StoredEvent } from '../eventstore/event-store.ts';
import type { InboxEvent } from './inbox-events.ts';
import { INBOX_EVENT_TYPES } from './inbox-events.ts';

/**
 * Processing status of one callback, folded from its inbox stream. `replay_requested` behaves
 * like `received` (waiting to be processed); the read side shows it as received.
 */
export type CallbackStatus =
  'received' | 'replay_requested' | 'failed' | 'processed' | 'parked' | 'resolved';

export const SETTLED_STATUSES: ReadonlySet<CallbackStatus> = new Set([
  'processed',
  'parked',
  'resolved',
]);

export interface CallbackState {
  stream: string;
  provider: string;
  providerEventId: string;
  eventType: string;
  payload: string;
  status: CallbackStatus;
  paymentId: string | null;
  tenantId: string;
  /** Failures since the callback was received or last replayed: the retry budget spent. */
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  outcome: string | null;
  receivedAt: string;
  /** The Received event: its id is the callback's message id, its metadata the correlation. */
  receivedEventId: string;
  correlationId: string;
  revision: bigint;
  lastHash: string | null;
  updatedAt: string;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvariantViolationError(`inbox event: ${field} missing`);
  return value;
}

function nullableText(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Only the fields the fold reads are checked; the read side validates its own. */
export function decodeInboxEvent(stored: StoredEvent): InboxEvent {
  if (!(INBOX_EVENT_TYPES as readonly string[]).includes(stored.type)) {
    throw new InvariantViolationError(`unexpected event ${stored.type} in ${stored.stream}`);
  }
  return { type: stored.type, data: stored.data } as InboxEvent;
}

function initial(stored: StoredEvent, event: InboxEvent): CallbackState {
  if (event.type !== 'WebhookReceived') {
    throw new InvariantViolationError(`${stored.stream} does not start with WebhookReceived`);
  }
  const metadata = stored.metadata;
  return {
    stream: stored.stream,
    provider: text(event.data.provider, 'provider'),
    providerEventId: text(event.data.providerEventId, 'providerEventId'),
    eventType: text(event.data.eventType, 'eventType'),
    payload: text(event.data.payload, 'payload'),
    status: 'received',
    paymentId: nullableText(event.data.paymentId),
    tenantId: typeof metadata.tenantId === 'string' ? metadata.tenantId : '*',
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    outcome: null,
    receivedAt: text(event.data.receivedAt, 'receivedAt'),
    receivedEventId: stored.id,
    correlationId: typeof metadata.correlationId === 'string' ? metadata.correlationId : stored.id,
    revision: stored.revision,
    lastHash: nullableText(metadata.hash),
    updatedAt: text(event.data.receivedAt, 'receivedAt'),
  };
}

function apply(state: CallbackState, event: InboxEvent): CallbackState {
  switch (event.type) {
    case 'WebhookReceived':
      throw new InvariantViolationError(`${state.stream} holds a second WebhookReceived`);
    case 'WebhookProcessed':
      return {
        ...state,
        status: 'processed',
        outcome: event.data.outcome,
        paymentId: event.data.paymentId ?? state.paymentId,
        nextAttemptAt: null,
        updatedAt: event.data.processedAt,
      };
    case 'WebhookProcessingFailed':
      return {
        ...state,
        status: 'failed',
        attempts: event.data.attempt,
        lastError: event.data.error,
        nextAttemptAt: event.data.nextAttemptAt,
        updatedAt: event.data.failedAt,
      };
    case 'WebhookParked':
      return {
        ...state,
        status: 'parked',
        attempts: event.data.attempts,
        lastError: event.data.error,
        nextAttemptAt: null,
        updatedAt: event.data.parkedAt,
      };
    case 'WebhookReplayRequested':
      // A replay grants a fresh retry budget: the operator has presumably fixed the cause.
      return {
        ...state,
        status: 'replay_requested',
        attempts: 0,
        nextAttemptAt: null,
        updatedAt: event.data.requestedAt,
      };
    case 'WebhookResolvedManually':
      return {
        ...state,
        status: 'resolved',
        outcome: `resolved:${event.data.resolution}`,
        nextAttemptAt: null,
        updatedAt: event.data.resolvedAt,
      };
    default: {
      const unexpected: never = event;
      throw new InvariantViolationError(`unexpected inbox event ${JSON.stringify(unexpected)}`);
    }
  }
}

/** Folds an inbox stream; undefined for a missing or empty stream. */
export function foldInbox(events: readonly StoredEvent[] | undefined): CallbackState | undefined {
  let state: CallbackState | undefined;
  for (const stored of events ?? []) {
    const event = decodeInboxEvent(stored);
    const next = state === undefined ? initial(stored, event) : apply(state, event);
    const tenantId = stored.metadata.tenantId;
    state = {
      ...next,
      tenantId: typeof tenantId === 'string' && tenantId !== '*' ? tenantId : next.tenantId,
      revision: stored.revision,
      lastHash: nullableText(stored.metadata.hash),
    };
  }
  return state;
}
