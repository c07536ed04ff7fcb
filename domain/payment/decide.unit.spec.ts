import { describe, expect, it } from 'vitest';
import type { CurrencyCode } from '../money/index.ts';
import type { PaymentCommand } from './commands.ts';
import { decide } from './decide.ts';
import {
  at,
  authorized,
  captured,
  command,
  EUR,
  event,
  initiated,
  PAYMENT_ID,
  stateAfter,
  usd,
} from './testing/fixtures.ts';
import { expectEvents, expectRefusal } from './testing/expectations.ts';

const create = (data = {}) =>
  command('CreatePayment', {
    tenantId: 'tenant_1',
    amount: usd(1000n),
    reference: 'order-1',
    provider: 'acme',
    authorizationExpiresAt: at(60),
    at: at(0),
    ...data,
  });

describe('CreatePayment', () => {
  it('initiates a payment: optional fields default to null, capture mode to manual', () => {
    const minimal = command('CreatePayment', {
      tenantId: 'tenant_1',
      amount: usd(1000n),
      at: at(0),
    });
    expectEvents([], minimal, [
      initiated({ reference: null, provider: null, authorizationExpiresAt: null }),
    ]);
  });

  it('keeps every given field', () => {
    expectEvents([], create({ captureMode: 'automatic', providerPaymentId: 'pi_9' }), [
      initiated({ captureMode: 'automatic', providerPaymentId: 'pi_9' }),
    ]);
  });

  it('is a no-op when the same payment is created again, even later on', () => {
    expectEvents([initiated(), authorized()], create({ at: at(30) }), []);
  });

  it('refuses the same id with different data', () => {
    expectRefusal([initiated()], create({ amount: usd(999n) }), 'PAYMENT_ALREADY_EXISTS');
    expectRefusal([initiated()], create({ reference: 'order-2' }), 'PAYMENT_ALREADY_EXISTS');
  });

  it.each([
    ['a zero amount', { amount: usd(0n) }, 'INVALID_AMOUNT'],
    ['a negative amount', { amount: usd(-5n) }, 'INVALID_AMOUNT'],
    ['an amount over 64 bits', { amount: usd(9_223_372_036_854_775_808n) }, 'INVALID_AMOUNT'],
    ['a metal', { amount: { amount: 5n, currency: 'XAU' as CurrencyCode } }, 'UNKNOWN_CURRENCY'],
    ['an empty tenant', { tenantId: '' }, 'INVALID_COMMAND'],
    ['a time that is not ISO', { at: 'yesterday' }, 'INVALID_COMMAND'],
    ['a day that does not exist', { at: '2025-02-30T00:00:00Z' }, 'INVALID_COMMAND'],
    ['a deadline without time', { authorizationExpiresAt: '2025-01-01' }, 'INVALID_COMMAND'],
    ['an unknown capture mode', { captureMode: 'later' }, 'INVALID_COMMAND'],
  ] as const)('refuses %s with %s', (_label, data, code) => {
    expectRefusal([], create(data as object), code);
  });

  it('refuses an empty payment id', () => {
    const when = { ...create(), data: { ...create().data, paymentId: ' ' } } as PaymentCommand;
    expect(decide(when, undefined)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_COMMAND' },
    });
  });
});

describe('every command but CreatePayment on a missing stream', () => {
  it.each([
    command('AuthorizePayment', {}),
    command('CapturePayment', { captureId: 'cap_1' }),
    command('VoidPayment', {}),
    command('FailPayment', { reason: 'declined' }),
    command('ExpirePayment', {}),
    command('SettlePayment', { settlementId: 's', amount: usd(1n), fee: usd(0n) }),
    command('RequestRefund', { refundId: 'r', amount: usd(1n) }),
    command('CompleteRefund', { refundId: 'r' }),
    command('FailRefund', { refundId: 'r' }),
    command('OpenDispute', { disputeId: 'd', amount: usd(1n) }),
    command('ResolveDispute', { disputeId: 'd', outcome: 'won' }),
  ])('refuses $type with PAYMENT_NOT_FOUND', (when) => {
    expectRefusal([], when, 'PAYMENT_NOT_FOUND');
  });

  it('refuses a command addressed to another payment than the state loaded', () => {
    const when = { type: 'VoidPayment', data: { paymentId: 'other', at: at(1) } } as const;
    expectRefusal([initiated()], when, 'INVALID_COMMAND');
  });
});

describe('AuthorizePayment', () => {
  const authorize = (data = {}) =>
    command('AuthorizePayment', {
      authorizationId: 'auth_1',
      captureExpiresAt: at(7 * 24 * 60),
      at: at(1),
      ...data,
    });

  it('authorizes the whole amount by default', () => {
    expectEvents([initiated()], authorize(), [authorized()]);
  });

  it('authorizes less than the amount', () => {
    expectEvents([initiated()], authorize({ amount: usd(600n) }), [authorized({ amount: '600' })]);
  });

  it('is a no-op when repeated with the same data, even after capture', () => {
    expectEvents([initiated(), authorized()], authorize(), []);
    expectEvents([initiated(), authorized(), captured()], authorize({ at: at(9) }), []);
  });

  it('refuses a second authorization with other data', () => {
    expectRefusal(
      [initiated(), authorized()],
      authorize({ amount: usd(5n) }),
      'INVALID_TRANSITION',
    );
  });

  it('refuses more than the payment amount', () => {
    expectRefusal([initiated()], authorize({ amount: usd(1001n) }), 'AMOUNT_EXCEEDS_PAYMENT');
  });

  it('refuses another currency and a non-positive amount', () => {
    expectRefusal(
      [initiated()],
      authorize({ amount: { amount: 5n, currency: EUR } }),
      'CURRENCY_MISMATCH',
    );
    expectRefusal([initiated()], authorize({ amount: usd(0n) }), 'INVALID_AMOUNT');
  });

  it('refuses once the authorization window has passed (at >= deadline)', () => {
    expectRefusal([initiated()], authorize({ at: at(60) }), 'PAYMENT_EXPIRED');
  });

  it.each(['PaymentFailed', 'PaymentVoided', 'PaymentExpired'] as const)(
    'refuses after %s',
    (closing) => {
      expectRefusal([initiated(), event(closing)], authorize(), 'INVALID_TRANSITION');
    },
  );
});

describe('VoidPayment, FailPayment, ExpirePayment', () => {
  const voidPayment = command('VoidPayment', { reason: 'customer_cancelled', at: at(3) });
  const fail = command('FailPayment', { reason: 'card_declined', at: at(3) });
  const expire = command('ExpirePayment', { at: at(61) });

  it('voids an INITIATED or AUTHORIZED payment, once', () => {
    const voided = event('PaymentVoided', { reason: 'customer_cancelled' });
    expectEvents([initiated()], voidPayment, [voided]);
    expectEvents([initiated(), authorized()], voidPayment, [voided]);
    expectEvents([initiated(), voided], voidPayment, []);
    expect(stateAfter([initiated(), authorized(), voided])).toMatchObject({
      status: 'VOIDED',
      capturableAmount: 0n,
      closeReason: 'customer_cancelled',
    });
  });

  it('refuses to void a captured or otherwise closed payment', () => {
    expectRefusal(
      [initiated(), authorized(), captured({ amount: '1' })],
      voidPayment,
      'INVALID_TRANSITION',
    );
    expectRefusal([initiated(), event('PaymentFailed')], voidPayment, 'INVALID_TRANSITION');
  });

  it('fails an INITIATED payment, once, and only that', () => {
    expectEvents([initiated()], fail, [event('PaymentFailed')]);
    expectEvents([initiated(), event('PaymentFailed')], fail, []);
    expectRefusal([initiated(), authorized()], fail, 'INVALID_TRANSITION');
    expectRefusal([initiated(), event('PaymentExpired')], fail, 'INVALID_TRANSITION');
  });

  it('refuses to fail without a reason', () => {
    expectRefusal([initiated()], command('FailPayment', { reason: '' }), 'INVALID_COMMAND');
  });

  it('expires an INITIATED payment at or after its deadline, once', () => {
    expectEvents([initiated()], command('ExpirePayment', { at: at(60) }), [
      event('PaymentExpired', { expiredAt: at(60) }),
    ]);
    expectEvents([initiated(), event('PaymentExpired')], expire, []);
  });

  it('refuses to expire before the deadline, without a deadline, or after authorization', () => {
    expectRefusal([initiated()], command('ExpirePayment', { at: at(59) }), 'INVALID_TRANSITION');
    expectRefusal([initiated({ authorizationExpiresAt: null })], expire, 'INVALID_TRANSITION');
    expectRefusal([initiated(), authorized()], expire, 'INVALID_TRANSITION');
  });
});

describe('evolve and fold', () => {
  it('counts folded events and tracks times', () => {
    const state = stateAfter([initiated(), authorized(), captured()]);
    expect(state).toMatchObject({
      paymentId: PAYMENT_ID,
      version: 3,
      createdAt: at(0),
      updatedAt: at(2),
      authorizedAmount: 1000n,
      capturedAmount: 1000n,
      refundableAmount: 1000n,
    });
  });

  it('throws on a stream that cannot be true', () => {
    expect(() => stateAfter([authorized()])).toThrow(/before PaymentInitiated/);
    expect(() => stateAfter([initiated(), initiated()])).toThrow(/initiated twice/);
    expect(() => stateAfter([initiated(), event('RefundSucceeded')])).toThrow(/unknown refund/);
  });
});
