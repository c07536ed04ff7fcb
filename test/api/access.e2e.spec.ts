import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, startApiHarness, type ApiHarness } from './support/harness.ts';
import {
  capturePayment,
  createPayment,
  refundPayment,
  type PaymentPayloadData,
} from './support/operations.ts';

/** Two tenants, one captured and refunded payment each; every read is checked across them. */
describe('GraphQL API: authentication, roles and tenant isolation', () => {
  let api: ApiHarness;
  const acme = { paymentId: '', refundId: '' };
  const globex = { paymentId: '', refundId: '' };

  async function capturedAndRefunded(tenant: string, amount: string) {
    const service = api.paymentService;
    const caller = api.caller(tenant);
    const created = await service.createPayment(caller, {
      idempotencyKey: randomUUID(),
      amount: { amount, currency: 'USD' },
      reference: `shared-reference`,
    });
    const paymentId = created.payment!.id;
    await service.authorizePayment(caller, { paymentId, idempotencyKey: randomUUID() });
    await service.capturePayment(caller, { paymentId, idempotencyKey: randomUUID() });
    const refunded = await service.refundPayment(caller, {
      paymentId,
      amount: { amount: '100', currency: 'USD' },
      idempotencyKey: randomUUID(),
    });
    await api.settle(refunded.consistencyToken);
    return { paymentId, refundId: refunded.refund!.id };
  }

  beforeAll(async () => {
    api = await startApiHarness();
    Object.assign(acme, await capturedAndRefunded('acme', '5000'));
    Object.assign(globex, await capturedAndRefunded('globex', '7000'));
  });

  afterAll(async () => {
    await api?.stop();
  });

  describe('authentication', () => {
    it('answers 401 UNAUTHENTICATED without a key, with a malformed or an unknown one', async () => {
      const missing = await api.graphql('{ me { keyId } }', { key: null });
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(missing.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const basic = await api.graphql('{ me { keyId } }', {
        key: null,
        headers: { authorization: 'Basic abc' },
      });
      expect(basic.status).toBe(401);
      const guessed = `${keys.acmeAll.key}x`;
      const unknown = await api.graphql('{ me { keyId } }', {
        key: null,
        headers: { authorization: `Bearer ${guessed}` },
      });
      expect(unknown.status).toBe(401);
      expect(unknown.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(unknown.body)).not.toContain(guessed);
    });

    it('serves GraphiQL to a browser and refuses non-JSON posts (CSRF)', async () => {
      const page = await fetch(`${api.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('GraphiQL');
      const form = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Bearer ${keys.acmeAll.key}`,
        },
        body: 'query=%7B+me+%7B+keyId+%7D+%7D',
      });
      expect(form.status).toBe(415);
    });

    it('accepts queries over GET with a key, and refuses a malformed consistency token', async () => {
      const response = await fetch(
        `${api.url}/graphql?query=${encodeURIComponent('{ me { keyId } }')}`,
        {
          headers: { authorization: `Bearer ${keys.acmeRead.key}`, accept: 'application/json' },
        },
      );
      expect(await response.json()).toEqual({ data: { me: { keyId: 'acme-read' } } });
      const token = await api.graphql('{ me { keyId } }', {
        headers: { 'x-consistency-token': 'soon' },
      });
      expect(token.status).toBe(400);
      expect(token.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('roles', () => {
    it('refuses a mutation to a read-only key, naming the role', async () => {
      const response = await api.graphql(createPayment, {
        key: 'acmeRead',
        variables: {
          input: { amount: { amount: '100', currency: 'USD' }, idempotencyKey: randomUUID() },
        },
      });
      expect(response.body.data).toBeNull();
      expect(response.body.errors?.[0]).toMatchObject({
        message: expect.stringContaining('"write"'),
        extensions: { code: 'FORBIDDEN', requiredRole: 'write' },
      });
    });

    it('refuses reads to a write-only key, and audit and operate fields to a read key', async () => {
      const cases: [string, 'acmeWrite' | 'acmeRead', string][] = [
        ['{ payments { totalCount } }', 'acmeWrite', 'read'],
        ['{ auditLog { totalCount } }', 'acmeRead', 'audit'],
        [
          `{ paymentAsOf(id: "${acme.paymentId}", at: "2030-01-01T00:00:00Z") { id } }`,
          'acmeRead',
          'audit',
        ],
        ['{ projections { name } }', 'acmeRead', 'operate'],
        ['{ parkedCallbacks { totalCount } }', 'acmeRead', 'operate'],
      ];
      for (const [query, key, role] of cases) {
        const response = await api.graphql(query, { key });
        expect(response.body.errors?.[0]?.extensions, query).toMatchObject({
          code: 'FORBIDDEN',
          requiredRole: role,
        });
      }
    });

    it('hides only the history of a payment from a key without audit', async () => {
      const response = await api.graphql<{ payment: { id: string; history: unknown } | null }>(
        `{ payment(id: "${acme.paymentId}") { id history { type } } }`,
        { key: 'acmeRead' },
      );
      expect(response.body.errors?.[0]).toMatchObject({
        path: ['payment', 'history'],
        extensions: { code: 'FORBIDDEN' },
      });
      // history is non-null, so the payment itself becomes null: the error says why.
      expect(response.body.data).toEqual({ payment: null });
    });

    it('lets an operator read the projections status', async () => {
      const response = await api.graphql<{
        projections: { name: string; state: string; checkpoint: string | null }[];
      }>('{ projections { name state phase checkpoint headPosition lag lastError } }');
      expect(response.body.errors).toBeUndefined();
      const names = response.body.data!.projections.map((projection) => projection.name);
      expect(names).toEqual(
        expect.arrayContaining(['payments', 'refunds', 'journal', 'audit_log']),
      );
    });
  });

  it('keeps projection actions to platform operators', async () => {
    const retry = 'mutation { retryProjection(input: { name: "payments" }) { name state } }';
    const tenant = await api.graphql(retry, { key: 'acmeAll' });
    expect(tenant.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const running = await api.graphql(retry, { key: 'platform' });
    expect(running.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('not stopped'),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const skip = await api.graphql(
      'mutation { skipProjectionEvent(input: { name: "payments", position: "x" }) { name } }',
      { key: 'platform' },
    );
    expect(skip.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'position',
    });
  });

  describe('tenant isolation', () => {
    it("answers another tenant's ids exactly like missing ones", async () => {
      const query = `query($payment: ID!, $refund: ID!) {
        payment(id: $payment) { id }
        refund(id: $refund) { id }
        paymentAsOf(id: $payment, at: "2100-01-01T00:00:00Z") { id }
      }`;
      const foreign = await api.graphql(query, {
        key: 'globexAll',
        variables: { payment: acme.paymentId, refund: acme.refundId },
      });
      const missing = await api.graphql(query, {
        key: 'globexAll',
        variables: { payment: randomUUID(), refund: randomUUID() },
      });
      expect(foreign.body).toEqual({ data: { payment: null, refund: null, paymentAsOf: null } });
      expect(foreign.body).toEqual(missing.body);
      const own = await api.graphql<{ payment: { id: string } }>(query, {
        key: 'globexAll',
        variables: { payment: globex.paymentId, refund: globex.refundId },
      });
      expect(own.body.data!.payment.id).toBe(globex.paymentId);
    });

    it("refuses commands on another tenant's payment as PAYMENT_NOT_FOUND, like a missing one", async () => {
      const attempt = async (paymentId: string) => {
        const response = await api.graphql<{ capturePayment: PaymentPayloadData }>(capturePayment, {
          key: 'globexAll',
          variables: { input: { paymentId, idempotencyKey: randomUUID() } },
        });
        return response.body.data!.capturePayment;
      };
      const missingId = randomUUID();
      const foreign = await attempt(acme.paymentId);
      const missing = await attempt(missingId);
      expect(foreign.errors.map((error) => error.code)).toEqual(['PAYMENT_NOT_FOUND']);
      expect(foreign.errors[0]!.message.replace(acme.paymentId, 'ID')).toBe(
        missing.errors[0]!.message.replace(missingId, 'ID'),
      );
      expect(JSON.stringify(foreign)).not.toContain('acme');
      const refund = await api.graphql<{ refundPayment: PaymentPayloadData }>(refundPayment, {
        key: 'globexAll',
        variables: {
          input: {
            paymentId: acme.paymentId,
            amount: { amount: '1', currency: 'USD' },
            idempotencyKey: randomUUID(),
          },
        },
      });
      expect(refund.body.data!.refundPayment.errors[0]!.code).toBe('PAYMENT_NOT_FOUND');
    });

    it('shows a tenant only its own rows in every list and balance', async () => {
      const everything = `{
        payments(filter: { reference: "shared-reference" }) { edges { node { id merchantId } } }
        refunds { edges { node { id merchantId } } }
        journalEntries { edges { node { merchantId } } }
        auditLog(first: 100) { edges { node { metadata } } }
        accounts { code currency debits { amount } }
        account(code: "merchant_payable", currency: "USD") { balance { amount } }
        trialBalance(currency: "USD") { debits { amount } total { amount } }
        parkedCallbacks { totalCount }
        foreign: payments(filter: { merchantId: "acme" }) { totalCount }
      }`;
      type Everything = {
        payments: { edges: { node: { id: string; merchantId: string } }[] };
        refunds: { edges: { node: { merchantId: string } }[] };
        journalEntries: { edges: { node: { merchantId: string } }[] };
        auditLog: { edges: { node: { metadata: { tenantId: string } } }[] };
        account: { balance: { amount: string } };
        trialBalance: { debits: { amount: string }; total: { amount: string } };
        foreign: { totalCount: number };
      };
      const response = await api.graphql<Everything>(everything, { key: 'globexAll' });
      expect(response.body.errors).toBeUndefined();
      const data = response.body.data!;
      expect(data.payments.edges.map((edge) => edge.node.id)).toEqual([globex.paymentId]);
      expect(new Set(data.refunds.edges.map((edge) => edge.node.merchantId))).toEqual(
        new Set(['globex']),
      );
      expect(new Set(data.journalEntries.edges.map((edge) => edge.node.merchantId))).toEqual(
        new Set(['globex']),
      );
      expect(new Set(data.auditLog.edges.map((edge) => edge.node.metadata.tenantId))).toEqual(
        new Set(['globex']),
      );
      // Captured 7000, refund of 100 requested: merchant_payable = -(7000 - 100).
      expect(data.account.balance.amount).toBe('-6900');
      expect(data.trialBalance).toEqual({ debits: { amount: '7100' }, total: { amount: '0' } });
      expect(data.foreign.totalCount).toBe(0);

      const platform = await api.graphql<Everything>(everything, { key: 'platform' });
      expect(platform.body.data!.payments.edges).toHaveLength(2);
      expect(platform.body.data!.account.balance.amount).toBe('-11800');
      expect(platform.body.data!.foreign.totalCount).toBe(1);
    });

    it('requires a platform key to name the merchant, and a tenant key not to name another', async () => {
      const create = (key: 'platform' | 'acmeAll', merchantId?: string) =>
        api.graphql<{ createPayment: PaymentPayloadData }>(createPayment, {
          key,
          variables: {
            input: {
              amount: { amount: '100', currency: 'USD' },
              idempotencyKey: randomUUID(),
              merchantId,
            },
          },
        });
      const unnamed = await create('platform');
      expect(unnamed.body.data!.createPayment.errors[0]).toMatchObject({
        code: 'INVALID_COMMAND',
        field: ['input', 'merchantId'],
      });
      const named = await create('platform', 'initech');
      expect(named.body.data!.createPayment.payment?.merchantId).toBe('initech');
      const other = await create('acmeAll', 'globex');
      expect(other.body.data!.createPayment.errors[0]?.code).toBe('INVALID_COMMAND');
    });
  });
});
