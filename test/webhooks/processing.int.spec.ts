import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookOperations } from '../../infra/webhooks/operator.ts';
import type { WebhookProcessor } from '../../infra/webhooks/processor.ts';
import {
  chargeRefundedEvent,
  disputeEvent,
  paymentIntentEvent,
  refundEvent,
  stripeHeader,
  unhandledEvent,
} from './stripe-fixtures.ts';
import {
  createPayment,
  paymentState,
  post,
  postSim,
  startHarness,
  stripeNewSecret,
  waitForStatus,
  type Harness,
} from './support.ts';

let sequence = 0;
function uniqueId(prefix: string): string {
  sequence += 1;
  return `${prefix}_${Date.now().toString(36)}_${sequence}`;
}

describe('webhook processing', () => {
  let harness: Harness;
  let processor: WebhookProcessor;

  beforeAll(async () => {
    harness = await startHarness();
    processor = harness.startProcessor();
  });
  afterAll(async () => {
    await processor?.stop();
    await harness?.stop();
  });

  async function sendStripe(event: { id: string }) {
    const body = JSON.stringify(event);
    const response = await post(harness, 'stripe', body, {
      'stripe-signature': stripeHeader(body, stripeNewSecret),
    });
    expect(response.status).toBe(202);
    return event.id;
  }

  it('applies a Stripe payment history: authorize, capture, refunds, dispute', async () => {
    const intent = uniqueId('pi');
    const paymentId = await createPayment(harness, intent, 5_000n);
    const ids = [
      await sendStripe(
        paymentIntentEvent('payment_intent.amount_capturable_updated', {
          id: intent,
          amount: 5_000,
          capturable: 5_000,
        }),
      ),
      await sendStripe(
        paymentIntentEvent('payment_intent.succeeded', {
          id: intent,
          amount: 5_000,
          received: 5_000,
          charge: `ch_${intent}`,
        }),
      ),
      await sendStripe(
        refundEvent('refund.created', {
          id: `re_${intent}_1`,
          paymentIntent: intent,
          amount: 700,
          status: 'pending',
        }),
      ),
      await sendStripe(
        chargeRefundedEvent(intent, [{ id: `re_${intent}_1`, amount: 700, status: 'succeeded' }]),
      ),
      await sendStripe(
        refundEvent('refund.updated', {
          id: `re_${intent}_2`,
          paymentIntent: intent,
          amount: 300,
          status: 'failed',
        }),
      ),
      await sendStripe(
        disputeEvent('charge.dispute.created', {
          id: `dp_${intent}`,
          paymentIntent: intent,
          amount: 1_000,
          status: 'needs_response',
        }),
      ),
      await sendStripe(
        disputeEvent('charge.dispute.closed', {
          id: `dp_${intent}`,
          paymentIntent: intent,
          amount: 1_000,
          status: 'lost',
        }),
      ),
    ];
    for (const id of ids) await waitForStatus(harness, 'stripe', id, ['processed']);
    const state = await paymentState(harness, paymentId);
    expect(state.status).toBe('CAPTURED');
    expect(state.capturedAmount).toBe(5_000n);
    expect(state.captures.has(`ch_${intent}`)).toBe(true);
    expect(state.refundSucceededAmount).toBe(700n);
    expect(state.refunds.get(`re_${intent}_2`)?.status).toBe('FAILED');
    expect(state.disputes.get(`dp_${intent}`)?.status).toBe('LOST');
    const processed = await waitForStatus(harness, 'stripe', ids[1]!, ['processed']);
    expect(processed).toMatchObject({ outcome: 'applied', paymentId, tenantId: 'merchant-1' });
  });

  it('records unhandled Stripe event types as processed with outcome ignored', async () => {
    const id = await sendStripe(unhandledEvent());
    expect((await waitForStatus(harness, 'stripe', id, ['processed'])).outcome).toBe('ignored');
  });

  it('tolerates out-of-order delivery: capture before authorize, outcomes before requests', async () => {
    const intent = uniqueId('pi');
    const paymentId = await createPayment(harness, intent, 2_000n);
    const ids = [
      await sendStripe(
        disputeEvent('charge.dispute.closed', {
          id: `dp_${intent}`,
          paymentIntent: intent,
          amount: 500,
          status: 'won',
        }),
      ),
      await sendStripe(
        refundEvent('refund.updated', {
          id: `re_${intent}`,
          paymentIntent: intent,
          amount: 400,
          status: 'succeeded',
        }),
      ),
      await sendStripe(
        paymentIntentEvent('payment_intent.succeeded', {
          id: intent,
          amount: 2_000,
          received: 2_000,
        }),
      ),
      await sendStripe(
        paymentIntentEvent('payment_intent.amount_capturable_updated', {
          id: intent,
          amount: 2_000,
          capturable: 2_000,
        }),
      ),
      await sendStripe(
        disputeEvent('charge.dispute.created', {
          id: `dp_${intent}`,
          paymentIntent: intent,
          amount: 500,
          status: 'needs_response',
        }),
      ),
    ];
    for (const id of ids) await waitForStatus(harness, 'stripe', id, ['processed']);
    const state = await paymentState(harness, paymentId);
    expect(state).toMatchObject({
      status: 'CAPTURED',
      capturedAmount: 2_000n,
      authorizedAmount: 2_000n,
      refundSucceededAmount: 400n,
    });
    expect(state.disputes.get(`dp_${intent}`)?.status).toBe('WON');
    expect((await waitForStatus(harness, 'stripe', ids[3]!, ['processed'])).outcome).toBe(
      'already_applied',
    );
  });

  it('holds a callback for a payment created later, then applies it', async () => {
    const providerPaymentId = uniqueId('sim_pay');
    const callback = {
      id: uniqueId('evt'),
      type: 'payment.authorized',
      created: Math.floor(Date.now() / 1000),
      data: { providerPaymentId, amount: '900', currency: 'USD' },
    };
    expect((await postSim(harness, callback)).status).toBe(202);
    const failed = await waitForStatus(harness, 'sim', callback.id, ['failed']);
    expect(failed.lastError).toMatch(/PAYMENT_NOT_FOUND/);
    const paymentId = await createPayment(harness, providerPaymentId, 900n);
    await waitForStatus(harness, 'sim', callback.id, ['processed']);
    expect((await paymentState(harness, paymentId)).status).toBe('AUTHORIZED');
  });

  it('records a terminal conflict (failed after captured) as a refusal, not a retry', async () => {
    const providerPaymentId = uniqueId('sim_pay');
    const paymentId = await createPayment(harness, providerPaymentId, 800n);
    const base = {
      created: Math.floor(Date.now() / 1000),
      data: { providerPaymentId, amount: '800', currency: 'USD' },
    };
    const captured = { ...base, id: uniqueId('evt'), type: 'payment.captured' };
    await postSim(harness, captured);
    await waitForStatus(harness, 'sim', captured.id, ['processed']);
    const failedLate = { ...base, id: uniqueId('evt'), type: 'payment.failed' };
    await postSim(harness, failedLate);
    const state = await waitForStatus(harness, 'sim', failedLate.id, ['processed']);
    expect(state.outcome).toMatch(/^refused:INVALID_TRANSITION/);
    expect(state.attempts).toBe(0);
    expect((await paymentState(harness, paymentId)).status).toBe('CAPTURED');
  });

  it('parks after the retry budget, replays on request, and lets an operator resolve by hand', async () => {
    const operations = createWebhookOperations({ eventStore: harness.store.eventStore });
    const operator = { actor: 'key-ops', tenantId: '*' };
    const providerPaymentId = uniqueId('sim_pay');
    const callback = {
      id: uniqueId('evt'),
      type: 'payment.captured',
      created: Math.floor(Date.now() / 1000),
      data: { providerPaymentId, amount: '600', currency: 'USD' },
    };
    await postSim(harness, callback);
    const parked = await waitForStatus(harness, 'sim', callback.id, ['parked'], 20_000);
    expect(parked).toMatchObject({ attempts: 10 });
    expect(parked.lastError).toMatch(/PAYMENT_NOT_FOUND/);
    const listed = await operations.listCallbacks({ state: 'parked', limit: 50 }, operator);
    expect(
      listed.ok && listed.value.items.some((item) => item.providerEventId === callback.id),
    ).toBe(true);

    const paymentId = await createPayment(harness, providerPaymentId, 600n);
    const replay = await operations.replayCallback('sim', callback.id, operator);
    expect(replay.ok).toBe(true);
    expect((await waitForStatus(harness, 'sim', callback.id, ['processed'])).outcome).toBe(
      'applied',
    );
    expect((await paymentState(harness, paymentId)).capturedAmount).toBe(600n);

    const orphan = {
      ...callback,
      id: uniqueId('evt'),
      data: { ...callback.data, providerPaymentId: uniqueId('none') },
    };
    await postSim(harness, orphan);
    await waitForStatus(harness, 'sim', orphan.id, ['failed', 'parked']);
    const refused = await operations.resolveCallbackManually(
      'sim',
      orphan.id,
      'bogus',
      'x',
      operator,
    );
    expect(refused.ok).toBe(false);
    const resolved = await operations.resolveCallbackManually(
      'sim',
      orphan.id,
      'dismissed',
      'test payment, never existed',
      operator,
    );
    expect(resolved).toMatchObject({
      ok: true,
      value: { state: 'resolved', outcome: 'resolved:dismissed' },
    });
    const events = await harness.store.eventStore.readStream(`webhook-sim-${orphan.id}`);
    expect(events?.at(-1)?.metadata).toMatchObject({ actor: 'key-ops', source: 'webhook' });
  });
});
