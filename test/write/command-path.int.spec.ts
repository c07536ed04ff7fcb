import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyHashChain } from '../../infra/write/hash-chain.ts';
import { idempotencyStreamName, requestFingerprint } from '../../infra/write/idempotency.ts';
import { PaymentService } from '../../infra/write/payment-service.ts';
import { paymentStreamName } from '../../domain/payment/events.ts';
import { startTestEventStore, type TestEventStore } from '../support/event-store.ts';
import { apiCaller, capturedPayment } from './support.ts';

describe('payment command path against the embedded event store', () => {
  let store: TestEventStore;
  let service: PaymentService;
  const tenant = `tenant-${randomUUID().slice(0, 8)}`;
  const caller = () => apiCaller(tenant);

  beforeAll(async () => {
    store = await startTestEventStore();
    service = new PaymentService(store.eventStore);
  });

  afterAll(async () => {
    await store?.stop();
  });

  it('runs create → authorize → capture → partial refund with the amounts a finance team expects', async () => {
    const paymentId = await capturedPayment(service, caller(), '10000');
    const refund = await service.refundPayment(caller(), {
      paymentId,
      amount: { amount: '2500', currency: 'USD' },
      reason: 'damaged item',
      idempotencyKey: randomUUID(),
    });
    expect(refund.errors).toEqual([]);
    expect(refund.refund).toMatchObject({ status: 'PENDING', amount: { amount: '2500' } });
    expect(refund.payment).toMatchObject({
      status: 'CAPTURED',
      capturedAmount: { amount: '10000', currency: 'USD', formatted: '100.00' },
      refundedAmount: { amount: '2500' },
      refundableAmount: { amount: '7500' },
    });
    expect(BigInt(refund.consistencyToken!)).toBeGreaterThan(0n);
  });

  it('lets exactly 10 of 50 concurrent refunds of 10 pass on a capture of 100', async () => {
    const paymentId = await capturedPayment(service, caller(), '100');
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        service.refundPayment(caller(), {
          paymentId,
          amount: { amount: '10', currency: 'USD' },
          idempotencyKey: randomUUID(),
        }),
      ),
    );
    const succeeded = results.filter((result) => result.errors.length === 0);
    const refusedCodes = results.flatMap((result) => result.errors.map((error) => error.code));
    expect(succeeded).toHaveLength(10);
    expect(refusedCodes).toHaveLength(40);
    expect(new Set(refusedCodes)).toEqual(new Set(['REFUND_EXCEEDS_REFUNDABLE']));
    const loaded = await service.load(tenant, paymentId);
    expect(loaded?.state.refundedAmount).toBe(100n);
    expect(loaded?.state.refunds.size).toBe(10);
  });

  it('creates one payment for the same idempotency key sent 20 times concurrently', async () => {
    const key = `order-${randomUUID()}`;
    const input = {
      idempotencyKey: key,
      amount: { amount: '4200', currency: 'EUR' },
      reference: 'order 17',
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => service.createPayment(caller(), input)),
    );
    const ids = new Set(results.map((result) => result.payment?.id));
    expect(ids.size).toBe(1);
    const first = JSON.stringify(results[0]);
    for (const result of results) expect(JSON.stringify(result)).toBe(first);
  });

  it('returns the first result byte for byte on a later repeat, and refuses a changed request', async () => {
    const key = randomUUID();
    const input = { idempotencyKey: key, amount: { amount: '999', currency: 'JPY' } };
    const first = await service.createPayment(caller(), input);
    const again = await service.createPayment(caller(), input);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    const changed = await service.createPayment(caller(), {
      ...input,
      amount: { amount: '1000', currency: 'JPY' },
    });
    expect(changed.errors.map((error) => error.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(changed.payment).toBeNull();
  });

  it('scopes idempotency keys per tenant', async () => {
    const key = randomUUID();
    const input = { idempotencyKey: key, amount: { amount: '500', currency: 'USD' } };
    const mine = await service.createPayment(caller(), input);
    const theirs = await service.createPayment(apiCaller('other-tenant'), input);
    expect(mine.payment?.id).toBeDefined();
    expect(theirs.payment?.id).toBeDefined();
    expect(theirs.payment?.id).not.toBe(mine.payment?.id);
  });

  it("hides another tenant's payment exactly like a missing one", async () => {
    const paymentId = await capturedPayment(service, caller(), '1000');
    const foreign = await service.refundPayment(apiCaller('intruder'), {
      paymentId,
      amount: { amount: '1', currency: 'USD' },
      idempotencyKey: randomUUID(),
    });
    const missing = await service.refundPayment(apiCaller('intruder'), {
      paymentId: randomUUID(),
      amount: { amount: '1', currency: 'USD' },
      idempotencyKey: randomUUID(),
    });
    expect(foreign.errors.map((error) => error.code)).toEqual(['PAYMENT_NOT_FOUND']);
    expect(missing.errors.map((error) => error.code)).toEqual(['PAYMENT_NOT_FOUND']);
    expect(await service.load('intruder', paymentId)).toBeUndefined();
  });

  it('refuses bad input with a typed error and writes nothing', async () => {
    const cases = [
      { amount: '-5', currency: 'USD', code: 'INVALID_AMOUNT' },
      { amount: '0', currency: 'USD', code: 'INVALID_AMOUNT' },
      { amount: '10.50', currency: 'USD', code: 'INVALID_AMOUNT' },
      { amount: '99999999999999999999', currency: 'USD', code: 'INVALID_AMOUNT' },
      { amount: '100', currency: 'XYZ', code: 'UNKNOWN_CURRENCY' },
    ];
    for (const { code, ...amount } of cases) {
      const key = randomUUID();
      const result = await service.createPayment(caller(), { idempotencyKey: key, amount });
      expect(result.errors.map((error) => error.code)).toEqual([code]);
      // Nothing was claimed: the same key with a valid request still works.
      const valid = await service.createPayment(caller(), {
        idempotencyKey: key,
        amount: { amount: '1', currency: 'USD' },
      });
      expect(valid.errors).toEqual([]);
    }
  });

  it('chains every event to the previous one and detects a tampered event', async () => {
    const paymentId = await capturedPayment(service, caller(), '7000');
    const events = (await store.eventStore.readStream(paymentStreamName(paymentId)))!;
    expect(events.map((event) => event.type)).toEqual([
      'PaymentInitiated',
      'PaymentAuthorized',
      'PaymentCaptured',
    ]);
    for (const event of events) {
      expect(event.metadata).toMatchObject({ tenantId: tenant, actor: 'key-test', source: 'api' });
    }
    expect(verifyHashChain(events)).toMatchObject({ ok: true, checked: 3 });
    // Forge a copy of the capture with a bigger amount but the original hash, appended by hand.
    const forged = events.map((event) => ({ ...event }));
    forged[2] = { ...forged[2]!, data: { ...forged[2]!.data, amount: '70000' } };
    expect(verifyHashChain(forged)).toMatchObject({ ok: false, revision: 2n });
  });

  it('refuses a capture beyond the authorization and a refund beyond the capture', async () => {
    const created = await service.createPayment(caller(), {
      idempotencyKey: randomUUID(),
      amount: { amount: '1000', currency: 'USD' },
    });
    const paymentId = created.payment!.id;
    await service.authorizePayment(caller(), { paymentId, idempotencyKey: randomUUID() });
    const tooMuch = await service.capturePayment(caller(), {
      paymentId,
      amount: { amount: '1001', currency: 'USD' },
      idempotencyKey: randomUUID(),
    });
    expect(tooMuch.errors[0]?.code).toMatch(/^AMOUNT_EXCEEDS_(CAPTURABLE|AUTHORIZED)$/);
    const partial = await service.capturePayment(caller(), {
      paymentId,
      amount: { amount: '400', currency: 'USD' },
      idempotencyKey: randomUUID(),
    });
    expect(partial.payment?.status).toBe('PARTIALLY_CAPTURED');
    const wrongCurrency = await service.refundPayment(caller(), {
      paymentId,
      amount: { amount: '10', currency: 'EUR' },
      idempotencyKey: randomUUID(),
    });
    expect(wrongCurrency.errors[0]?.code).toBe('CURRENCY_MISMATCH');
    const refund = await service.refundPayment(caller(), {
      paymentId,
      amount: { amount: '401', currency: 'USD' },
      idempotencyKey: randomUUID(),
    });
    expect(refund.errors[0]?.code).toBe('REFUND_EXCEEDS_REFUNDABLE');
  });

  it('decides correctly on a stale cached aggregate when another instance wrote meanwhile', async () => {
    const first = service;
    const second = new PaymentService(store.eventStore);
    const created = await first.createPayment(caller(), {
      idempotencyKey: randomUUID(),
      amount: { amount: '1000', currency: 'USD' },
    });
    const paymentId = created.payment!.id;
    // The second instance authorizes and captures; the first still caches INITIATED.
    await second.authorizePayment(caller(), { paymentId, idempotencyKey: randomUUID() });
    await second.capturePayment(caller(), { paymentId, idempotencyKey: randomUUID() });
    // On the stale state a refund would be refused (nothing captured): it must be accepted.
    const refund = await first.refundPayment(caller(), {
      paymentId,
      amount: { amount: '600', currency: 'USD' },
      idempotencyKey: randomUUID(),
    });
    expect(refund.errors).toEqual([]);
    // The second instance now holds a stale state (no refund): a second 600 must be refused.
    const tooMuch = await second.refundPayment(caller(), {
      paymentId,
      amount: { amount: '600', currency: 'USD' },
      idempotencyKey: randomUUID(),
    });
    expect(tooMuch.errors.map((error) => error.code)).toEqual(['REFUND_EXCEEDS_REFUNDABLE']);
    const loaded = await first.load(tenant, paymentId);
    expect(loaded?.state.refundedAmount).toBe(600n);
    expect(loaded?.events.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n]);
  });

  it('completes a command whose first attempt died after its events but before its result', async () => {
    const created = await service.createPayment(caller(), {
      idempotencyKey: randomUUID(),
      amount: { amount: '800', currency: 'USD' },
    });
    const paymentId = created.payment!.id;
    const key = randomUUID();
    const firstAttemptAt = '2026-01-02T03:04:05.000Z';
    // What a crashed first attempt leaves: the claim (with its reserved time) and its events.
    await store.eventStore.append(
      idempotencyStreamName(tenant, key),
      [
        {
          id: randomUUID(),
          type: 'IdempotencyKeyClaimed',
          data: {
            tenantId: tenant,
            operation: 'authorizePayment',
            requestFingerprint: requestFingerprint('authorizePayment', { paymentId }),
            reservedIds: { at: firstAttemptAt },
            claimedAt: firstAttemptAt,
          },
          metadata: {},
        },
      ],
      'no_stream',
    );
    const crashed = await new PaymentService(store.eventStore).execute(caller(), {
      type: 'AuthorizePayment',
      data: {
        paymentId,
        captureExpiresAt: new Date(Date.parse(firstAttemptAt) + 7 * 24 * 3600 * 1000).toISOString(),
        at: firstAttemptAt,
      },
    });
    expect(crashed.ok).toBe(true);
    // The client retries with its key: the same decision again, so nothing new and no refusal.
    const retried = await service.authorizePayment(caller(), { paymentId, idempotencyKey: key });
    expect(retried.errors).toEqual([]);
    expect(retried.payment?.status).toBe('AUTHORIZED');
    const events = (await store.eventStore.readStream(paymentStreamName(paymentId)))!;
    expect(events.filter((event) => event.type === 'PaymentAuthorized')).toHaveLength(1);
  }, 30_000);
});
