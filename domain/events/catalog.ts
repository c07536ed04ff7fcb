import { z } from 'zod';
import type { PaymentEventOf, PaymentEventType } from '../payment/events.ts';
import {
  captureMode,
  currency,
  identifier,
  instant,
  nonNegativeAmount,
  nullableInstant,
  nullableText,
  positiveAmount,
} from './schemas.ts';

/**
 * Every stored shape of every event type. `versions[n]` validates data written at schema
 * version n; `upcast[n]` turns validated version-n data into version n + 1. The last version is
 * the current one, the shape of the in-memory event. Unknown keys are stripped, not refused, so
 * a field added by newer code does not stop an older reader.
 */
type EventDefinition<Type extends PaymentEventType> = {
  versions: readonly z.ZodType[];
  upcast: readonly ((data: unknown) => unknown)[];
  current: z.ZodType<PaymentEventOf<Type>['data']>;
};

function single<Type extends PaymentEventType>(
  schema: z.ZodType<PaymentEventOf<Type>['data']>,
): EventDefinition<Type> {
  return { versions: [schema], upcast: [], current: schema };
}

const paymentInitiatedV1 = z.object({
  paymentId: identifier,
  tenantId: identifier,
  amount: positiveAmount,
  currency,
  reference: nullableText,
  providerPaymentId: nullableText,
  provider: nullableText,
  authorizationExpiresAt: nullableInstant,
  initiatedAt: instant,
});

// v2 added captureMode. Payments written before it were all captured by an explicit call.
const paymentInitiatedV2 = paymentInitiatedV1.extend({ captureMode });

const refundFields = {
  paymentId: identifier,
  refundId: identifier,
  amount: positiveAmount,
  currency,
};
const disputeFields = {
  paymentId: identifier,
  disputeId: identifier,
  amount: positiveAmount,
  currency,
};

const paymentSettled = z
  .object({
    paymentId: identifier,
    settlementId: identifier,
    amount: positiveAmount,
    fee: nonNegativeAmount,
    net: nonNegativeAmount,
    currency,
    settledAt: instant,
  })
  .refine((data) => BigInt(data.amount) - BigInt(data.fee) === BigInt(data.net), {
    message: 'net must equal amount - fee',
    path: ['net'],
  });

export const EVENT_CATALOG: { [Type in PaymentEventType]: EventDefinition<Type> } = {
  PaymentInitiated: {
    versions: [paymentInitiatedV1, paymentInitiatedV2],
    upcast: [(data) => ({ ...(data as object), captureMode: 'manual' })],
    current: paymentInitiatedV2,
  },
  PaymentAuthorized: single(
    z.object({
      paymentId: identifier,
      amount: positiveAmount,
      currency,
      authorizationId: nullableText,
      captureExpiresAt: nullableInstant,
      authorizedAt: instant,
    }),
  ),
  PaymentCaptured: single(
    z.object({
      paymentId: identifier,
      captureId: identifier,
      amount: positiveAmount,
      currency,
      capturedAt: instant,
    }),
  ),
  PaymentVoided: single(
    z.object({ paymentId: identifier, reason: nullableText, voidedAt: instant }),
  ),
  PaymentFailed: single(z.object({ paymentId: identifier, reason: z.string(), failedAt: instant })),
  PaymentExpired: single(z.object({ paymentId: identifier, expiredAt: instant })),
  PaymentSettled: single(paymentSettled),
  RefundRequested: single(
    z.object({ ...refundFields, reason: nullableText, requestedAt: instant }),
  ),
  RefundSucceeded: single(z.object({ ...refundFields, succeededAt: instant })),
  RefundFailed: single(z.object({ ...refundFields, reason: nullableText, failedAt: instant })),
  DisputeOpened: single(z.object({ ...disputeFields, reason: nullableText, openedAt: instant })),
  DisputeWon: single(z.object({ ...disputeFields, resolvedAt: instant })),
  DisputeLost: single(z.object({ ...disputeFields, resolvedAt: instant })),
};

/** The schema version every event is written at today. */
export function currentSchemaVersion(type: PaymentEventType): number {
  return EVENT_CATALOG[type].versions.length;
}
