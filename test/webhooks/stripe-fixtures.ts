import Stripe from 'stripe';

/** Stripe event payloads shaped like the real ones (trimmed to realistic, relevant fields). */
const stripe = new Stripe('sk_test_not_used_for_network');

export function stripeHeader(payload: string, secret: string, timestamp?: number): string {
  return stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
}

let counter = 0;
export function stripeEventId(): string {
  counter += 1;
  return `evt_${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 8)}`;
}

function event(type: string, object: Record<string, unknown>, id = stripeEventId()) {
  return {
    id,
    object: 'event',
    api_version: '2024-06-20',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

export function paymentIntentEvent(
  type: string,
  intent: { id: string; amount: number; capturable?: number; received?: number; charge?: string },
) {
  return event(type, {
    id: intent.id,
    object: 'payment_intent',
    amount: intent.amount,
    amount_capturable: intent.capturable ?? 0,
    amount_received: intent.received ?? 0,
    currency: 'usd',
    capture_method: 'manual',
    latest_charge: intent.charge ?? null,
    last_payment_error:
      type === 'payment_intent.payment_failed'
        ? { code: 'card_declined', message: 'Your card was declined.' }
        : null,
    cancellation_reason: type === 'payment_intent.canceled' ? 'abandoned' : null,
    metadata: {},
    status: 'requires_capture',
  });
}

export function refundEvent(
  type: 'refund.created' | 'refund.updated',
  refund: { id: string; paymentIntent: string; amount: number; status: string },
) {
  return event(type, {
    id: refund.id,
    object: 'refund',
    amount: refund.amount,
    charge: `ch_for_${refund.paymentIntent}`,
    currency: 'usd',
    payment_intent: refund.paymentIntent,
    reason: 'requested_by_customer',
    status: refund.status,
    metadata: {},
  });
}

export function chargeRefundedEvent(
  paymentIntent: string,
  refunds: { id: string; amount: number; status: string }[],
) {
  return event('charge.refunded', {
    id: `ch_for_${paymentIntent}`,
    object: 'charge',
    amount_refunded: refunds.reduce((sum, refund) => sum + refund.amount, 0),
    currency: 'usd',
    payment_intent: paymentIntent,
    metadata: {},
    refunded: false,
    refunds: {
      object: 'list',
      data: refunds.map((refund) => ({
        ...refund,
        object: 'refund',
        currency: 'usd',
        payment_intent: paymentIntent,
      })),
      has_more: false,
    },
  });
}

export function disputeEvent(
  type: 'charge.dispute.created' | 'charge.dispute.closed',
  dispute: { id: string; paymentIntent: string; amount: number; status: string },
) {
  return event(type, {
    id: dispute.id,
    object: 'dispute',
    amount: dispute.amount,
    charge: `ch_for_${dispute.paymentIntent}`,
    currency: 'usd',
    payment_intent: dispute.paymentIntent,
    reason: 'fraudulent',
    status: dispute.status,
    metadata: {},
  });
}

export function unhandledEvent() {
  return event('customer.created', { id: 'cus_123', object: 'customer', metadata: {} });
}
