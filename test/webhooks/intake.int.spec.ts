import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../api/webhooks/signature.ts';
import { inboxStreamName } from '../../infra/webhooks/inbox-stream.ts';
import { loadCallback } from '../../infra/webhooks/inbox-store.ts';
import {
  post,
  postSim,
  simSecret,
  startHarness,
  stripeNewSecret,
  stripeOldSecret,
  type Harness,
} from './support.ts';
import { paymentIntentEvent, stripeEventId, stripeHeader } from './stripe-fixtures.ts';

function stripeBody(id = stripeEventId()) {
  return JSON.stringify({
    ...paymentIntentEvent('payment_intent.succeeded', {
      id: 'pi_intake',
      amount: 100,
      received: 100,
    }),
    id,
  });
}

describe('webhook intake', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function stored(provider: string, body: string) {
    const id = (JSON.parse(body) as { id: string }).id;
    return harness.store.eventStore.readStream(inboxStreamName(provider, id));
  }

  it('stores a callback signed by the stripe package, once; a redelivery is a 200 duplicate', async () => {
    const body = stripeBody();
    const first = await post(harness, 'stripe', body, {
      'stripe-signature': stripeHeader(body, stripeNewSecret),
    });
    expect(first.status).toBe(202);
    const again = await post(harness, 'stripe', body, {
      'stripe-signature': stripeHeader(body, stripeNewSecret),
    });
    expect(again).toMatchObject({ status: 200, json: { status: 'duplicate' } });
    const events = await stored('stripe', body);
    expect(events?.map((event) => event.type)).toEqual(['WebhookReceived']);
    expect(events?.[0]?.data.payload).toBe(body);
    expect(events?.[0]?.metadata).toMatchObject({
      source: 'webhook',
      actor: 'webhook:stripe',
      tenantId: '*',
      schemaVersion: 1,
    });
  });

  it('accepts the old and the new secret during a rotation', async () => {
    for (const secret of [stripeOldSecret, stripeNewSecret]) {
      const body = stripeBody();
      const response = await post(harness, 'stripe', body, {
        'stripe-signature': stripeHeader(body, secret),
      });
      expect(response.status).toBe(202);
    }
  });

  it('refuses a tampered body, a wrong secret, an expired timestamp and no header; stores nothing', async () => {
    const body = stripeBody();
    const cases = [
      {
        header: stripeHeader(body, stripeNewSecret),
        sent: body.replace('"amount":100', '"amount":999'),
        reason: 'no signature matches',
      },
      {
        header: stripeHeader(body, 'whsec_wrong_secret_0123456'),
        sent: body,
        reason: 'no signature matches',
      },
      {
        header: stripeHeader(body, stripeNewSecret, Math.floor(Date.now() / 1000) - 301),
        sent: body,
        reason: 'timestamp outside tolerance',
      },
      {
        header: stripeHeader(body, stripeNewSecret, Math.floor(Date.now() / 1000) + 400),
        sent: body,
        reason: 'timestamp outside tolerance',
      },
    ];
    for (const { header, sent, reason } of cases) {
      const response = await post(harness, 'stripe', sent, { 'stripe-signature': header });
      expect(response).toEqual({ status: 400, json: { error: 'INVALID_SIGNATURE', reason } });
    }
    const missing = await post(harness, 'stripe', body, {});
    expect(missing).toEqual({
      status: 400,
      json: { error: 'INVALID_SIGNATURE', reason: 'missing header' },
    });
    expect(await stored('stripe', body)).toBeUndefined();
  });

  it('answers 404 for an unknown provider and for a provider without a secret', async () => {
    const body = stripeBody();
    for (const provider of ['paypal', 'adyen']) {
      const response = await post(harness, provider, body, {
        'stripe-signature': stripeHeader(body, stripeNewSecret),
      });
      expect(response.status).toBe(404);
    }
  });

  it('refuses an oversize body with 413 and a signed non-JSON body with 400', async () => {
    const big = 'x'.repeat(300 * 1024);
    const oversize = await post(harness, 'sim', big, {
      'ledger-signature': signatureHeader(simSecret, Math.floor(Date.now() / 1000), big),
    });
    expect(oversize.status).toBe(413);
    const notJson = 'not json';
    const response = await post(harness, 'sim', notJson, {
      'ledger-signature': signatureHeader(simSecret, Math.floor(Date.now() / 1000), notJson),
    });
    expect(response).toMatchObject({ status: 400, json: { error: 'INVALID_PAYLOAD' } });
  });

  it('keeps odd or long provider event ids in a safe stream name', async () => {
    const id = `evt/${'ü'.repeat(150)} odd`;
    const callback = {
      id,
      type: 'payment.authorized',
      created: 1,
      data: { providerPaymentId: 'pi_x', amount: '1', currency: 'USD' },
    };
    expect((await postSim(harness, callback)).status).toBe(202);
    expect(inboxStreamName('sim', id)).toMatch(/^webhook-sim-h_[0-9a-f]{64}$/);
    expect((await loadCallback(harness.store.eventStore, 'sim', id))?.providerEventId).toBe(id);
  });

  it('stores one of 10 concurrent deliveries of the same callback', async () => {
    const body = stripeBody();
    const header = stripeHeader(body, stripeNewSecret);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(harness, 'stripe', body, { 'stripe-signature': header }),
      ),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 202,
    ]);
    expect((await stored('stripe', body))?.length).toBe(1);
  });
});
