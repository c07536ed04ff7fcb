import type { CurrencyCode } from '../money/index.ts';
import { assertNever } from '../errors.ts';

/**
 * The payment stream's event catalog: a storage format and a contract other modules build
 * against. Names are past tense and never renamed. Payloads are JSON-safe as they are: amounts
 * are minor-unit integer strings ("1050"), times ISO-8601 strings, so the store's plain
 * JSON.stringify works and the in-memory event is exactly what is persisted.
 * Refunds and disputes live on this stream so that the payment's expected revision protects
 * "refunds never exceed captured" under concurrent writers.
 */
type Event<Type extends string, Data> = { type: Type; data: Data };

/** A minor-unit integer written as a string, e.g. "1050". */
export type MinorUnitsText = string;
/** An ISO-8601 instant with an offset, e.g. "2025-01-31T12:00:00.000Z". */
export type InstantText = string;

export const CAPTURE_MODES = ['automatic', 'manual'] as const;
/**
 * Informational for the provider adapter: with 'automatic' the provider captures by itself and
 * reports the capture, which arrives here as a CapturePayment like any other.
 */
export type CaptureMode = (typeof CAPTURE_MODES)[number];

export type PaymentInitiated = Event<
  'PaymentInitiated',
  {
    paymentId: string;
    tenantId: string;
    amount: MinorUnitsText;
    currency: CurrencyCode;
    reference: string | null;
    providerPaymentId: string | null;
    provider: string | null;
    captureMode: CaptureMode;
    authorizationExpiresAt: InstantText | null;
    initiatedAt: InstantText;
  }
>;

export type PaymentAuthorized = Event<
  'PaymentAuthorized',
  {
    paymentId: string;
    amount: MinorUnitsText;
    currency: CurrencyCode;
    authorizationId: string | null;
    captureExpiresAt: InstantText | null;
    authorizedAt: InstantText;
  }
>;

export type PaymentCaptured = Event<
  'PaymentCaptured',
  {
    paymentId: string;
    captureId: string;
    amount: MinorUnitsText;
    currency: CurrencyCode;
    capturedAt: InstantText;
  }
>;

export type PaymentVoided = Event<
  'PaymentVoided',
  {
    paymentId: string;
    reason: string | null;
    voidedAt: InstantText;
  }
>;

export type PaymentFailed = Event<
  'PaymentFailed',
  {
    paymentId: string;
    reason: string;
    failedAt: InstantText;
  }
>;

export type PaymentExpired = Event<'PaymentExpired', { paymentId: string; expiredAt: InstantText }>;

/** amount is the gross settled; net = amount - fee, what the provider pays out. */
export type PaymentSettled = Event<
  'PaymentSettled',
  {
    paymentId: string;
    settlementId: string;
    amount: MinorUnitsText;
    fee: MinorUnitsText;
    net: MinorUnitsText;
    currency: CurrencyCode;
    settledAt: InstantText;
  }
>;

export type RefundRequested = Event<
  'RefundRequested',
  {
    paymentId: string;
    refundId: string;
    amount: MinorUnitsText;
    currency: CurrencyCode;
    reason: string | null;
    requestedAt: InstantText;
  }
>;

export type RefundSucceeded = Event<
  'RefundSucceeded',
  {
    paymentId: string;
    refundId: string;
    amount: MinorUnitsText;
    currency: CurrencyCode;
    succeededAt: InstantText;
  }
>;

export type RefundFailed = Event<
  'RefundFailed',
  {
    paymentId: string;
    refundId: string;
    amount: MinorUnitsText;
    currency: CurrencyCode;
    reason: string | null;
    failedAt: InstantText;
  }
>;

export type DisputeOpened = Event<
  'DisputeOpened',
  {
    paymentId: string;
    disputeId: string;
    amount: MinorUnitsText;
    currency: CurrencyCode;
    reason: string | null;
    openedAt: InstantText;
  }
>;

export type DisputeWon = Event<
  'DisputeWon',
  {
    paymentId: string;
    disputeId: string;
    amount: MinorUnitsText;
    currency: CurrencyCode;
    resolvedAt: InstantText;
  }
>;

export type DisputeLost = Event<
  'DisputeLost',
  {
    paymentId: string;
    disputeId: string;
    amount: MinorUnitsText;
    currency: CurrencyCode;
    resolvedAt: InstantText;
  }
>;

export type PaymentEvent =
  | PaymentInitiated
  | PaymentAuthorized
  | PaymentCaptured
  | PaymentVoided
  | PaymentFailed
  | PaymentExpired
  | PaymentSettled
  | RefundRequested
  | RefundSucceeded
  | RefundFailed
  | DisputeOpened
  | DisputeWon
  | DisputeLost;

export type PaymentEventType = PaymentEvent['type'];

export type PaymentEventOf<Type extends PaymentEventType> = Extract<PaymentEvent, { type: Type }>;

/** Every event type of the stream, e.g. for a subscription filter. */
export const PAYMENT_EVENT_TYPES = [
  'PaymentInitiated',
  'PaymentAuthorized',
  'PaymentCaptured',
  'PaymentVoided',
  'PaymentFailed',
  'PaymentExpired',
  'PaymentSettled',
  'RefundRequested',
  'RefundSucceeded',
  'RefundFailed',
  'DisputeOpened',
  'DisputeWon',
  'DisputeLost',
] as const satisfies readonly PaymentEventType[];

export const PAYMENT_STREAM_PREFIX = 'payment-';

export function paymentStreamName(paymentId: string): string {
  return `${PAYMENT_STREAM_PREFIX}${paymentId}`;
}

/** The business time of an event (each type names its own time field). */
export function occurredAt(event: PaymentEvent): InstantText {
  switch (event.type) {
    case 'PaymentInitiated':
      return event.data.initiatedAt;
    case 'PaymentAuthorized':
      return event.data.authorizedAt;
    case 'PaymentCaptured':
      return event.data.capturedAt;
    case 'PaymentVoided':
      return event.data.voidedAt;
    case 'PaymentFailed':
      return event.data.failedAt;
    case 'PaymentExpired':
      return event.data.expiredAt;
    case 'PaymentSettled':
      return event.data.settledAt;
    case 'RefundRequested':
      return event.data.requestedAt;
    case 'RefundSucceeded':
      return event.data.succeededAt;
    case 'RefundFailed':
      return event.data.failedAt;
    case 'DisputeOpened':
      return event.data.openedAt;
    case 'DisputeWon':
    case 'DisputeLost':
      return event.data.resolvedAt;
    default:
      return assertNever(event, 'payment event');
  }
}
