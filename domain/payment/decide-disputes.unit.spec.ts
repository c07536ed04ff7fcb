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

const capturedHistory = [initiated(), authorized(), captured()];
const requested = (overrides = {}) => event('RefundRequested', overrides);

const opened = (overrides = {}) => event('DisputeOpened', overrides);

const openDispute = (data = {}) =>
  command('OpenDispute', { disputeId: 'dis_1', amount: usd(300n), at: at(5), ...data });
const resolve = (outcome: 'won' | 'lost', disputeId = 'dis_1') =>
  command('ResolveDispute', { disputeId, outcome, at: at(6) });

describe('disputes, accepted', () => {
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
});

describe('disputes, repeated or refused', () => {
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
