import { z } from 'zod';
import { parseCurrencyCode } from '../../domain/money/index.ts';
import type {
  CallbackEffect,
  CallbackEnvelope,
  MappedCallback,
  ProviderMapper,
} from './callback-effects.ts';
import { callbackScopedId } from './callback-effects.ts';
import { PROVIDER_EVENT_ID_LENGTH_MAX } from './inbox-stream.ts';

/** The ledger's own callback format (`sim`), documented in api/webhooks/README-section.md. */
export const SIM_EVENT_TYPES = [
  'payment.authorized',
  'payment.captured',
  'payment.failed',
  'payment.voided',
  'refund.succeeded',
  'refund.failed',
  'dispute.opened',
  'dispute.won',
  'dispute.lost',
  'payment.settled',
] as const;
export type SimEventType = (typeof SIM_EVENT_TYPES)[number];

const minorUnits = z.string().regex(/^(0|[1-9][0-9]{0,18})$/, 'minor units as an integer string');
const identifier = z.string().min(1).max(255);

export const simCallbackSchema = z.object({
  id: identifier,
  type: z.enum(SIM_EVENT_TYPES),
  created: z.number().int().nonnegative().max(253_402_300_799),
  data: z.object({
    paymentId: identifier.optional(),
    providerPaymentId: identifier.optional(),
    amount: minorUnits,
    currency: z.string().min(3).max(3),
    refundId: identifier.optional(),
    disputeId: identifier.optional(),
    fee: minorUnits.optional(),
    reason: z.string().max(500).optional(),
  }),
});
export type SimCallback = z.infer<typeof simCallbackSchema>;

// Built once: zod compiles a schema on first use, which is far too slow to repeat per request.
const envelopeSchema = z.object({
  id: z.string().min(1).max(PROVIDER_EVENT_ID_LENGTH_MAX),
  type: z.string().min(1).max(100),
  data: z.object({ paymentId: identifier.optional() }).optional(),
});

function envelope(payload: unknown): CallbackEnvelope {
  const shape = envelopeSchema.safeParse(payload);
  if (!shape.success) return { ok: false, reason: 'id and type must be non-empty strings' };
  return {
    ok: true,
    providerEventId: shape.data.id,
    eventType: shape.data.type,
    paymentId: shape.data.data?.paymentId ?? null,
  };
}

function needs(value: string | undefined, field: string): string {
  if (value === undefined) throw new SimFieldMissing(field);
  return value;
}

class SimFieldMissing extends Error {}

function effectOf(callback: SimCallback): CallbackEffect {
  const { data } = callback;
  const amount = BigInt(data.amount);
  const reason = data.reason ?? null;
  switch (callback.type) {
    case 'payment.authorized':
      return { kind: 'authorize', amount };
    case 'payment.captured':
      return { kind: 'capture', captureId: callbackScopedId(callback.id), amount };
    case 'payment.failed':
      return { kind: 'fail', reason: reason ?? 'payment failed at the provider' };
    case 'payment.voided':
      // In this format a void is of an authorization, and `amount` is what it held.
      return { kind: 'void', reason, authorizedAmount: amount };
    case 'refund.succeeded':
    case 'refund.failed': {
      const result = callback.type === 'refund.succeeded' ? 'succeeded' : 'failed';
      return { kind: 'refund', refundId: needs(data.refundId, 'refundId'), amount, result, reason };
    }
    case 'dispute.opened':
      return {
        kind: 'open_dispute',
        disputeId: needs(data.disputeId, 'disputeId'),
        amount,
        reason,
      };
    case 'dispute.won':
    case 'dispute.lost': {
      const outcome = callback.type === 'dispute.won' ? 'won' : 'lost';
      const disputeId = needs(data.disputeId, 'disputeId');
      return { kind: 'resolve_dispute', disputeId, amount, outcome, reason };
    }
    case 'payment.settled': {
      const settlementId = callbackScopedId(callback.id);
      return { kind: 'settle', settlementId, amount, fee: BigInt(data.fee ?? '0') };
    }
    default: {
      const unexpected: never = callback.type;
      throw new Error(`unexpected sim type ${String(unexpected)}`);
    }
  }
}

function map(payload: unknown): MappedCallback {
  const type = (payload as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !(SIM_EVENT_TYPES as readonly string[]).includes(type)) {
    return { kind: 'ignored', reason: `unhandled event type ${type.slice(0, 100)}` };
  }
  const parsed = simCallbackSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'invalid', reason: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}` };
  }
  const callback = parsed.data;
  const currency = parseCurrencyCode(callback.data.currency);
  if (!currency.ok) return { kind: 'invalid', reason: `data.currency: ${currency.error.message}` };
  if (callback.data.paymentId === undefined && callback.data.providerPaymentId === undefined) {
    return { kind: 'invalid', reason: 'data: paymentId or providerPaymentId is required' };
  }
  try {
    return {
      kind: 'effects',
      reference: {
        paymentId: callback.data.paymentId ?? null,
        providerPaymentId: callback.data.providerPaymentId ?? null,
      },
      currency: currency.value,
      occurredAt: new Date(callback.created * 1000).toISOString(),
      effects: [effectOf(callback)],
    };
  } catch (error) {
    if (error instanceof SimFieldMissing) {
      return { kind: 'invalid', reason: `data.${error.message} is required for ${callback.type}` };
    }
    throw error;
  }
}

export const simMapper: ProviderMapper = {
  signatureHeader: 'ledger-signature',
  envelope,
  map: (payload) => map(payload),
};
