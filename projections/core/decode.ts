import type { StoredEvent } from '../../infra/eventstore/event-store.ts';
import type { PaymentEvent, PaymentEventType } from '../../domain/payment/index.ts';
import { PAYMENT_EVENT_TYPES } from '../../domain/payment/index.ts';

/**
 * Defensive decoding of what the projections read, until domain/events/codec.ts exists: an
 * event that lacks a field the read models need is poison, not a row with holes.
 */
export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
}

interface FieldRules {
  readonly text?: readonly string[];
  readonly nullableText?: readonly string[];
  readonly amounts?: readonly string[];
  readonly instants?: readonly string[];
  readonly nullableInstants?: readonly string[];
}

const moneyFields = { amounts: ['amount'], text: ['currency'] } as const;

const paymentRules: Record<PaymentEventType, FieldRules> = {
  PaymentInitiated: {
    text: ['tenantId', 'currency', 'captureMode'],
    nullableText: ['reference', 'providerPaymentId', 'provider'],
    amounts: ['amount'],
    instants: ['initiatedAt'],
    nullableInstants: ['authorizationExpiresAt'],
  },
  PaymentAuthorized: {
    ...moneyFields,
    nullableText: ['authorizationId'],
    instants: ['authorizedAt'],
    nullableInstants: ['captureExpiresAt'],
  },
  PaymentCaptured: { amounts: ['amount'], text: ['currency', 'captureId'], instants: ['capturedAt'] },
  PaymentVoided: { nullableText: ['reason'], instants: ['voidedAt'] },
  PaymentFailed: { text: ['reason'], instants: ['failedAt'] },
  PaymentExpired: { instants: ['expiredAt'] },
  PaymentSettled: {
    amounts: ['amount', 'fee', 'net'],
    text: ['currency', 'settlementId'],
    instants: ['settledAt'],
  },
  RefundRequested: {
    ...moneyFields,
    text: ['currency', 'refundId'],
    nullableText: ['reason'],
    instants: ['requestedAt'],
  },
  RefundSucceeded: { ...moneyFields, text: ['currency', 'refundId'], instants: ['succeededAt'] },
  RefundFailed: {
    ...moneyFields,
    text: ['currency', 'refundId'],
    nullableText: ['reason'],
    instants: ['failedAt'],
  },
  DisputeOpened: {
    ...moneyFields,
    text: ['currency', 'disputeId'],
    nullableText: ['reason'],
    instants: ['openedAt'],
  },
  DisputeWon: { ...moneyFields, text: ['currency', 'disputeId'], instants: ['resolvedAt'] },
  DisputeLost: { ...moneyFields, text: ['currency', 'disputeId'], instants: ['resolvedAt'] },
};

const minorUnitsPattern = /^-?(0|[1-9][0-9]{0,18})$/;

function check(event: StoredEvent, field: string, valid: boolean, expected: string): void {
  if (!valid) {
    throw new EventDecodeError(
      `${event.type} at ${event.stream}@${event.revision}: ${field} must be ${expected}`,
    );
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

const paymentEventTypes: ReadonlySet<string> = new Set(PAYMENT_EVENT_TYPES);

export function isPaymentEventType(type: string): type is PaymentEventType {
  return paymentEventTypes.has(type);
}

/** A stored payment-stream event as the domain's typed event, or EventDecodeError. */
export function decodePaymentEvent(event: StoredEvent): PaymentEvent {
  if (!isPaymentEventType(event.type)) {
    throw new EventDecodeError(`${event.type} is not a payment event`);
  }
  const paymentId = event.data.paymentId;
  check(event, 'paymentId', typeof paymentId === 'string' && paymentId.length > 0, 'a string');
  checkFields(event, paymentRules[event.type]);
  // The rules above checked every field the type declares.
  return { type: event.type, data: event.data } as unknown as PaymentEvent;
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
    throw new EventDecodeError(`${event.type} at ${event.stream}@${event.revision}: no tenantId`);
  }
  return tenant;
}
