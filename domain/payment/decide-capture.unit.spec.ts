import { describe, expect, it } from 'vitest';
import {
  at,
  authorized,
  captured,
  command,
  EUR,
  event,
  initiated,
  stateAfter,
  usd,
} from './testing/fixtures.ts';
import { expectEvents, expectRefusal } from './testing/expectations.ts';

describe('CapturePayment', () => {
  const capture = (data = {}) =>
    command('CapturePayment', { captureId: 'cap_1', at: at(2), ...data });
  const afterAuthorization = [initiated(), authorized()];

  it('captures the remaining authorization by default, reaching CAPTURED', () => {
    expectEvents(afterAuthorization, capture(), [captured()]);
    expect(stateAfter([...afterAuthorization, captured()]).status).toBe('CAPTURED');
  });

  it('captures in parts: PARTIALLY_CAPTURED, then CAPTURED with the rest', () => {
    const first = captured({ amount: '300' });
    expectEvents(afterAuthorization, capture({ amount: usd(300n) }), [first]);
    const partially = stateAfter([...afterAuthorization, first]);
    expect(partially).toMatchObject({ status: 'PARTIALLY_CAPTURED', capturableAmount: 700n });
    expectEvents([...afterAuthorization, first], capture({ captureId: 'cap_2' }), [
      captured({ captureId: 'cap_2', amount: '700' }),
    ]);
  });

  it('is a no-op for a capture id already captured with the same or an omitted amount', () => {
    const history = [...afterAuthorization, captured({ amount: '300' })];
    expectEvents(history, capture({ amount: usd(300n), at: at(5) }), []);
    expectEvents(history, capture(), []);
  });

  it('refuses a capture id reused with another amount', () => {
    const history = [...afterAuthorization, captured({ amount: '300' })];
    expectRefusal(history, capture({ amount: usd(200n) }), 'IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses more than authorized, and more than what remains', () => {
    const partial = [initiated(), authorized({ amount: '600' })];
    expectRefusal(partial, capture({ amount: usd(601n) }), 'AMOUNT_EXCEEDS_AUTHORIZED');
    const history = [...partial, captured({ amount: '500' })];
    expectRefusal(
      history,
      capture({ captureId: 'cap_2', amount: usd(101n) }),
      'AMOUNT_EXCEEDS_CAPTURABLE',
    );
  });

  it('refuses before authorization, after full capture, after settlement, when closed', () => {
    expectRefusal([initiated()], capture(), 'INVALID_TRANSITION');
    expectRefusal(
      [...afterAuthorization, captured()],
      capture({ captureId: 'cap_2' }),
      'INVALID_TRANSITION',
    );
    const settled = [
      ...afterAuthorization,
      captured({ amount: '500' }),
      event('PaymentSettled', { amount: '500', fee: '0', net: '500' }),
    ];
    expectRefusal(settled, capture({ captureId: 'cap_2' }), 'INVALID_TRANSITION');
    expectRefusal([...afterAuthorization, event('PaymentVoided')], capture(), 'INVALID_TRANSITION');
  });

  it('refuses once the capture window has passed', () => {
    const history = [initiated(), authorized({ captureExpiresAt: at(100) })];
    expectRefusal(history, capture({ at: at(100) }), 'PAYMENT_EXPIRED');
  });

  it('refuses another currency, a zero amount and an empty capture id', () => {
    expectRefusal(
      afterAuthorization,
      capture({ amount: { amount: 1n, currency: EUR } }),
      'CURRENCY_MISMATCH',
    );
    expectRefusal(afterAuthorization, capture({ amount: usd(0n) }), 'INVALID_AMOUNT');
    expectRefusal(afterAuthorization, capture({ captureId: '' }), 'INVALID_COMMAND');
  });
});

describe('SettlePayment', () => {
  const settle = (data = {}) =>
    command('SettlePayment', {
      settlementId: 'set_1',
      amount: usd(1000n),
      fee: usd(30n),
      at: at(4),
      ...data,
    });
  const capturedHistory = [initiated(), authorized(), captured()];

  it('settles a captured payment with its fee and net', () => {
    expectEvents(capturedHistory, settle(), [event('PaymentSettled')]);
    expect(stateAfter([...capturedHistory, event('PaymentSettled')])).toMatchObject({
      status: 'SETTLED',
      settledAmount: 1000n,
      feeAmount: 30n,
    });
  });

  it('settles a partially captured payment and accepts a zero fee', () => {
    const partial = [initiated(), authorized(), captured({ amount: '400' })];
    expectEvents(partial, settle({ amount: usd(400n), fee: usd(0n) }), [
      event('PaymentSettled', { amount: '400', fee: '0', net: '400' }),
    ]);
  });

  it('is a no-op for the same settlement, refuses it with other amounts or another id', () => {
    const settled = [...capturedHistory, event('PaymentSettled')];
    expectEvents(settled, settle({ at: at(50) }), []);
    expectRefusal(settled, settle({ fee: usd(31n) }), 'IDEMPOTENCY_KEY_REUSED');
    expectRefusal(settled, settle({ settlementId: 'set_2' }), 'INVALID_TRANSITION');
  });

  it('refuses more than captured, a fee above the amount, a negative fee', () => {
    expectRefusal(capturedHistory, settle({ amount: usd(1001n) }), 'SETTLEMENT_EXCEEDS_CAPTURED');
    expectRefusal(capturedHistory, settle({ amount: usd(10n), fee: usd(11n) }), 'INVALID_AMOUNT');
    expectRefusal(capturedHistory, settle({ fee: usd(-1n) }), 'INVALID_AMOUNT');
    expectRefusal(
      capturedHistory,
      settle({ fee: { amount: 1n, currency: EUR } }),
      'CURRENCY_MISMATCH',
    );
  });

  it('refuses to settle what was never captured', () => {
    expectRefusal([initiated(), authorized()], settle(), 'INVALID_TRANSITION');
    expectRefusal([initiated()], settle(), 'INVALID_TRANSITION');
  });
});
