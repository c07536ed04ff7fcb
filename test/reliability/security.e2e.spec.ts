import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  graphql,
  makeKeys,
  mutate,
  payloadOf,
  postSimCallback,
  type GraphqlAnswer,
  type Keys,
} from './support/client.ts';
import {
  projectRoot,
  startApiProcess,
  startStack,
  type ApiProcess,
  type Stack,
} from './support/processes.ts';

type Role = 'read' | 'write' | 'audit' | 'operate' | 'any';
type KeyName = keyof Keys;

/**
 * Every root field, the role it needs, and whether only a platform-wide key may use it. The
 * matrix is generated from introspection: a field missing here fails the test, so a new field
 * cannot escape it.
 */
const expectations: Record<string, { role: Role; platformOnly?: boolean }> = {
  'Query.me': { role: 'any' },
  'Query.payment': { role: 'read' },
  'Query.payments': { role: 'read' },
  'Query.refund': { role: 'read' },
  'Query.refunds': { role: 'read' },
  'Query.accounts': { role: 'read' },
  'Query.account': { role: 'read' },
  'Query.journalEntries': { role: 'read' },
  'Query.trialBalance': { role: 'read' },
  'Query.auditLog': { role: 'audit' },
  'Query.paymentAsOf': { role: 'audit' },
  'Query.projections': { role: 'operate' },
  'Query.parkedCallbacks': { role: 'operate' },
  'Query.callbacks': { role: 'operate' },
  'Mutation.createPayment': { role: 'write' },
  'Mutation.authorizePayment': { role: 'write' },
  'Mutation.capturePayment': { role: 'write' },
  'Mutation.voidPayment': { role: 'write' },
  'Mutation.refundPayment': { role: 'write' },
  'Mutation.skipProjectionEvent': { role: 'operate', platformOnly: true },
  'Mutation.retryProjection': { role: 'operate', platformOnly: true },
  'Mutation.replayCallback': { role: 'operate' },
  'Mutation.resolveCallback': { role: 'operate' },
  'Query.reconciliationRuns': { role: 'read' },
  'Query.reconciliationRun': { role: 'read' },
  'Mutation.reconcileReport': { role: 'operate' },
  'Mutation.resolveReconciliationException': { role: 'operate' },
};

const simSecret = `sim-secret-${randomUUID()}`;
const stripeSecret = `whsec_${randomUUID()}`;

interface Target {
  /** The payment the call is about: the key's own tenant's, or another tenant's. */
  paymentId: string;
  refundId: string;
  merchantId: string;
}

/** One document per root field; `target` decides whose payment it touches. */
function documentFor(
  field: string,
  target: Target,
): { query: string; variables: Record<string, unknown> } {
  const money = { amount: '10', currency: 'USD' };
  const key = randomUUID();
  const pay = { paymentId: target.paymentId, idempotencyKey: key };
  const documents: Record<string, { query: string; variables: Record<string, unknown> }> = {
    'Query.me': { query: '{ me { keyId tenant } }', variables: {} },
    'Query.payment': {
      query: 'query($id: ID!) { payment(id: $id) { id merchantId } }',
      variables: { id: target.paymentId },
    },
    'Query.payments': {
      query: '{ payments(first: 100) { edges { node { id merchantId } } } }',
      variables: {},
    },
    'Query.refund': {
      query: 'query($id: ID!) { refund(id: $id) { id merchantId } }',
      variables: { id: target.refundId },
    },
    'Query.refunds': {
      query: '{ refunds(first: 100) { edges { node { id merchantId } } } }',
      variables: {},
    },
    'Query.accounts': { query: '{ accounts { code currency } }', variables: {} },
    'Query.account': {
      query: '{ account(code: "cash", currency: "USD") { code } }',
      variables: {},
    },
    'Query.journalEntries': {
      query: '{ journalEntries(first: 100) { edges { node { id merchantId } } } }',
      variables: {},
    },
    'Query.trialBalance': {
      query: '{ trialBalance(currency: "USD") { total { amount } } }',
      variables: {},
    },
    'Query.auditLog': {
      query: '{ auditLog(first: 100) { edges { node { stream metadata } } } }',
      variables: {},
    },
    'Query.paymentAsOf': {
      query:
        'query($id: ID!) { paymentAsOf(id: $id, at: "2999-01-01T00:00:00Z") { id merchantId } }',
      variables: { id: target.paymentId },
    },
    'Query.projections': { query: '{ projections { name } }', variables: {} },
    'Query.parkedCallbacks': {
      query: '{ parkedCallbacks(first: 10) { totalCount } }',
      variables: {},
    },
    'Mutation.createPayment': {
      query:
        'mutation($input: CreatePaymentInput!) { createPayment(input: $input) { payment { id merchantId } errors { code } } }',
      variables: { input: { idempotencyKey: key, amount: money, merchantId: target.merchantId } },
    },
    'Mutation.authorizePayment': {
      query:
        'mutation($input: AuthorizePaymentInput!) { authorizePayment(input: $input) { payment { id } errors { code } } }',
      variables: { input: pay },
    },
    'Mutation.capturePayment': {
      query:
        'mutation($input: CapturePaymentInput!) { capturePayment(input: $input) { payment { id } errors { code } } }',
      variables: { input: { ...pay, amount: money } },
    },
    'Mutation.voidPayment': {
      query:
        'mutation($input: VoidPaymentInput!) { voidPayment(input: $input) { payment { id } errors { code } } }',
      variables: { input: pay },
    },
    'Mutation.refundPayment': {
      query:
        'mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { refund { id } errors { code } } }',
      variables: { input: { ...pay, amount: money } },
    },
    'Mutation.skipProjectionEvent': {
      query:
        'mutation { skipProjectionEvent(input: { name: "payments", position: "1" }) { name } }',
      variables: {},
    },
    'Mutation.retryProjection': {
      query: 'mutation { retryProjection(input: { name: "payments" }) { name } }',
      variables: {},
    },
    'Query.callbacks': {
      query: '{ callbacks(first: 50) { items { id merchantId paymentId payload } } }',
      variables: {},
    },
    'Mutation.replayCallback': {
      query: 'mutation($id: ID!) { replayCallback(id: $id) { callback { id } errors { code } } }',
      variables: { id: `sim:${target.paymentId}` },
    },
    'Query.reconciliationRuns': {
      query: '{ reconciliationRuns(first: 50) { edges { node { id merchantId } } } }',
      variables: {},
    },
    'Query.reconciliationRun': {
      query: 'query($id: ID!) { reconciliationRun(id: $id) { id merchantId } }',
      variables: { id: `run-${target.paymentId}` },
    },
    'Mutation.reconcileReport': {
      query:
        'mutation($input: ReconcileReportInput!) { reconcileReport(input: $input) { run { id merchantId } errors { code } } }',
      variables: {
        input: {
          filename: 'matrix.csv',
          format: 'LEDGER_CSV',
          content: 'not,a,report\n',
          merchantId: target.merchantId,
        },
      },
    },
    'Mutation.resolveReconciliationException': {
      query:
        'mutation($input: ResolveReconciliationExceptionInput!) { resolveReconciliationException(input: $input) { run { id } errors { code } } }',
      variables: {
        input: {
          runId: `run-${target.paymentId}`,
          exceptionId: 'none',
          resolution: 'WRITE_OFF',
          note: 'matrix',
        },
      },
    },
    'Mutation.resolveCallback': {
      query:
        'mutation($id: ID!) { resolveCallback(input: { id: $id, resolution: DISMISSED, note: "matrix" }) { callback { id } errors { code } } }',
      variables: { id: `sim:${target.paymentId}` },
    },
  };
  const document = documents[field];
  if (!document) throw new Error(`no document for ${field}: add one, and its expectation`);
  return document;
}

/** Every id and merchant an answer reveals, wherever it sits in the data. */
function revealed(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') found.add(value);
  else if (Array.isArray(value)) for (const item of value) revealed(item, found);
  else if (value && typeof value === 'object')
    for (const item of Object.values(value)) revealed(item, found);
  return found;
}

describe('security', () => {
  const { keys, configuration } = makeKeys();
  const secrets = [...Object.values(keys).map((entry) => entry.key), simSecret, stripeSecret];
  const answers: string[] = [];
  let stack: Stack;
  const tenants: Record<'acme' | 'globex', Target & { mutable: string }> = {
    acme: { paymentId: '', refundId: '', merchantId: 'acme', mutable: '' },
    globex: { paymentId: '', refundId: '', merchantId: 'globex', mutable: '' },
  };

  async function refundedPayment(key: string): Promise<{ paymentId: string; refundId: string }> {
    const created = await mutate(stack.api.url, key, 'createPayment', {
      idempotencyKey: randomUUID(),
      amount: { amount: '5000', currency: 'USD' },
    });
    const paymentId = payloadOf(created, 'createPayment')!.payment!.id;
    await mutate(stack.api.url, key, 'authorizePayment', {
      paymentId,
      idempotencyKey: randomUUID(),
    });
    await mutate(stack.api.url, key, 'capturePayment', { paymentId, idempotencyKey: randomUUID() });
    const refunded = await mutate(stack.api.url, key, 'refundPayment', {
      paymentId,
      idempotencyKey: randomUUID(),
      amount: { amount: '100', currency: 'USD' },
    });
    const payload = payloadOf(refunded, 'refundPayment')!;
    // Wait until the read side shows it, so that list queries see both tenants.
    await graphql(
      stack.api.url,
      key,
      '{ me { keyId } }',
      {},
      { headers: { 'x-consistency-token': payload.consistencyToken! } },
    );
    return { paymentId, refundId: payload.refund!.id };
  }

  beforeAll(async () => {
    stack = await startStack(configuration, {
      LOG_LEVEL: 'trace',
      WEBHOOK_SECRET_SIM: simSecret,
      WEBHOOK_SECRET_STRIPE: stripeSecret,
    });
    for (const tenant of ['acme', 'globex'] as const) {
      const key = tenant === 'acme' ? keys.acmeAll.key : keys.globexAll.key;
      Object.assign(tenants[tenant], await refundedPayment(key));
    }
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function send(keyName: KeyName, field: string, target: Target): Promise<GraphqlAnswer> {
    const { query, variables } = documentFor(field, target);
    const answer = await graphql(stack.api.url, keys[keyName].key, query, variables);
    answers.push(answer.text);
    return answer;
  }

  it('authorization matrix: every root field × every role × own and other tenant', async () => {
    const schema = await graphql(
      stack.api.url,
      keys.platform.key,
      '{ __schema { queryType { fields { name } } mutationType { fields { name } } } }',
    );
    const types = schema.body?.data?.__schema as {
      queryType: { fields: { name: string }[] };
      mutationType: { fields: { name: string }[] };
    };
    const fields = [
      ...types.queryType.fields.map((field) => `Query.${field.name}`),
      ...types.mutationType.fields.map((field) => `Mutation.${field.name}`),
    ];
    expect(
      fields.filter((field) => !(field in expectations)),
      'root fields without an expected outcome',
    ).toEqual([]);
    let cells = 0;
    const refundsMade = { acme: 0, globex: 0 };
    for (const field of fields) {
      const expected = expectations[field]!;
      for (const keyName of Object.keys(keys) as KeyName[]) {
        const entry = keys[keyName];
        const own = entry.tenant === 'globex' ? 'globex' : 'acme';
        const other = own === 'acme' ? 'globex' : 'acme';
        for (const whose of [own, other] as const) {
          cells += 1;
          const label = `${field} as ${keyName} on ${whose === own ? 'own' : 'other'} tenant`;
          const answer = await send(keyName, field, tenants[whose]);
          expect(answer.status, label).toBeLessThan(500);
          const code = answer.body?.errors?.[0]?.extensions?.code;
          const roleHeld = expected.role === 'any' || entry.roles.includes(expected.role);
          const platform = entry.tenant === '*';
          if (!roleHeld || (expected.platformOnly && !platform)) {
            expect(code, `${label}: ${answer.text}`).toBe('FORBIDDEN');
            expect(answer.body?.data?.[field.split('.')[1]!] ?? null, label).toBeNull();
            continue;
          }
          expect(code, `${label}: ${answer.text}`).not.toBe('FORBIDDEN');
          expect(code, `${label}: ${answer.text}`).not.toBe('INTERNAL_SERVER_ERROR');
          if (
            field === 'Mutation.refundPayment' &&
            (answer.body?.data?.refundPayment as { refund: unknown }).refund
          ) {
            refundsMade[whose] += 1;
          }
          const seen = revealed(answer.body?.data);
          const foreign = platform ? undefined : other;
          if (foreign) {
            // Nothing of another tenant is ever shown: not its ids, not its merchant.
            expect(seen.has(tenants[foreign].paymentId), label).toBe(false);
            expect(seen.has(tenants[foreign].refundId), label).toBe(false);
            expect(seen.has(foreign), `${label}: ${answer.text}`).toBe(false);
          }
          const paymentMutation = [
            'authorizePayment',
            'capturePayment',
            'voidPayment',
            'refundPayment',
          ].includes(field.split('.')[1]!);
          if (whose === other && !platform && paymentMutation) {
            const errors = (
              answer.body?.data?.[field.split('.')[1]!] as { errors: { code: string }[] }
            ).errors;
            expect(
              errors.map((error) => error.code),
              label,
            ).toEqual(['PAYMENT_NOT_FOUND']);
          }
          if (whose === other && !platform && field === 'Mutation.createPayment') {
            const errors = (answer.body?.data?.createPayment as { errors: { code: string }[] })
              .errors;
            expect(
              errors.map((error) => error.code),
              label,
            ).toEqual(['INVALID_COMMAND']);
          }
        }
      }
    }
    expect(cells).toBe(fields.length * Object.keys(keys).length * 2);
    // Each payment has exactly the refunds its own tenant's keys made: none from the other.
    for (const tenant of ['acme', 'globex'] as const) {
      const key = tenant === 'acme' ? keys.acmeAll.key : keys.globexAll.key;
      const answer = await graphql(
        stack.api.url,
        key,
        'query($id: ID!) { paymentAsOf(id: $id, at: "2999-01-01T00:00:00Z") { refunds { id } } }',
        { id: tenants[tenant].paymentId },
      );
      const refunds = (answer.body?.data?.paymentAsOf as { refunds: { id: string }[] }).refunds;
      expect(refunds.length, tenant).toBe(1 + refundsMade[tenant]);
      expect(refunds[0]?.id).toBe(tenants[tenant].refundId);
    }
  }, 120_000);

  it('refuses missing, malformed, guessed and near-miss keys with 401; accepts a key stored as SHA-256', async () => {
    const attempts = [
      null,
      'Basic ' + Buffer.from(`user:${keys.acmeAll.key}`).toString('base64'),
      `${keys.acmeAll.key}x`,
      keys.acmeAll.key.slice(0, -1),
      keys.acmeAll.key.toUpperCase(),
      'x'.repeat(10_000),
    ];
    for (const attempt of attempts) {
      const headers: Record<string, string> = attempt?.startsWith('Basic ')
        ? { authorization: attempt }
        : {};
      const answer = await graphql(
        stack.api.url,
        attempt && !attempt.startsWith('Basic ') ? attempt : null,
        '{ me { keyId } }',
        {},
        { headers },
      );
      answers.push(answer.text);
      expect(answer.status).toBe(401);
      expect(answer.body?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const hashed = await graphql(stack.api.url, keys.acmeHashed.key, '{ me { keyId tenant } }');
    expect(hashed.body?.data?.me).toEqual({ keyId: 'acme-hashed', tenant: 'acme' });
    // The API keys are compared as SHA-256 digests in constant time, every record every time.
    const store = await readFile(join(projectRoot, 'api', 'auth', 'api-key-store.ts'), 'utf8');
    expect(store).toMatch(/timingSafeEqual\(digest, record\.keySha256\)/);
    expect(store).not.toMatch(/return record|break;/);
  });

  it('rate limits per API key and per webhook provider with 429 and Retry-After', async () => {
    let limited: ApiProcess | undefined;
    try {
      limited = await startApiProcess({
        dataDirectory: join(stack.dataDirectory, 'limited'),
        databaseUrl: stack.databaseUrl,
        eventStoreConnectionString: stack.store.connectionString,
        apiKeys: configuration,
        environment: {
          RATE_LIMIT_RPS: '1',
          RATE_LIMIT_BURST: '3',
          WEBHOOK_RATE_LIMIT_RPS: '1',
          WEBHOOK_RATE_LIMIT_BURST: '3',
          LOG_LEVEL: 'trace',
          WEBHOOK_SECRET_SIM: simSecret,
          WEBHOOK_SECRET_STRIPE: stripeSecret,
        },
      });
      const burst = await Promise.all(
        Array.from({ length: 8 }, () =>
          graphql(limited!.url, keys.acmeRead.key, '{ me { keyId } }'),
        ),
      );
      const refused = burst.filter((answer) => answer.status === 429);
      expect(refused.length).toBeGreaterThanOrEqual(4);
      expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another key has its own bucket.
      expect((await graphql(limited.url, keys.globexAll.key, '{ me { keyId } }')).status).toBe(200);
      const callbacks = await Promise.all(
        Array.from({ length: 8 }, () =>
          postSimCallback(limited!.url, simSecret, {
            id: randomUUID(),
            type: 'nope',
            created: 1,
            data: {},
          }),
        ),
      );
      const refusedCallbacks = callbacks.filter((answer) => answer.status === 429);
      expect(refusedCallbacks.length).toBeGreaterThanOrEqual(4);
      expect(Number(refusedCallbacks[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const stripe = await fetch(`${limited.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
        body: '{}',
      });
      expect(stripe.status).toBe(400);
      answers.push(...callbacks.map((answer) => answer.text));
    } finally {
      if (limited) {
        answers.push(limited.output());
        await limited.kill();
      }
    }
  }, 90_000);

  it('never shows a secret in logs, errors or metrics', async () => {
    // Provoke what could leak: bad signatures, a signature computed with a wrong secret, a
    // config of the rest of the answers above, and the metrics page.
    await postSimCallback(stack.api.url, `${simSecret}x`, { id: 'x', type: 'payment.captured' });
    await postSimCallback(
      stack.api.url,
      simSecret,
      {},
      { headers: { 'ledger-signature': `t=1,v1=${simSecret}` } },
    );
    const metrics = await (await fetch(`${stack.api.url}/metrics`)).text();
    expect(metrics).toContain('graphql');
    const output = stack.api.output();
    expect(output.length).toBeGreaterThan(10_000);
    expect(output).toContain('[redacted]');
    for (const text of [output, metrics, ...answers]) {
      for (const secret of secrets) {
        expect(text.includes(secret), `a secret appears in: ${text.slice(0, 200)}`).toBe(false);
      }
    }
  });
});
