import { z } from 'zod';
import { parseCurrencyCode, type CurrencyCode } from '../../domain/money/index.ts';
import type {
  CallbackEffect,
  CallbackEnvelope,
  MappedCallback,
  PaymentReference,
  ProviderMapper,
} from './callback-effects.ts';
import { callbackScopedId } from './callback-effects.ts';
import { PROVIDER_EVENT_ID_LENGTH_MAX } from './inbox-stream.ts';

/**
 * Real Stripe event payloads. Only the fields the ledger needs are validated; Stripe adds fields
 * in every API version and those must not break the mapping. Amounts are already minor units.
 */
const identifier = z.string().min(1).max(255);
const expandable = z.union([identifier, z.object({ id: identifier }).passthrough()]).nullish();
const minorUnits = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const metadata = z.record(z.string(), z.unknown()).nullish();

const stripeEvent = z.object({
  id: z.string().min(1).max(PROVIDER_EVENT_ID_LENGTH_MAX),
  type: z.string().min(1).max(100),
  created: z.number().int().nonnegative().max(253_402_300_799),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
type StripeEvent = z.infer<typeof stripeEvent>;

const paymentIntent = z.object({
  id: identifier,
  amount: minorUnits,
  amount_capturable: minorUnits.nullish(),
  amount_received: minorUnits.nullish(),
  currency: z.string(),
  metadata,
  latest_charge: expandable,
  last_payment_error: z
    .object({ message: z.string().nullish(), code: z.string().nullish() })
    .nullish(),
  cancellation_reason: z.string().nullish(),
});

const refund = z.object({
  id: identifier,
  amount: minorUnits,
  currency: z.string(),
  charge: expandable,
  payment_intent: expandable,
  status: z.string().nullish(),
  reason: z.string().nullish(),
  failure_reason: z.string().nullish(),
  metadata,
});

const charge = z.object({
  id: identifier,
  currency: z.string(),
  payment_intent: expandable,
  metadata,
  refunds: z.object({ data: z.array(refund).max(100) }).nullish(),
});

const dispute = z.object({
  id: identifier,
  amount: minorUnits,
  currency: z.string(),
  payment_intent: expandable,
  reason: z.string().nullish(),
  status: z.string(),
  metadata,
});

class Unmappable extends Error {}

function idOf(value: z.infer<typeof expandable>): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

function ledgerPaymentId(meta: z.infer<typeof metadata>): string | null {
  const value = meta?.ledger_payment_id;
  return typeof value === 'string' && value.length > 0 && value.length <= 255 ? value : null;
}

function reference(providerPaymentId: string | null, meta: z.infer<typeof metadata>) {
  const found: PaymentReference = { paymentId: ledgerPaymentId(meta), providerPaymentId };
  if (found.paymentId === null && found.providerPaymentId === null) {
    throw new Unmappable('no payment_intent and no metadata.ledger_payment_id to match a payment');
  }
  return found;
}

function currencyOf(text: string): CurrencyCode {
  const parsed = parseCurrencyCode(text.toUpperCase());
  if (!parsed.ok) throw new Unmappable(`currency: ${parsed.error.message}`);
  return parsed.value;
}

function parse<Schema extends z.ZodType>(schema: Schema, value: unknown): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Unmappable(`data.object.${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
  }
  return result.data;
}

type Mapping = { reference: PaymentReference; currency: CurrencyCode; effects: CallbackEffect[] };

function refundEffect(object: z.infer<typeof refund>): CallbackEffect | undefined {
  const status = object.status ?? 'pending';
  const result =
    status === 'succeeded'
      ? 'succeeded'
      : status === 'failed' || status === 'canceled'
        ? 'failed'
        : status === 'pending' || status === 'requires_action'
          ? 'pending'
          : undefined;
  if (result === undefined || object.amount === 0) return undefined;
  const reason = object.failure_reason ?? object.reason ?? null;
  return { kind: 'refund', refundId: object.id, amount: BigInt(object.amount), result, reason };
}

function mapPaymentIntent(event: StripeEvent): Mapping {
  const intent = parse(paymentIntent, event.data.object);
  const base = {
    reference: reference(intent.id, intent.metadata),
    currency: currencyOf(intent.currency),
  };
  switch (event.type) {
    case 'payment_intent.amount_capturable_updated': {
      const capturable = intent.amount_capturable ?? 0;
      // Stripe also sends it when the capturable amount drops to zero after a capture.
      return {
        ...base,
        effects: capturable > 0 ? [{ kind: 'authorize', amount: BigInt(capturable) }] : [],
      };
    }
    case 'payment_intent.succeeded': {
      const received = intent.amount_received ?? intent.amount;
      const captureId = idOf(intent.latest_charge) ?? callbackScopedId(event.id);
      return {
        ...base,
        effects: received > 0 ? [{ kind: 'capture', captureId, amount: BigInt(received) }] : [],
      };
    }
    case 'payment_intent.payment_failed': {
      const error = intent.last_payment_error;
      const reason = error?.message ?? error?.code ?? 'payment failed at Stripe';
      return { ...base, effects: [{ kind: 'fail', reason }] };
    }
    default:
      // A PaymentIntent may be cancelled before it was ever authorized, and the cancelled
      // intent no longer says what was capturable: nothing to authorize first.
      return {
        ...base,
        effects: [
          { kind: 'void', reason: intent.cancellation_reason ?? null, authorizedAmount: null },
        ],
      };
  }
}

function mapCharge(event: StripeEvent): Mapping {
  const object = parse(charge, event.data.object);
  const effects = (object.refunds?.data ?? [])
    .map(refundEffect)
    .filter((effect): effect is CallbackEffect => effect !== undefined);
  return {
    reference: reference(idOf(object.payment_intent), object.metadata),
    currency: currencyOf(object.currency),
    effects,
  };
}

function mapRefund(event: StripeEvent): Mapping {
  const object = parse(refund, event.data.object);
  const effect = refundEffect(object);
  return {
    reference: reference(idOf(object.payment_intent), object.metadata),
    currency: currencyOf(object.currency),
    effects: effect === undefined ? [] : [effect],
  };
}

function mapDispute(event: StripeEvent): Mapping {
  const object = parse(dispute, event.data.object);
  const base = {
    reference: reference(idOf(object.payment_intent), object.metadata),
    currency: currencyOf(object.currency),
  };
  const amount = BigInt(object.amount);
  const reason = object.reason ?? null;
  if (event.type === 'charge.dispute.created') {
    return { ...base, effects: [{ kind: 'open_dispute', disputeId: object.id, amount, reason }] };
  }
  if (object.status !== 'won' && object.status !== 'lost') return { ...base, effects: [] };
  const outcome = object.status;
  return {
    ...base,
    effects: [{ kind: 'resolve_dispute', disputeId: object.id, amount, outcome, reason }],
  };
}

const handlers: Record<string, (event: StripeEvent) => Mapping> = {
  'payment_intent.amount_capturable_updated': mapPaymentIntent,
  'payment_intent.succeeded': mapPaymentIntent,
  'payment_intent.payment_failed': mapPaymentIntent,
  'payment_intent.canceled': mapPaymentIntent,
  'charge.refunded': mapCharge,
  'refund.created': mapRefund,
  'refund.updated': mapRefund,
  'charge.dispute.created': mapDispute,
  'charge.dispute.closed': mapDispute,
};

function map(payload: unknown): MappedCallback {
  const event = stripeEvent.safeParse(payload);
  if (!event.success)
    return { kind: 'invalid', reason: 'not a Stripe event (id, type, created, data.object)' };
  const handler = Object.hasOwn(handlers, event.data.type) ? handlers[event.data.type] : undefined;
  if (handler === undefined)
    return { kind: 'ignored', reason: `unhandled event type ${event.data.type}` };
  try {
    const mapping = handler(event.data);
    if (mapping.effects.length === 0) {
      return { kind: 'ignored', reason: `${event.data.type} carries nothing for the ledger` };
    }
    return {
      kind: 'effects',
      occurredAt: new Date(event.data.created * 1000).toISOString(),
      ...mapping,
    };
  } catch (error) {
    if (error instanceof Unmappable) return { kind: 'invalid', reason: error.message };
    throw error;
  }
}

// Built once: zod compiles a schema on first use, which is far too slow to repeat per request.
const envelopeSchema = z.object({
  id: z.string().min(1).max(PROVIDER_EVENT_ID_LENGTH_MAX),
  type: z.string().min(1).max(100),
  data: z
    .object({ object: z.object({ metadata }).passthrough() })
    .passthrough()
    .optional(),
});

function envelope(payload: unknown): CallbackEnvelope {
  const event = envelopeSchema.safeParse(payload);
  if (!event.success) return { ok: false, reason: 'id and type must be non-empty strings' };
  const metadataOfObject = event.data.data?.object.metadata;
  return {
    ok: true,
    providerEventId: event.data.id,
    eventType: event.data.type,
    paymentId: ledgerPaymentId(metadataOfObject),
  };
}

export const stripeMapper: ProviderMapper = {
  signatureHeader: 'stripe-signature',
  envelope,
  map: (payload) => map(payload),
};
