import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../errors.ts';
import type { PaymentCommand } from './commands.ts';
import type { PaymentEvent } from './events.ts';
import { evolve } from './evolve.ts';
import {
  at,
  authorized,
  captured,
  command,
  decideAfter,
  EUR,
  event,
  initiated,
  stateAfter,
  usd,
} from './testing/fixtures.ts';

function expectEvents(given: PaymentEvent[], when: PaymentCommand, then: PaymentEvent[]) {
  expect(decideAfter(given, when)).toEqual({ ok: true, events: then });
}

function expectRefusal(given: PaymentEvent[], when: PaymentCommand, code: ErrorCode) {
  expect(decideAfter(given, when)).toMatchObject({ ok: false, error: { code } });
}

const capturedHistory = [initiated(), authorized(), captured()];
const requested = (overrides = {}) => event('RefundRequested', overrides);
const requestRefund = (data = {}) =>
  command('RequestRefund', { refundId: 'ref_1', amount: usd(400n), at: at(5), ...data });
const completeRefund = (refundId = 'ref_1') => command('CompleteRefund', { refundId, at: at(6) });
const failRefund = (refundId = 'ref_1') => command('FailRefund', { refundId, at: at(6) });

describe('RequestRefund', () => {
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

describe('disputes', () => {
  const opened = (overrides = {}) => event('DisputeOpened', overrides);
  const openDispute = (data = {}) =>
    command('OpenDispute', { disputeId: 'dis_1', amount: usd(300n), at: at(5), ...data });
  const resolve = (outcome: 'won' | 'lost', disputeId = 'dis_1') =>
    command('ResolveDispute', { disputeId, outcome, at: at(6) });

  it('opens a dispute on captured money', () => {
    expectEvents(capturedHistory, openDispute({ reason: 'fraudulent' }), [
      opened({ reason: 'fraudulent' }),
    ]);
    expect(stateAfter([...capturedHistory, opened()])).toMatchObject({
      disputeOpenAmount: 300n,
      disputedAmount: 300n,
      refundableAmount: 700n,
      status: 'CAPTURED',
    });
  });

  it('limits disputes to captured minus open and lost disputes, ignoring refunds', () => {
    const history = [...capturedHistory, requested({ amount: '1000' }), opened({ amount: '600' })];
    expectEvents(history, openDispute({ disputeId: 'dis_2', amount: usd(400n) }), [
      opened({ disputeId: 'dis_2', amount: '400' }),
    ]);
    expectRefusal(
      history,
      openDispute({ disputeId: 'dis_2', amount: usd(401n) }),
      'DISPUTE_EXCEEDS_CAPTURED',
    );
    expect(stateAfter(history).refundableAmount).toBe(0n);
  });

  it('releases a won dispute and keeps a lost one counted', () => {
    expectEvents([...capturedHistory, opened()], resolve('won'), [event('DisputeWon')]);
    expectEvents([...capturedHistory, opened()], resolve('lost'), [event('DisputeLost')]);
    expect(stateAfter([...capturedHistory, opened(), event('DisputeWon')]).disputedAmount).toBe(0n);
    expect(stateAfter([...capturedHistory, opened(), event('DisputeLost')])).toMatchObject({
      disputedAmount: 300n,
      disputeLostAmount: 300n,
      refundableAmount: 700n,
    });
  });

  it('is a no-op for a repeated opening or outcome, refuses the other outcome', () => {
    expectEvents([...capturedHistory, opened()], openDispute(), []);
    expectEvents([...capturedHistory, opened(), event('DisputeWon')], resolve('won'), []);
    expectRefusal(
      [...capturedHistory, opened(), event('DisputeWon')],
      resolve('lost'),
      'INVALID_TRANSITION',
    );
    expectRefusal(
      [...capturedHistory, opened(), event('DisputeLost')],
      resolve('won'),
      'INVALID_TRANSITION',
    );
  });

  it('refuses a reused dispute id, an unknown dispute, an unknown outcome', () => {
    expectRefusal(
      [...capturedHistory, opened()],
      openDispute({ amount: usd(1n) }),
      'IDEMPOTENCY_KEY_REUSED',
    );
    expectRefusal(capturedHistory, resolve('won'), 'DISPUTE_NOT_FOUND');
    const odd = command('ResolveDispute', { disputeId: 'dis_1', outcome: 'draw' as 'won' });
    expectRefusal([...capturedHistory, opened()], odd, 'INVALID_COMMAND');
  });

  it('refuses disputes before capture, in another currency, for nothing', () => {
    expectRefusal([initiated(), authorized()], openDispute(), 'INVALID_TRANSITION');
    expectRefusal(
      capturedHistory,
      openDispute({ amount: { amount: 1n, currency: EUR } }),
      'CURRENCY_MISMATCH',
    );
    expectRefusal(capturedHistory, openDispute({ amount: usd(0n) }), 'INVALID_AMOUNT');
  });
});
