import { describe, expect, it } from 'vitest';
import { planNextStep } from '../../infra/webhooks/plan.ts';
import { ProgressTracker } from '../../infra/webhooks/progress-tracker.ts';
import { retryDelayMs } from '../../infra/webhooks/retry-policy.ts';
import { simMapper } from '../../infra/webhooks/sim-mapper.ts';
import { stripeMapper } from '../../infra/webhooks/stripe-mapper.ts';
import type { PaymentState } from '../../domain/payment/state.ts';
import type { CurrencyCode } from '../../domain/money/index.ts';
import {
  chargeRefundedEvent,
  disputeEvent,
  paymentIntentEvent,
  unhandledEvent,
} from './stripe-fixtures.ts';

describe('provider payload mapping', () => {
  it('maps Stripe payment intents, charges and disputes with the provider ids', () => {
    const succeeded = paymentIntentEvent('payment_intent.succeeded', {
      id: 'pi_1',
      amount: 900,
      received: 900,
      charge: 'ch_1',
    });
    expect(stripeMapper.map(succeeded, succeeded.id)).toMatchObject({
      kind: 'effects',
      currency: 'USD' as CurrencyCode,
      reference: { paymentId: null, providerPaymentId: 'pi_1' },
      effects: [{ kind: 'capture', captureId: 'ch_1', amount: 900n }],
    });
    const refunded = chargeRefundedEvent('pi_1', [
      { id: 're_1', amount: 100, status: 'succeeded' },
      { id: 're_2', amount: 50, status: 'failed' },
    ]);
    expect(stripeMapper.map(refunded, refunded.id)).toMatchObject({
      effects: [
        { kind: 'refund', refundId: 're_1', amount: 100n, result: 'succeeded' },
        { kind: 'refund', refundId: 're_2', amount: 50n, result: 'failed' },
      ],
    });
    const closed = disputeEvent('charge.dispute.closed', {
      id: 'dp_1',
      paymentIntent: 'pi_1',
      amount: 900,
      status: 'won',
    });
    expect(stripeMapper.map(closed, closed.id)).toMatchObject({
      effects: [{ kind: 'resolve_dispute', disputeId: 'dp_1', outcome: 'won' }],
    });
    expect(stripeMapper.map(unhandledEvent(), 'x')).toMatchObject({ kind: 'ignored' });
  });

  it('maps the sim format and reports what is wrong with a bad one', () => {
    const callback = {
      id: 'evt_9',
      type: 'refund.succeeded',
      created: 1_700_000_000,
      data: { paymentId: 'p-1', amount: '250', currency: 'EUR', refundId: 're_9' },
    };
    expect(simMapper.map(callback, 'evt_9')).toEqual({
      kind: 'effects',
      reference: { paymentId: 'p-1', providerPaymentId: null },
      currency: 'EUR' as CurrencyCode,
      occurredAt: '2023-11-14T22:13:20.000Z',
      effects: [
        { kind: 'refund', refundId: 're_9', amount: 250n, result: 'succeeded', reason: null },
      ],
    });
    expect(
      simMapper.map({ ...callback, data: { ...callback.data, amount: 2.5 } }, 'evt_9'),
    ).toMatchObject({ kind: 'invalid' });
    expect(
      simMapper.map({ ...callback, data: { ...callback.data, refundId: undefined } }, 'evt_9'),
    ).toMatchObject({ kind: 'invalid' });
    expect(simMapper.envelope(callback)).toEqual({
      ok: true,
      providerEventId: 'evt_9',
      eventType: 'refund.succeeded',
      paymentId: 'p-1',
    });
  });
});

const initiated = {
  paymentId: 'p-1',
  tenantId: 't',
  status: 'INITIATED',
  amount: 1_000n,
  currency: 'USD' as CurrencyCode,
  authorizedAt: null,
  captures: new Map(),
  refunds: new Map(),
  disputes: new Map(),
  settlement: null,
} as unknown as PaymentState;

describe('planning out-of-order callbacks', () => {
  const at = '2025-01-01T00:00:00.000Z';
  it('authorizes before a capture, waits with a refund until captured, refuses other currencies', () => {
    const capture = planNextStep({
      effect: { kind: 'capture', captureId: 'c', amount: 400n },
      state: initiated,
      currency: 'USD' as CurrencyCode,
      at,
    });
    expect(capture).toMatchObject({
      kind: 'command',
      command: { type: 'AuthorizePayment', data: { amount: { amount: 1_000n } } },
    });
    const refund = planNextStep({
      effect: { kind: 'refund', refundId: 'r', amount: 1n, result: 'succeeded', reason: null },
      state: initiated,
      currency: 'USD' as CurrencyCode,
      at,
    });
    expect(refund.kind).toBe('wait');
    expect(
      planNextStep({
        effect: { kind: 'void', reason: null, authorizedAmount: null },
        state: initiated,
        currency: 'EUR' as CurrencyCode,
        at,
      }).kind,
    ).toBe('refuse');
  });

  it('authorizes what a void held before voiding, when the void overtook its authorization', () => {
    const plan = (authorizedAmount: bigint | null) =>
      planNextStep({
        effect: { kind: 'void', reason: 'requested_by_customer', authorizedAmount },
        state: initiated,
        currency: 'USD' as CurrencyCode,
        at,
      });
    expect(plan(700n)).toMatchObject({
      kind: 'command',
      command: { type: 'AuthorizePayment', data: { amount: { amount: 700n } } },
    });
    // Stripe's cancelled intent does not say: void the payment unauthorized.
    expect(plan(null)).toMatchObject({ kind: 'command', command: { type: 'VoidPayment' } });
  });
});

describe('progress tracker and back-off', () => {
  it('never moves the safe position past an open entry', () => {
    const tracker = new ProgressTracker(10, 5n);
    const first = tracker.track(10n);
    const second = tracker.track(20n);
    tracker.pass(25n);
    tracker.close(second);
    expect(tracker.safePosition).toBe(5n);
    tracker.close(first);
    expect(tracker.safePosition).toBe(25n);
  });

  it('grows the delay exponentially within jitter and the cap', () => {
    const policy = { attemptsMax: 8, baseDelayMs: 100, delayMaxMs: 1_000 };
    expect(retryDelayMs(policy, 1, () => 0)).toBe(50);
    expect(retryDelayMs(policy, 3, () => 1)).toBe(400);
    expect(retryDelayMs(policy, 10, () => 1)).toBe(1_000);
  });
});
