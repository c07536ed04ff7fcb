import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from './support/harness.ts';
import {
  authorizePayment,
  capturePayment,
  createPayment,
  paymentFields,
  refundPayment,
  type PaymentData,
  type PaymentPayloadData,
  type RefundPayloadData,
} from './support/operations.ts';

interface HistoryEvent {
  type: string;
  stream: string;
  revision: string;
  position: string;
  recordedAt: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const paymentWithHistory = /* GraphQL */ `
  query Payment($id: ID!) {
    payment(id: $id) {
      ...PaymentFields
      journalEntries {
        eventType
        lines {
          account
          debit {
            amount
          }
          credit {
            amount
          }
        }
      }
      history {
        type
        stream
        revision
        position
        recordedAt
        data
        metadata
      }
    }
  }
  ${paymentFields}
`;

const paymentAsOf = /* GraphQL */ `
  query AsOf($id: ID!, $at: DateTime!) {
    paymentAsOf(id: $id, at: $at) {
      id
      status
      asOf
      eventCount
      revision
      capturedAmount {
        amount
      }
      refundedAmount {
        amount
      }
      refundableAmount {
        amount
      }
      refunds {
        id
        status
        amount {
          amount
        }
      }
    }
  }
`;

describe('GraphQL API: a payment from creation to refund', () => {
  let api: ApiHarness;
  let paymentId: string;
  let refundToken: string;
  let beforeRefund: Date;
  let beforeCreation: Date;
  const createInput = {
    amount: { amount: '10000', currency: 'USD' },
    reference: `order-${randomUUID()}`,
    idempotencyKey: `create-${randomUUID()}`,
  };

  beforeAll(async () => {
    api = await startApiHarness();
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('creates, authorizes, captures and partially refunds through mutations', async () => {
    beforeCreation = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const created = await api.graphql<{ createPayment: PaymentPayloadData }>(createPayment, {
      variables: { input: createInput },
    });
    expect(created.status).toBe(200);
    expect(created.body.errors).toBeUndefined();
    const payload = created.body.data!.createPayment;
    expect(payload.errors).toEqual([]);
    expect(payload.payment).toMatchObject({
      status: 'INITIATED',
      merchantId: 'acme',
      amount: { amount: '10000', currency: 'USD', formatted: '100.00' },
    });
    expect(payload.consistencyToken).toMatch(/^[0-9]+$/);
    paymentId = payload.payment!.id;

    const authorized = await api.graphql<{ authorizePayment: PaymentPayloadData }>(
      authorizePayment,
      {
        variables: { input: { paymentId, idempotencyKey: `authorize-${randomUUID()}` } },
      },
    );
    expect(authorized.body.data!.authorizePayment.payment).toMatchObject({
      status: 'AUTHORIZED',
      authorizedAmount: { amount: '10000' },
    });
    const captured = await api.graphql<{ capturePayment: PaymentPayloadData }>(capturePayment, {
      variables: { input: { paymentId, idempotencyKey: `capture-${randomUUID()}` } },
    });
    expect(captured.body.data!.capturePayment.payment).toMatchObject({
      status: 'CAPTURED',
      capturedAmount: { amount: '10000' },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    beforeRefund = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refunded = await api.graphql<{ refundPayment: RefundPayloadData }>(refundPayment, {
      variables: {
        input: {
          paymentId,
          amount: { amount: '2500', currency: 'USD' },
          reason: 'damaged in transit',
          idempotencyKey: `refund-${randomUUID()}`,
        },
      },
    });
    const refund = refunded.body.data!.refundPayment;
    expect(refund.errors).toEqual([]);
    expect(refund.refund).toMatchObject({
      status: 'PENDING',
      paymentId,
      amount: { amount: '2500' },
    });
    expect(refund.payment).toMatchObject({
      refundedAmount: { amount: '2500' },
      refundableAmount: { amount: '7500' },
    });
    refundToken = refund.consistencyToken!;
  });

  it('returns the identical payload when a request is repeated with its idempotency key', async () => {
    const first = await api.graphql(createPayment, { variables: { input: createInput } });
    const second = await api.graphql(createPayment, { variables: { input: createInput } });
    expect(second.body).toEqual(first.body);
    const payload = second.body.data as { createPayment: PaymentPayloadData };
    // The payload is the first command's result: still INITIATED, whatever happened since.
    expect(payload.createPayment.payment).toMatchObject({ id: paymentId, status: 'INITIATED' });
  });

  it('refuses the same key with a different request as data, not as a GraphQL error', async () => {
    const response = await api.graphql<{ createPayment: PaymentPayloadData }>(createPayment, {
      variables: { input: { ...createInput, amount: { amount: '10001', currency: 'USD' } } },
    });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.createPayment).toMatchObject({
      payment: null,
      errors: [{ code: 'IDEMPOTENCY_KEY_REUSED' }],
    });
  });

  it('reads its own write with X-Consistency-Token: read model, journal and history', async () => {
    const response = await api.graphql<{
      payment: PaymentData & { journalEntries: { eventType: string }[]; history: HistoryEvent[] };
    }>(paymentWithHistory, {
      variables: { id: paymentId },
      headers: { 'x-consistency-token': refundToken },
    });
    expect(response.body.errors).toBeUndefined();
    const payment = response.body.data!.payment;
    expect(payment).toMatchObject({
      status: 'CAPTURED',
      refundedAmount: { amount: '2500' },
      refundableAmount: { amount: '7500' },
      refunds: [{ status: 'PENDING', amount: { amount: '2500', currency: 'USD' } }],
    });
    expect(payment.journalEntries.map((entry) => entry.eventType)).toEqual([
      'PaymentCaptured',
      'RefundRequested',
    ]);
    expect(payment.history.map((event) => event.type)).toEqual([
      'PaymentInitiated',
      'PaymentAuthorized',
      'PaymentCaptured',
      'RefundRequested',
    ]);
    expect(payment.history.map((event) => event.revision)).toEqual(['0', '1', '2', '3']);
    const [first, second] = payment.history;
    expect(first!.metadata).toMatchObject({
      actor: 'api-key:acme-all',
      source: 'api',
      tenantId: 'acme',
    });
    expect(second!.metadata.previousHash).toBe(first!.metadata.hash);
    expect(payment.history.at(-1)!.position).toBe(refundToken);
  });

  it('replays the event store for paymentAsOf, before and after the refund', async () => {
    type AsOf = { paymentAsOf: Record<string, unknown> | null };
    const before = await api.graphql<AsOf>(paymentAsOf, {
      variables: { id: paymentId, at: beforeRefund.toISOString() },
    });
    expect(before.body.data!.paymentAsOf).toMatchObject({
      status: 'CAPTURED',
      eventCount: 3,
      revision: '2',
      refundedAmount: { amount: '0' },
      refunds: [],
    });
    const after = await api.graphql<AsOf>(paymentAsOf, {
      variables: { id: paymentId, at: new Date().toISOString() },
    });
    expect(after.body.data!.paymentAsOf).toMatchObject({
      eventCount: 4,
      refundedAmount: { amount: '2500' },
      refundableAmount: { amount: '7500' },
      refunds: [{ status: 'PENDING', amount: { amount: '2500' } }],
    });
    const earlier = await api.graphql<AsOf>(paymentAsOf, {
      variables: { id: paymentId, at: beforeCreation.toISOString() },
    });
    expect(earlier.body.data!.paymentAsOf).toBeNull();
  });

  it('balances the books: trial balance, accounts, journal entries', async () => {
    const response = await api.graphql<{
      trialBalance: {
        debits: { amount: string };
        credits: { amount: string };
        total: { amount: string };
        accounts: { code: string; balance: { amount: string } }[];
      };
      account: { balance: { amount: string } } | null;
      journalEntries: { edges: { node: { paymentId: string } }[]; totalCount: number };
    }>(
      /* GraphQL */ `
        query Books($paymentId: ID!) {
          trialBalance(currency: "USD") {
            debits {
              amount
            }
            credits {
              amount
            }
            total {
              amount
              formatted
            }
            accounts {
              code
              balance {
                amount
              }
            }
          }
          account(code: "merchant_payable", currency: "usd") {
            balance {
              amount
            }
          }
          journalEntries(filter: { paymentId: $paymentId }) {
            edges {
              node {
                paymentId
              }
            }
            totalCount
          }
        }
      `,
      { variables: { paymentId }, headers: { 'x-consistency-token': refundToken } },
    );
    expect(response.body.errors).toBeUndefined();
    const books = response.body.data!;
    expect(books.trialBalance.total.amount).toBe('0');
    expect(books.trialBalance.debits.amount).toBe(books.trialBalance.credits.amount);
    expect(books.account).toEqual({ balance: { amount: '-7500' } });
    expect(books.journalEntries.totalCount).toBe(2);
  });

  it('lists the payment in the audit log, filtered by payment and correlation', async () => {
    const response = await api.graphql<{
      auditLog: { edges: { node: { type: string; metadata: { correlationId: string } } }[] };
    }>(
      /* GraphQL */ `
        query Audit($paymentId: ID!) {
          auditLog(filter: { paymentId: $paymentId }) {
            edges {
              node {
                type
                metadata
              }
            }
          }
        }
      `,
      { variables: { paymentId }, headers: { 'x-consistency-token': refundToken } },
    );
    const events = response.body.data!.auditLog.edges.map((edge) => edge.node);
    expect(events.map((event) => event.type)).toEqual([
      'PaymentInitiated',
      'PaymentAuthorized',
      'PaymentCaptured',
      'RefundRequested',
    ]);
    const correlationId = events[0]!.metadata.correlationId;
    const byCorrelation = await api.graphql<{ auditLog: { edges: unknown[] } }>(
      `query($id: String!) { auditLog(filter: { correlationId: $id }) { edges { node { type } } } }`,
      { variables: { id: correlationId } },
    );
    expect(byCorrelation.body.data!.auditLog.edges).toHaveLength(1);
  });

  it('tells the caller who it is', async () => {
    const response = await api.graphql<{ me: unknown }>('{ me { keyId tenant roles } }', {
      key: 'acmeRead',
    });
    expect(response.body.data!.me).toEqual({ keyId: 'acme-read', tenant: 'acme', roles: ['read'] });
  });
});
