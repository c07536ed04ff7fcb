import type { StoredEvent } from '../../infra/eventstore/event-store.ts';
import type { PaymentEvent } from '../../domain/payment/index.ts';
import { decodeEvent, EventDecodeError } from '../../domain/events/codec.ts';

/**
 * A stored event that lacks what a read model needs is poison, never a row with holes. Payment
 * events go through the domain's codec (validation and upcasting); webhook events, which have no
 * codec yet, through the field rules below.
 */
export { EventDecodeError };

interface FieldRules {
  readonly text?: readonly string[];
  readonly nullableText?: readonly string[];
  readonly amounts?: readonly string[];
  readonly instants?: readonly string[];
  readonly nullableInstants?: readonly string[];
}

const minorUnitsPattern = /^-?(0|[1-9][0-9]{0,18})$/;

function check(event: StoredEvent, field: string, valid: boolean, expected: string): void {
  if (!valid) {
    const where = `${event.type} at ${event.stream}@${event.revision}`;
    throw new EventDecodeError(`${where}: ${field} must be ${expected}`, event.type, 1);
  }
}

function isInstant(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** Checks the data of a stored event against a table of field rules. */
export function checkFields(event: StoredEvent, rules: FieldRules): void {
  const data = event.data;
  for (const field of rules.text ?? []) {
    const value = data[field];
    check(event, field, typeof value === 'string' && value.length > 0, 'a non-empty string');
  }
  for (const field of rules.nullableText ?? []) {
    const value = data[field];
    check(event, field, value === null || typeof value === 'string', 'a string or null');
  }
  for (const field of rules.amounts ?? []) {
    const value = data[field];
    check(event, field, typeof value === 'string' && minorUnitsPattern.test(value), 'minor units');
  }
  for (const field of rules.instants ?? []) {
    check(event, field, isInstant(data[field]), 'an ISO instant');
  }
  for (const field of rules.nullableInstants ?? []) {
    const value = data[field];
    check(event, field, value === null || isInstant(value), 'an ISO instant or null');
  }
}

/**
 * Decoded events by the stored event they came from: the runners reading one shared
 * subscription get the same StoredEvent objects, so each is validated and upcast once, not once
 * per projection. Decoded events are never mutated (the domain is pure); entries go with the event.
 */
const decodedPaymentEvents = new WeakMap<StoredEvent, PaymentEvent>();

/** A stored payment-stream event as the domain's typed event, or EventDecodeError. */
export function decodePaymentEvent(event: StoredEvent): PaymentEvent {
  const known = decodedPaymentEvents.get(event);
  if (known !== undefined) return known;
  const schemaVersion = event.metadata.schemaVersion;
  if (typeof schemaVersion !== 'number') {
    const where = `${event.type} at ${event.stream}@${event.revision}`;
    throw new EventDecodeError(`${where}: metadata.schemaVersion is missing`, event.type, 0);
  }
  const decoded = decodeEvent(event.type, event.data, schemaVersion);
  decodedPaymentEvents.set(event, decoded);
  return decoded;
}

/** Audit metadata, read defensively: missing fields are null rather than a failed batch. */
export interface AuditMetadata {
  tenantId: string | null;
  actor: string | null;
  source: string | null;
  correlationId: string | null;
  causationId: string | null;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

export function auditMetadataOf(event: StoredEvent): AuditMetadata {
  const metadata = event.metadata;
  return {
    tenantId: textOrNull(metadata.tenantId),
    actor: textOrNull(metadata.actor),
    source: textOrNull(metadata.source),
    correlationId: textOrNull(metadata.correlationId),
    causationId: textOrNull(metadata.causationId),
  };
}

/** The tenant of a payment event: metadata first, then the payload; never guessed. */
export function tenantOf(event: StoredEvent): string {
  const tenant = auditMetadataOf(event).tenantId ?? textOrNull(event.data.tenantId);
  if (tenant === null) {
    const where = `${event.type} at ${event.stream}@${event.revision}`;
    throw new EventDecodeError(`${where}: no tenantId`, event.type, 0);
  }
  return tenant;
}
