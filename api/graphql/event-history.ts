import { decodeEvent } from '../../domain/events/codec.ts';
import { evolve } from '../../domain/payment/index.ts';
import type { PaymentState } from '../../domain/payment/index.ts';
import type { StoredEvent } from '../../infra/eventstore/event-store.ts';
import type { PaymentSnapshot } from '../../infra/write/payment-snapshot.ts';
import { paymentSnapshot } from '../../infra/write/payment-snapshot.ts';
import type { AuditEventView } from './data/audit.ts';

/**
 * The audit views of the event store: a payment's history and its state at a past instant are
 * read from the store itself, never from the read model, so they stay true even when a
 * projection lags or drifts.
 */
export interface PaymentEventSource {
  load(
    tenantId: string,
    paymentId: string,
  ): Promise<{ state: PaymentState; events: StoredEvent[] } | undefined>;
}

export function auditEventFromStored(event: StoredEvent): AuditEventView {
  return {
    id: event.id,
    type: event.type,
    stream: event.stream,
    revision: event.revision.toString(),
    position: event.position.toString(),
    recordedAt: event.recordedAt.toISOString(),
    data: event.data,
    metadata: event.metadata,
  };
}

export interface SnapshotAsOf {
  snapshot: PaymentSnapshot;
  asOf: string;
  eventCount: number;
}

function schemaVersionOf(event: StoredEvent): number {
  const version = event.metadata.schemaVersion;
  return typeof version === 'number' ? version : 1;
}

/**
 * Folds the events recorded at or before `at`. Undefined when the payment did not exist yet.
 * Events are in stream order, and a stream's recorded times never go backwards, so the fold
 * stops at the first later event.
 */
export function foldAsOf(events: readonly StoredEvent[], at: Date): SnapshotAsOf | undefined {
  let state: PaymentState | undefined;
  let eventCount = 0;
  for (const stored of events) {
    if (stored.recordedAt.getTime() > at.getTime()) break;
    state = evolve(state, decodeEvent(stored.type, stored.data, schemaVersionOf(stored)));
    eventCount += 1;
  }
  if (state === undefined) return undefined;
  return { snapshot: paymentSnapshot(state), asOf: at.toISOString(), eventCount };
}
