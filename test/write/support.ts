import { randomUUID } from 'node:crypto';
import type { Caller, PaymentService } from '../../infra/write/payment-service.ts';

export function apiCaller(tenantId: string, actor = 'key-test'): Caller {
  const requestId = randomUUID();
  return { tenantId, actor, source: 'api', correlationId: requestId, causationId: requestId };
}

/** A captured payment of `amount` minor units, ready for refunds. */
export async function capturedPayment(
  service: PaymentService,
  caller: Caller,
  amount: string,
  currency = 'USD',
): Promise<string> {
  const created = await service.createPayment(caller, {
    idempotencyKey: `create-${randomUUID()}`,
    amount: { amount, currency },
  });
  const paymentId = created.payment?.id;
  if (!paymentId) throw new Error(`create failed: ${JSON.stringify(created.errors)}`);
  const authorized = await service.authorizePayment(caller, {
    paymentId,
    idempotencyKey: `authorize-${randomUUID()}`,
  });
  if (authorized.errors.length > 0) throw new Error(JSON.stringify(authorized.errors));
  const captured = await service.capturePayment(caller, {
    paymentId,
    idempotencyKey: `capture-${randomUUID()}`,
  });
  if (captured.errors.length > 0) throw new Error(JSON.stringify(captured.errors));
  return paymentId;
}
