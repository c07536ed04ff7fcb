import type { StoredEvent } from '../../../infra/eventstore/event-store.ts';
import { checkFields } from '../../core/decode.ts';
import { ProjectionInvariantError } from '../../core/types.ts';

/** The webhook inbox stream's event types (stream `webhook-<provider>-<providerEventId>`). */
export const WEBHOOK_EVENT_TYPES = [
  'WebhookReceived',
  'WebhookProcessed',
  'WebhookProcessingFailed',
  'WebhookParked',
  'WebhookReplayRequested',
  'WebhookResolvedManually',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const identity = ['provider', 'providerEventId'] as const;

const rules = {
  WebhookReceived: {
    text: [...identity, 'eventType'],
    nullableText: ['paymentId'],
    instants: ['receivedAt'],
  },
  WebhookProcessed: {
    text: [...identity, 'outcome'],
    nullableText: ['paymentId'],
    instants: ['processedAt'],
  },
  WebhookProcessingFailed: {
    text: [...identity, 'error'],
    instants: ['nextAttemptAt', 'failedAt'],
  },
  WebhookParked: { text: [...identity, 'error'], instants: ['parkedAt'] },
  WebhookReplayRequested: { text: [...identity, 'requestedBy'], instants: ['requestedAt'] },
  WebhookResolvedManually: {
    text: [...identity, 'resolution', 'resolvedBy'],
    nullableText: ['note'],
    instants: ['resolvedAt'],
  },
} satisfies Record<WebhookEventType, Parameters<typeof checkFields>[1]>;

const webhookTypes: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

/** Checks the fields the inbox needs; the payload stays the raw text the provider sent. */
export function checkWebhookEvent(event: StoredEvent): WebhookEventType {
  if (!webhookTypes.has(event.type))
    throw new ProjectionInvariantError(`${event.type} is not a webhook event`);
  const type = event.type as WebhookEventType;
  checkFields(event, rules[type]);
  if (type === 'WebhookReceived' && typeof event.data.payload !== 'string') {
    throw new ProjectionInvariantError(
      `WebhookReceived at ${event.stream}: payload must be the raw body text`,
    );
  }
  return type;
}
