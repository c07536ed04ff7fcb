import type { StoredEvent } from '../../../infra/eventstore/event-store.ts';
import { auditMetadataOf } from '../../core/decode.ts';
import { ProjectionInvariantError } from '../../core/types.ts';
import { checkWebhookEvent } from './events.ts';

export type InboxStatus = 'received' | 'processed' | 'failed' | 'parked' | 'resolved';

/** One inbox entry being folded; instants stay ISO strings until written. */
export interface InboxDraft {
  provider: string;
  providerEventId: string;
  tenantId: string;
  status: InboxStatus;
  eventType: string;
  payload: string;
  paymentId: string | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  outcome: string | null;
  resolution: string | null;
  resolutionNote: string | null;
  resolvedBy: string | null;
  replayRequestedBy: string | null;
  replayRequestedAt: string | null;
  receivedAt: string;
  processedAt: string | null;
  parkedAt: string | null;
  resolvedAt: string | null;
  updatedAt: string;
  revision: bigint;
  position: bigint;
}

const unknownTenant = '*';

function text(event: StoredEvent, field: string): string {
  return String(event.data[field]);
}

function nullableText(event: StoredEvent, field: string): string | null {
  const value = event.data[field];
  return typeof value === 'string' ? value : null;
}

function attemptsOf(event: StoredEvent, field: string, fallback: number): number {
  const value = event.data[field];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** The callback is matched to its payment's tenant later; '*' never overwrites a real tenant. */
function tenantAfter(draft: InboxDraft | undefined, event: StoredEvent): string {
  const tenant = auditMetadataOf(event).tenantId;
  if (tenant !== null && tenant !== unknownTenant) return tenant;
  return draft?.tenantId ?? unknownTenant;
}

function received(event: StoredEvent): InboxDraft {
  return {
    provider: text(event, 'provider'),
    providerEventId: text(event, 'providerEventId'),
    tenantId: tenantAfter(undefined, event),
    status: 'received',
    eventType: text(event, 'eventType'),
    payload: text(event, 'payload'),
    paymentId: nullableText(event, 'paymentId'),
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    outcome: null,
    resolution: null,
    resolutionNote: null,
    resolvedBy: null,
    replayRequestedBy: null,
    replayRequestedAt: null,
    receivedAt: text(event, 'receivedAt'),
    processedAt: null,
    parkedAt: null,
    resolvedAt: null,
    updatedAt: text(event, 'receivedAt'),
    revision: event.revision,
    position: event.position,
  };
}

/** The inbox entry after one event of its stream. */
export function evolveInbox(draft: InboxDraft | undefined, event: StoredEvent): InboxDraft {
  const type = checkWebhookEvent(event);
  if (type === 'WebhookReceived') return draft ?? received(event);
  if (draft === undefined) {
    throw new ProjectionInvariantError(`${type} before WebhookReceived on ${event.stream}`);
  }
  const base = { ...draft, tenantId: tenantAfter(draft, event) };
  switch (type) {
    case 'WebhookProcessed': {
      const at = text(event, 'processedAt');
      const paymentId = nullableText(event, 'paymentId') ?? draft.paymentId;
      const outcome = text(event, 'outcome');
      return { ...base, status: 'processed', outcome, paymentId, processedAt: at, updatedAt: at };
    }
    case 'WebhookProcessingFailed':
      return {
        ...base,
        status: 'failed',
        attempts: attemptsOf(event, 'attempt', draft.attempts + 1),
        lastError: text(event, 'error'),
        nextAttemptAt: text(event, 'nextAttemptAt'),
        updatedAt: text(event, 'failedAt'),
      };
    case 'WebhookParked':
      return {
        ...base,
        status: 'parked',
        attempts: attemptsOf(event, 'attempts', draft.attempts),
        lastError: text(event, 'error'),
        nextAttemptAt: null,
        parkedAt: text(event, 'parkedAt'),
        updatedAt: text(event, 'parkedAt'),
      };
    case 'WebhookReplayRequested':
      return {
        ...base,
        status: 'received',
        nextAttemptAt: null,
        replayRequestedBy: text(event, 'requestedBy'),
        replayRequestedAt: text(event, 'requestedAt'),
        updatedAt: text(event, 'requestedAt'),
      };
    case 'WebhookResolvedManually':
      return {
        ...base,
        status: 'resolved',
        nextAttemptAt: null,
        resolution: text(event, 'resolution'),
        resolutionNote: nullableText(event, 'note'),
        resolvedBy: text(event, 'resolvedBy'),
        resolvedAt: text(event, 'resolvedAt'),
        updatedAt: text(event, 'resolvedAt'),
      };
    default: {
      const unexpected: never = type;
      throw new ProjectionInvariantError(`unexpected webhook event ${String(unexpected)}`);
    }
  }
}
