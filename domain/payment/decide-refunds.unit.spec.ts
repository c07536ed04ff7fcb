import { describe, expect, it } from 'vitest';
import { evolve } from './evolve.ts';
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

const capturedHistory = [initiated(), authorized(), captured()];
const requested = (overrides = {}) => event('RefundRequested', overrides);
const requestRefund = (data = {}) =>
  command('RequestRefund', { refundId: 'ref_1', amount: usd(400n), at: at(5), ...data });
const completeRefund = (refundId = 'ref_1') => command('CompleteRefund', { refundId, at: at(6) });
const failRefund = (refundId = 'ref_1') => command('FailRefund', { refundId, at: at(6) });

describe('RequestRefund, accepted', () => {
  it('reserves the amount as pending', () => {
    expectEvents(capturedHistory, requestRefund({ reason: 'requested_by_customer' }), [
      requested({ reason: 'requested_by_customer' }),
    ]);
    expect(stateAfter([...capturedHistory, requested()])).toMatchObject({
      status: 'CAPTURED',
      refundPendingAmount: 400n,
      refundedAmount: 400n,
      refundableAmount: 600n,
    });
  });

  it('allows refunds on a partially captured and on a settled payment', () => {
    const partial = [initiated(), authorized(), captured({ amount: '500' })];
    expectEvents(partial, requestRefund(), [requested()]);
    expectEvents([...capturedHistory, event('PaymentSettled')], requestRefund(), [requested()]);
  });

  it('allows exactly the refundable amount, not one unit more', () => {
    const history = [...capturedHistory, requested()];
    expectEvents(history, requestRefund({ refundId: 'ref_2', amount: usd(600n) }), [
      requested({ refundId: 'ref_2', amount: '600' }),
    ]);
    expectRefusal(
      history,
      requestRefund({ refundId: 'ref_2', amount: usd(601n) }),
      'REFUND_EXCEEDS_REFUNDABLE',
    );
  });

  it('counts succeeded refunds and open or lost disputes against the refundable amount', () => {
    const history = [
      ...capturedHistory,
      requested(),
      event('RefundSucceeded'),
      event('DisputeOpened', { amount: '500' }),
    ];
    expect(stateAfter(history).refundableAmount).toBe(100n);
    expectRefusal(
      history,
      requestRefund({ refundId: 'ref_2', amount: usd(101n) }),
      'REFUND_EXCEEDS_REFUNDABLE',
    );
  });

  it('makes a failed refund amount refundable again', () => {
    const history = [
      ...capturedHistory,
      requested({ amount: '1000' }),
      event('RefundFailed', { amount: '1000' }),
    ];
    expectEvents(history, requestRefund({ refundId: 'ref_2', amount: usd(1000n) }), [
      requested({ refundId: 'ref_2', amount: '1000' }),
    ]);
  });
});

describe('RequestRefund, repeated or refused', () => {
  it('is a no-op for the same refund id and amount, whatever its status', () => {
    expectEvents([...capturedHistory, requested()], requestRefund({ at: at(9) }), []);
    const succeeded = [...capturedHistory, requested(), event('RefundSucceeded')];
    expectEvents(succeeded, requestRefund({ reason: 'another wording' }), []);
  });

  it('refuses the same refund id with another amount', () => {
    expectRefusal(
      [...capturedHistory, requested()],
      requestRefund({ amount: usd(300n) }),
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('refuses before capture and on closed payments', () => {
    expectRefusal([initiated(), authorized()], requestRefund(), 'INVALID_TRANSITION');
    expectRefusal([initiated(), event('PaymentVoided')], requestRefund(), 'INVALID_TRANSITION');
  });

  it('refuses another currency, a zero amount and an empty id', () => {
    const euros = requestRefund({ amount: { amount: 1n, currency: EUR } });
    expectRefusal(capturedHistory, euros, 'CURRENCY_MISMATCH');
    expectRefusal(capturedHistory, requestRefund({ amount: usd(0n) }), 'INVALID_AMOUNT');
    expectRefusal(capturedHistory, requestRefund({ refundId: '' }), 'INVALID_COMMAND');
  });
});

describe('CompleteRefund and FailRefund', () => {
  const pending = [...capturedHistory, requested()];

  it('completes a pending refund, moving it from pending to succeeded', () => {
    expectEvents(pending, completeRefund(), [event('RefundSucceeded')]);
    expect(stateAfter([...pending, event('RefundSucceeded')])).toMatchObject({
      refundPendingAmount: 0n,
      refundSucceededAmount: 400n,
      refundedAmount: 400n,
      refundableAmount: 600n,
    });
  });

  it('fails a pending refund, releasing its reservation', () => {
    expectEvents(pending, failRefund(), [event('RefundFailed')]);
    expect(stateAfter([...pending, event('RefundFailed')])).toMatchObject({
      refundPendingAmount: 0n,
      refundSucceededAmount: 0n,
      refundableAmount: 1000n,
    });
  });

  it('is a no-op when the outcome is already recorded', () => {
    expectEvents([...pending, event('RefundSucceeded')], completeRefund(), []);
    expectEvents([...pending, event('RefundFailed')], failRefund(), []);
  });

  it('refuses the opposite outcome', () => {
    expectRefusal([...pending, event('RefundFailed')], completeRefund(), 'INVALID_TRANSITION');
    expectRefusal([...pending, event('RefundSucceeded')], failRefund(), 'INVALID_TRANSITION');
  });

  it('refuses an unknown refund', () => {
    expectRefusal(pending, completeRefund('ref_9'), 'REFUND_NOT_FOUND');
    expectRefusal(pending, failRefund('ref_9'), 'REFUND_NOT_FOUND');
  });

  it('folds a duplicated outcome without refunding or releasing twice', () => {
    const once = stateAfter([...pending, event('RefundSucceeded')]);
    const twice = evolve(once, event('RefundSucceeded'));
    expect({ ...twice, version: once.version }).toEqual(once);
    const released = stateAfter([...pending, event('RefundFailed')]);
    const releasedTwice = evolve(released, event('RefundFailed'));
    expect(releasedTwice.refundableAmount).toBe(released.refundableAmount);
  });
});
