import { PROCESSOR_CHECKPOINT_STREAM } from '../../infra/webhooks/checkpoint.ts';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../api/webhooks/signature.ts';
import { EventStore, type StoredEvent } from '../../infra/eventstore/event-store.ts';
import {
  graphql,
  makeKeys,
  mutate,
  mutations,
  payloadOf,
  type GraphqlAnswer,
  type MutationName,
} from './support/client.ts';
import { startStack, type Stack } from './support/processes.ts';

const simSecret = `sim-${randomUUID()}`;
/** Codes a mutation payload may carry (README, "Error codes"). */
const businessCodes = new Set([
  'PAYMENT_NOT_FOUND',
  'PAYMENT_ALREADY_EXISTS',
  'INVALID_COMMAND',
  'INVALID_TRANSITION',
  'INVALID_AMOUNT',
  'UNKNOWN_CURRENCY',
  'CURRENCY_MISMATCH',
  'AMOUNT_EXCEEDS_PAYMENT',
  'AMOUNT_EXCEEDS_AUTHORIZED',
  'AMOUNT_EXCEEDS_CAPTURABLE',
  'SETTLEMENT_EXCEEDS_CAPTURED',
  'REFUND_EXCEEDS_REFUNDABLE',
  'REFUND_NOT_FOUND',
  'DISPUTE_NOT_FOUND',
  'DISPUTE_EXCEEDS_CAPTURED',
  'IDEMPOTENCY_KEY_REUSED',
  'CONCURRENCY_CONFLICT',
  'PAYMENT_EXPIRED',
  'PROVIDER_REFERENCE_IN_USE',
]);
/** Codes of GraphQL errors for a request refused as a whole. */
const requestCodes = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
]);

const anything = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
);
const amountText = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.constantFrom(
    '0',
    '-1',
    '-0',
    '1.5',
    '1e3',
    ' 10',
    '10 ',
    '0x10',
    '٣',
    '+5',
    '01',
    '',
    '9223372036854775807',
    '9223372036854775808',
    '18446744073709551616',
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);
const currency = fc.oneof(
  fc.constantFrom('USD', 'usd', 'JPY', 'KWD', 'XXX', 'XAU', 'XTS', 'ABC', 'US', 'USDD', '', 'ÜSD'),
  fc.string({ maxLength: 4 }),
);
const money = fc.oneof(
  { weight: 4, arbitrary: fc.record({ amount: amountText, currency }) },
  { weight: 1, arbitrary: anything },
  {
    weight: 1,
    arbitrary: fc.record({ amount: anything, currency: anything }, { requiredKeys: [] }),
  },
);
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0007b', '\u202eevil', 'ok\n', 'x'.repeat(256), '😀'.repeat(70)),
  anything,
);
const key = fc.oneof(fc.uuid(), text, fc.constant('x'.repeat(300)));

/**
 * Bad input of every kind against the running service: property-based fuzzing of every mutation
 * and of webhook bodies and headers, then the named cases an auditor asks about. Never a 5xx,
 * always a typed refusal, and a refused input writes nothing.
 */
describe('bad input', () => {
  const { keys, configuration } = makeKeys();
  let stack: Stack;
  let store: EventStore;
  let capturedPaymentId: string;

  beforeAll(async () => {
    stack = await startStack(configuration, { WEBHOOK_SECRET_SIM: simSecret });
    store = EventStore.connect(stack.store.connectionString);
    const created = await mutate(stack.api.url, keys.acmeAll.key, 'createPayment', {
      idempotencyKey: randomUUID(),
      amount: { amount: '1000', currency: 'USD' },
    });
    capturedPaymentId = payloadOf(created, 'createPayment')!.payment!.id;
    for (const name of ['authorizePayment', 'capturePayment'] as const) {
      await mutate(stack.api.url, keys.acmeAll.key, name, {
        paymentId: capturedPaymentId,
        idempotencyKey: randomUUID(),
      });
    }
  });

  afterAll(async () => {
    await store?.close();
    await stack?.stop();
  });

  /**
   * Events written since a position, less the callback processor's own checkpoint: it records its
   * progress through `$all` on its own clock, whatever a request did.
   */
  async function eventsSince(position: bigint): Promise<StoredEvent[]> {
    const page = await store.readAllPage(position, 1_000);
    return page.filter(
      (event) => event.position > position && event.stream !== PROCESSOR_CHECKPOINT_STREAM,
    );
  }

  /** Whether the answer refused the command; fails the test on a 5xx or an untyped error. */
  function refusal(answer: GraphqlAnswer, name: MutationName): boolean {
    expect(answer.status, answer.text).toBeLessThan(500);
    expect(answer.body, answer.text).toBeDefined();
    const errors = answer.body?.errors ?? [];
    for (const error of errors) {
      expect(requestCodes.has(String(error.extensions?.code)), answer.text).toBe(true);
    }
    if (errors.length > 0) return true;
    const payload = payloadOf(answer, name);
    expect(payload, answer.text).toBeDefined();
    for (const error of payload!.errors) {
      expect(businessCodes.has(error.code), answer.text).toBe(true);
      expect(error.message.length).toBeGreaterThan(0);
    }
    return payload!.errors.length > 0;
  }

  it('createPayment: any input is accepted or refused with a code; a refusal writes nothing', async () => {
    const input = fc.record(
      { amount: money, reference: text, idempotencyKey: key, merchantId: text },
      { requiredKeys: ['amount', 'idempotencyKey'] },
    );
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 5, arbitrary: input }, { weight: 1, arbitrary: anything }),
        async (value) => {
          const before = await store.headPosition();
          const answer = await graphql(stack.api.url, keys.acmeAll.key, mutations.createPayment, {
            input: value,
          });
          if (refusal(answer, 'createPayment')) {
            refused += 1;
            expect(await eventsSince(before), JSON.stringify(value)).toEqual([]);
          }
        },
      ),
      { numRuns: 80 },
    );
    expect(refused).toBeGreaterThan(40);
  }, 120_000);

  it('payment commands: any input is accepted or refused; a refusal moves no money', async () => {
    const paymentId = fc.oneof(
      { weight: 3, arbitrary: fc.constant('captured') },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: text },
    );
    const command = fc.record({
      name: fc.constantFrom<MutationName>(
        'authorizePayment',
        'capturePayment',
        'voidPayment',
        'refundPayment',
      ),
      input: fc.record(
        { paymentId, amount: money, idempotencyKey: key, reason: text },
        { requiredKeys: ['paymentId', 'idempotencyKey'] },
      ),
    });
    await fc.assert(
      fc.asyncProperty(command, async ({ name, input }) => {
        const resolved = {
          ...input,
          paymentId: input.paymentId === 'captured' ? capturedPaymentId : input.paymentId,
        };
        const before = await store.headPosition();
        const answer = await mutate(stack.api.url, keys.acmeAll.key, name, resolved);
        if (!refusal(answer, name)) return;
        // A refusal may be remembered under its idempotency key (a repeat gets the same
        // refusal), but no payment or refund event is written.
        const written = (await eventsSince(before)).filter(
          (event) => !event.stream.startsWith('idempotency-'),
        );
        expect(written, JSON.stringify(resolved)).toEqual([]);
      }),
      { numRuns: 80 },
    );
    // The payment is untouched: the fuzzing refused every over-refund and double capture.
    const payment = await graphql(
      stack.api.url,
      keys.acmeAll.key,
      `
        query ($id: ID!) {
          paymentAsOf(id: $id, at: "2999-01-01T00:00:00Z") {
            capturedAmount {
              amount
            }
            refundedAmount {
              amount
            }
          }
        }
      `,
      { id: capturedPaymentId },
    );
    const snapshot = payment.body?.data?.paymentAsOf as {
      capturedAmount: { amount: string };
      refundedAmount: { amount: string };
    };
    expect(BigInt(snapshot.refundedAmount.amount)).toBeLessThanOrEqual(
      BigInt(snapshot.capturedAmount.amount),
    );
    expect(snapshot.capturedAmount.amount).toBe('1000');
  }, 120_000);

  it('webhooks: any body and signature header gets a typed 2xx/4xx; a refusal stores nothing', async () => {
    const simShaped = fc.record(
      {
        id: fc.oneof(fc.uuid(), text),
        type: fc.oneof(fc.constantFrom('payment.captured', 'refund.succeeded', 'nope'), text),
        created: fc.oneof(fc.integer(), anything),
        data: fc.oneof(
          fc.record({ paymentId: text, amount: amountText, currency }, { requiredKeys: [] }),
          anything,
        ),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      simShaped.map((value) => JSON.stringify(value)),
      fc.json(),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    const header = fc.oneof(
      fc.constant('valid'),
      fc.constant('stale'),
      fc.constant('other-secret'),
      fc.constant('missing'),
      fc.string({ maxLength: 200 }),
      fc.constant(`t=${'9'.repeat(30)},v1=${'a'.repeat(64)}`),
      fc.constant(`t=1,${'v1=00,'.repeat(2_000)}`),
    );
    await fc.assert(
      fc.asyncProperty(body, header, async (raw, kind) => {
        const now = Math.floor(Date.now() / 1000);
        const signature =
          kind === 'valid'
            ? signatureHeader(simSecret, now, raw)
            : kind === 'stale'
              ? signatureHeader(simSecret, now - 3_600, raw)
              : kind === 'other-secret'
                ? signatureHeader(`x${simSecret}`, now, raw)
                : kind;
        const before = await store.headPosition();
        const response = await fetch(`${stack.api.url}/webhooks/sim`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(kind === 'missing' ? {} : { 'ledger-signature': signature }),
          },
          body: raw,
          signal: AbortSignal.timeout(20_000),
        });
        const answer = (await response.json()) as Record<string, unknown>;
        expect([200, 202, 400]).toContain(response.status);
        const received = (await eventsSince(before)).filter(
          (event) => event.type === 'WebhookReceived',
        );
        if (response.status === 400) {
          expect(['INVALID_SIGNATURE', 'INVALID_PAYLOAD']).toContain(answer.error);
          expect(received).toEqual([]);
        }
        if (kind !== 'valid') expect(response.status).toBe(400);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
  /** Sends headers and only the first bytes of a declared body; the answer must not wait for more. */
  function partialRequest(path: string, declaredBytes: number, extraHeaders = ''): Promise<string> {
    const { hostname, port } = new URL(stack.api.url);
    return new Promise((resolveAnswer, reject) => {
      const socket = connect({ host: hostname, port: Number(port) });
      let answer = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`${path}: no answer before the body was complete: ${answer}`));
      }, 5_000);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('close', () => {
        clearTimeout(timer);
        resolveAnswer(answer);
      });
      socket.on('error', () => undefined);
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
          `Authorization: Bearer ${keys.acmeAll.key}\r\n${extraHeaders}` +
          `Content-Length: ${declaredBytes}\r\n\r\n{"query":"${'x'.repeat(1_000)}`,
      );
    });
  }

  it('refuses oversized bodies with 413 without reading them, and bodies of unknown length', async () => {
    const graphqlAnswer = await partialRequest('/graphql', 50 * 1024 * 1024);
    expect(graphqlAnswer).toMatch(/^HTTP\/1\.1 413/);
    expect(graphqlAnswer).toContain('PAYLOAD_TOO_LARGE');
    const webhookAnswer = await partialRequest(
      '/webhooks/sim',
      50 * 1024 * 1024,
      'Ledger-Signature: t=1,v1=00\r\n',
    );
    expect(webhookAnswer).toMatch(/^HTTP\/1\.1 413/);
    const chunked = await fetch(`${stack.api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.acmeAll.key}` },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"query":"{ me { keyId } }"}'));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
  });

  it('refuses deep and wide queries and huge page sizes with a typed error', async () => {
    let deep = 'id';
    for (let level = 0; level < 15; level += 1) deep = `payment { refunds { ${deep} } }`;
    const tooDeep = await graphql(
      stack.api.url,
      keys.acmeAll.key,
      `{ refund(id: "x") { ${deep} } }`,
    );
    expect(tooDeep.status).toBeLessThan(500);
    expect(tooDeep.body?.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
    const aliases = Array.from(
      { length: 600 },
      (_, index) => `p${index}: payments(first: 100) { edges { node { id refunds { id } } } }`,
    );
    const tooWide = await graphql(stack.api.url, keys.acmeAll.key, `{ ${aliases.join(' ')} }`);
    expect(tooWide.status).toBeLessThan(500);
    expect(tooWide.body?.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    for (const size of ['101', '1000000', '-1']) {
      const page = await graphql(
        stack.api.url,
        keys.acmeAll.key,
        `{ payments(first: ${size}) { edges { cursor } } }`,
      );
      expect(page.status).toBeLessThan(500);
      expect(['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX'], size).toContain(
        page.body?.errors?.[0]?.extensions?.code,
      );
    }
    const beyondInt = await graphql(
      stack.api.url,
      keys.acmeAll.key,
      '{ payments(first: 99999999999) { edges { cursor } } }',
    );
    expect(beyondInt.status).toBeLessThan(500);
    expect(beyondInt.body?.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const syntax = await graphql(stack.api.url, keys.acmeAll.key, '{ payments(first: ');
    expect(syntax.body?.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses bad amounts, currencies and control characters; keeps unicode exactly', async () => {
    const create = (amount: string, currencyCode: string, reference?: string) =>
      mutate(stack.api.url, keys.acmeAll.key, 'createPayment', {
        idempotencyKey: randomUUID(),
        amount: { amount, currency: currencyCode },
        ...(reference === undefined ? {} : { reference }),
      });
    const codeOf = async (answer: Promise<GraphqlAnswer>) =>
      payloadOf(await answer, 'createPayment')?.errors[0]?.code;
    for (const amount of [
      '0',
      '-1',
      '-0',
      '1.5',
      '1e3',
      '0x10',
      '9223372036854775808',
      '18446744073709551616',
      '',
    ]) {
      expect(await codeOf(create(amount, 'USD')), amount).toBe('INVALID_AMOUNT');
    }
    for (const code of ['XXX', 'XAU', 'XTS', 'ABC', 'US', '€€€']) {
      expect(await codeOf(create('100', code)), code).toBe('UNKNOWN_CURRENCY');
    }
    for (const reference of ['\u0000', 'line\nbreak', 'bell\u0007', 'x'.repeat(256)]) {
      expect(await codeOf(create('100', 'USD', reference)), JSON.stringify(reference)).toBe(
        'INVALID_COMMAND',
      );
    }
    const unicode = 'Zürich – 東京 😀 \u202eRTL';
    const kept = payloadOf(await create('9223372036854775807', 'JPY', unicode), 'createPayment');
    expect(kept?.errors).toEqual([]);
    expect((kept?.payment as { reference?: string } | undefined)?.reference).toBe(unicode);
  });
});
