import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { createPool } from '../../infra/postgres/pool.ts';
import { redactedPaths } from '../../infra/logging/logger.ts';
import { PaymentService } from '../../infra/write/payment-service.ts';
import { keys, postGraphql, startApiHarness, type ApiHarness } from './support/harness.ts';
import {
  authorizePayment,
  capturePayment,
  createPayment,
  refundPayment,
  voidPayment,
  type PaymentPayloadData,
} from './support/operations.ts';

type Payloads = Record<string, PaymentPayloadData>;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('GraphQL API: every error the API can answer', () => {
  let api: ApiHarness;
  let paymentId: string;

  beforeAll(async () => {
    api = await startApiHarness();
    const created = await api.graphql<Payloads>(createPayment, {
      variables: {
        input: {
          amount: { amount: '1000', currency: 'USD' },
          providerPaymentId: 'pi_taken',
          idempotencyKey: randomUUID(),
        },
      },
    });
    paymentId = created.body.data!.createPayment!.payment!.id;
  });

  afterAll(async () => {
    await api?.stop();
  });

  async function userErrors(mutation: string, input: Record<string, unknown>) {
    const response = await api.graphql<Payloads>(mutation, { variables: { input } });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const payload = Object.values(response.body.data!)[0]!;
    expect(payload.payment).toBeNull();
    return payload.errors.map((error) => error.code);
  }

  it('refuses malformed money as UserErrors, never as a 5xx', async () => {
    const create = (amount: string, currency = 'USD') =>
      userErrors(createPayment, { amount: { amount, currency }, idempotencyKey: randomUUID() });
    expect(await create('12.50')).toEqual(['INVALID_AMOUNT']);
    expect(await create('0')).toEqual(['INVALID_AMOUNT']);
    expect(await create('-5')).toEqual(['INVALID_AMOUNT']);
    expect(await create('9223372036854775808')).toEqual(['INVALID_AMOUNT']);
    expect(await create('99999999999999999999999')).toEqual(['INVALID_AMOUNT']);
    expect(await create('100', 'ABC')).toEqual(['UNKNOWN_CURRENCY']);
    expect(await create('100', 'XXX')).toEqual(['UNKNOWN_CURRENCY']);
    expect(
      await userErrors(createPayment, {
        amount: { amount: '1', currency: 'USD' },
        idempotencyKey: '',
      }),
    ).toEqual(['INVALID_COMMAND']);
  });

  it('returns the domain refusals with their stable codes', async () => {
    expect(
      await userErrors(createPayment, {
        amount: { amount: '5', currency: 'USD' },
        providerPaymentId: 'pi_taken',
        idempotencyKey: randomUUID(),
      }),
    ).toEqual(['PROVIDER_REFERENCE_IN_USE']);
    expect(
      await userErrors(capturePayment, { paymentId: randomUUID(), idempotencyKey: randomUUID() }),
    ).toEqual(['PAYMENT_NOT_FOUND']);
    expect(
      await userErrors(authorizePayment, {
        paymentId,
        amount: { amount: '1001', currency: 'USD' },
        idempotencyKey: randomUUID(),
      }),
    ).toEqual(['AMOUNT_EXCEEDS_PAYMENT']);
    await api.graphql(authorizePayment, {
      variables: { input: { paymentId, idempotencyKey: randomUUID() } },
    });
    expect(
      await userErrors(capturePayment, {
        paymentId,
        amount: { amount: '1001', currency: 'USD' },
        idempotencyKey: randomUUID(),
      }),
    ).toEqual(['AMOUNT_EXCEEDS_AUTHORIZED']);
    await api.graphql(capturePayment, {
      variables: {
        input: {
          paymentId,
          amount: { amount: '600', currency: 'USD' },
          idempotencyKey: randomUUID(),
        },
      },
    });
    expect(
      await userErrors(capturePayment, {
        paymentId,
        amount: { amount: '500', currency: 'USD' },
        idempotencyKey: randomUUID(),
      }),
    ).toEqual(['AMOUNT_EXCEEDS_CAPTURABLE']);
    expect(
      await userErrors(refundPayment, {
        paymentId,
        amount: { amount: '601', currency: 'USD' },
        idempotencyKey: randomUUID(),
      }),
    ).toEqual(['REFUND_EXCEEDS_REFUNDABLE']);
    expect(
      await userErrors(refundPayment, {
        paymentId,
        amount: { amount: '10', currency: 'EUR' },
        idempotencyKey: randomUUID(),
      }),
    ).toEqual(['CURRENCY_MISMATCH']);
    expect(await userErrors(voidPayment, { paymentId, idempotencyKey: randomUUID() })).toEqual([
      'INVALID_TRANSITION',
    ]);
  });

  it('refuses queries nested deeper than 10 levels and queries costing more than the budget', async () => {
    const deep =
      await api.graphql(`{ payments { edges { node { refunds { payment { refunds { payment {
      refunds { payment { refunds { payment { id } } } } } } } } } } } }`);
    expect(deep.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
    const costly = await api.graphql(`{ payments(first: 100) { edges { node {
      refunds { payment { refunds { payment { refunds { id } } } } } } } } }`);
    expect(costly.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const aliased = await api.graphql(
      `{ ${Array.from({ length: 150 }, (_, index) => `p${index}: payments(first: 100) { edges { node { id status reference } } }`).join(' ')} }`,
    );
    expect(aliased.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const introspection = await api.graphql<{ __schema: { queryType: { name: string } } }>(
      '{ __schema { queryType { name } } }',
    );
    expect(introspection.body.data!.__schema.queryType.name).toBe('Query');
  });

  it('turns introspection off when configured', async () => {
    const variant = await api.variant({ introspection: false });
    try {
      const response = await postGraphql(variant.url, '{ __schema { queryType { name } } }');
      expect(response.body.errors?.[0]?.message).toMatch(/introspection/i);
      const ordinary = await postGraphql(variant.url, '{ me { keyId } }');
      expect(ordinary.body.data).toEqual({ me: { keyId: 'acme-all' } });
    } finally {
      await variant.stop();
    }
  });

  it('answers CONSISTENCY_TIMEOUT when the read models do not reach the token in time', async () => {
    const variant = await api.variant({ consistencyTimeoutMs: 200 });
    try {
      const response = await postGraphql(variant.url, '{ payments { totalCount } }', {
        headers: { 'x-consistency-token': '999999999999999' },
      });
      expect(response.body.errors?.[0]?.extensions).toEqual({
        code: 'CONSISTENCY_TIMEOUT',
        retryable: true,
      });
      // Fields that do not read the read models are not held back.
      const me = await postGraphql(variant.url, '{ me { keyId } }', {
        headers: { 'x-consistency-token': '999999999999999' },
      });
      expect(me.body.data).toEqual({ me: { keyId: 'acme-all' } });
    } finally {
      await variant.stop();
    }
  });

  it('answers SERVICE_UNAVAILABLE, retryable, when the event store cannot be reached', async () => {
    const unreachable = EventStore.connect(`esdb://127.0.0.1:${await freePort()}?tls=false`);
    const variant = await api.variant({
      paymentService: new PaymentService(unreachable),
      eventStore: unreachable,
    });
    try {
      const mutation = await postGraphql(variant.url, createPayment, {
        variables: {
          input: { amount: { amount: '1', currency: 'USD' }, idempotencyKey: randomUUID() },
        },
      });
      expect(mutation.status).toBe(200);
      expect(mutation.body.errors?.[0]?.extensions).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        retryable: true,
      });
      const asOf = await postGraphql(
        variant.url,
        `{ paymentAsOf(id: "${paymentId}", at: "2100-01-01T00:00:00Z") { id } }`,
      );
      expect(asOf.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await variant.stop();
      await unreachable.close();
    }
  });

  it('masks unexpected errors, logs them with the request id, and never logs or counts a key', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino(
      { level: 'info', redact: { paths: redactedPaths, censor: '[redacted]' } },
      sink,
    );
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/missing_${randomUUID().replace(/-/g, '')}`;
    const brokenPool = createPool({
      connectionString: url.toString(),
      maxConnections: 1,
      applicationName: 'broken',
    });
    const metrics = new Registry();
    const variant = await api.variant({ logger, pool: brokenPool, metrics });
    try {
      const response = await postGraphql(variant.url, '{ payments { totalCount } }', {
        headers: { 'x-request-id': 'req-masked-1' },
      });
      expect(response.body.errors?.[0]).toMatchObject({
        message: 'Unexpected error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-masked-1' },
      });
      expect(JSON.stringify(response.body)).not.toMatch(/database|missing_/);
      const wrongKey = `${keys.platform.key}-wrong`;
      await postGraphql(variant.url, '{ me { keyId } }', {
        key: null,
        headers: { authorization: `Bearer ${wrongKey}` },
      });
      const logged = lines.join('');
      expect(logged).toContain('req-masked-1');
      expect(logged).toContain('unexpected error while serving GraphQL');
      const exposition = await (await fetch(`${variant.url}/metrics`)).text();
      expect(exposition).toContain('api_authentication_failures_total{reason="unknown"} 1');
      expect(exposition).toContain('graphql_operations_total');
      for (const secret of [...Object.values(keys).map((key) => key.key), wrongKey]) {
        expect(logged).not.toContain(secret);
        expect(exposition).not.toContain(secret);
      }
    } finally {
      await variant.stop();
      await brokenPool.end();
    }
  });
});
