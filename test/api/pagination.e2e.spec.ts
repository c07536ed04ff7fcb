import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type GraphqlResponse } from './support/harness.ts';
import type { ConnectionData } from './support/operations.ts';

const paymentCount = 250;
const refundedCount = 100;

const paymentsPage = /* GraphQL */ `
  query Page($first: Int, $after: String, $last: Int, $before: String, $filter: PaymentFilter) {
    payments(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      edges {
        cursor
        node {
          id
          reference
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

type PageData = { payments: ConnectionData<{ id: string; reference: string; createdAt: string }> };

async function inBatches<Item>(
  items: Item[],
  concurrency: number,
  work: (item: Item) => Promise<void>,
) {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) await work(items[index]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

describe('GraphQL API: lists', () => {
  let api: ApiHarness;
  const created: string[] = [];

  beforeAll(async () => {
    api = await startApiHarness();
    const service = api.paymentService;
    const caller = api.caller('acme');
    let highest = 0n;
    await inBatches([...Array(paymentCount).keys()], 12, async (index) => {
      const result = await service.createPayment(caller, {
        idempotencyKey: `create-${randomUUID()}`,
        amount: { amount: String(1_000 + index), currency: index % 2 === 0 ? 'USD' : 'EUR' },
        reference: `ref-${index}`,
      });
      const id = result.payment!.id;
      created.push(id);
      if (index >= refundedCount) return;
      await service.authorizePayment(caller, { paymentId: id, idempotencyKey: `a-${id}` });
      await service.capturePayment(caller, { paymentId: id, idempotencyKey: `c-${id}` });
      const refunded = await service.refundPayment(caller, {
        paymentId: id,
        amount: { amount: '100', currency: index % 2 === 0 ? 'USD' : 'EUR' },
        idempotencyKey: `r-${id}`,
      });
      const position = BigInt(refunded.consistencyToken!);
      if (position > highest) highest = position;
    });
    // Another tenant's payment, which acme's lists must never show.
    const other = await service.createPayment(api.caller('globex'), {
      idempotencyKey: `create-${randomUUID()}`,
      amount: { amount: '1', currency: 'USD' },
    });
    const otherPosition = BigInt(other.consistencyToken!);
    await api.settle((otherPosition > highest ? otherPosition : highest).toString());
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('walks 250 payments forwards and backwards with no gap or duplicate', async () => {
    const forwards: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const response: GraphqlResponse<PageData> = await api.graphql<PageData>(paymentsPage, {
        variables: { first: 100, after },
      });
      const connection: PageData['payments'] = response.body.data!.payments;
      forwards.push(...connection.edges.map((edge) => edge.node.id));
      expect(connection.pageInfo.hasPreviousPage).toBe(page > 0);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(forwards).toHaveLength(paymentCount);
    expect(new Set(forwards)).toEqual(new Set(created));

    const backwards: string[][] = [];
    let before: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const response: GraphqlResponse<PageData> = await api.graphql<PageData>(paymentsPage, {
        variables: { last: 100, before },
      });
      const connection: PageData['payments'] = response.body.data!.payments;
      backwards.unshift(connection.edges.map((edge) => edge.node.id));
      expect(connection.pageInfo.hasNextPage).toBe(page > 0);
      if (!connection.pageInfo.hasPreviousPage) break;
      before = connection.pageInfo.startCursor;
    }
    expect(backwards.flat()).toEqual(forwards);
  });

  it('uses the default page size of 20 and counts the whole list on request', async () => {
    const response = await api.graphql<{ payments: ConnectionData<unknown> }>(
      '{ payments { edges { cursor } pageInfo { hasNextPage } totalCount } }',
    );
    const connection = response.body.data!.payments;
    expect(connection.edges).toHaveLength(20);
    expect(connection.totalCount).toBe(paymentCount);
  });

  it('filters by status, currency, amount range, reference and creation time', async () => {
    const count = async (filter: Record<string, unknown>) => {
      const response = await api.graphql<{ payments: { totalCount: number } }>(
        'query($filter: PaymentFilter) { payments(filter: $filter) { totalCount } }',
        { variables: { filter } },
      );
      expect(response.body.errors).toBeUndefined();
      return response.body.data!.payments.totalCount;
    };
    expect(await count({ status: ['CAPTURED'] })).toBe(refundedCount);
    expect(await count({ status: ['INITIATED', 'CAPTURED'] })).toBe(paymentCount);
    expect(await count({ currency: 'eur' })).toBe(paymentCount / 2);
    expect(await count({ amountMin: '1010', amountMax: '1019' })).toBe(10);
    expect(await count({ reference: 'ref-7' })).toBe(1);
    expect(
      await count({ createdFrom: '2000-01-01T00:00:00Z', createdTo: '2000-01-02T00:00:00Z' }),
    ).toBe(0);
    expect(await count({ merchantId: 'globex' })).toBe(0);
  });

  it('refuses page sizes above 100, mixed directions and foreign cursors', async () => {
    const tooLarge = await api.graphql(paymentsPage, { variables: { first: 101 } });
    expect(tooLarge.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('100'),
      extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
    });
    const both = await api.graphql(paymentsPage, { variables: { first: 1, last: 1 } });
    expect(both.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const garbage = await api.graphql(paymentsPage, { variables: { after: 'not-a-cursor!' } });
    expect(garbage.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'after',
    });
    const refunds = await api.graphql<{ refunds: ConnectionData<unknown> }>(
      '{ refunds(first: 1) { pageInfo { endCursor } } }',
    );
    const foreign = refunds.body.data!.refunds.pageInfo.endCursor;
    const mixed = await api.graphql(paymentsPage, { variables: { after: foreign } });
    expect(mixed.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badAmount = await api.graphql(paymentsPage, {
      variables: { filter: { amountMin: '1e3' } },
    });
    expect(badAmount.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pages refunds and journal entries with the same cursors', async () => {
    const response = await api.graphql<{
      refunds: ConnectionData<{ id: string }>;
      journalEntries: ConnectionData<{ id: string; lines: unknown[] }>;
    }>(`{
      refunds(first: 100) { edges { node { id } } pageInfo { hasNextPage } totalCount }
      journalEntries(first: 10, filter: { account: "refunds_pending", currency: "USD" }) {
        edges { node { id lines { account } } } totalCount
      }
    }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.refunds.totalCount).toBe(refundedCount);
    expect(response.body.data!.refunds.pageInfo.hasNextPage).toBe(false);
    expect(response.body.data!.journalEntries.totalCount).toBe(refundedCount / 2);
  });

  it('loads a page of 100 payments with refunds, journal and lines in a constant number of queries', async () => {
    const query = /* GraphQL */ `
      query Deep($first: Int!) {
        payments(first: $first) {
          edges {
            node {
              id
              refunds {
                id
                amount {
                  amount
                }
                payment {
                  id
                }
              }
              journalEntries {
                id
                lines {
                  account
                  debit {
                    amount
                  }
                }
              }
            }
          }
        }
      }
    `;
    api.readQueries.reset();
    const small = await api.graphql<{ payments: ConnectionData<{ refunds: unknown[] }> }>(query, {
      variables: { first: 5 },
    });
    const smallQueries = api.readQueries.count;
    api.readQueries.reset();
    const large = await api.graphql<{ payments: ConnectionData<{ refunds: unknown[] }> }>(query, {
      variables: { first: 100 },
    });
    const largeQueries = api.readQueries.count;
    expect(large.body.errors).toBeUndefined();
    expect(small.body.errors).toBeUndefined();
    const withRefunds = large.body.data!.payments.edges.filter(
      (edge) => edge.node.refunds.length > 0,
    );
    expect(withRefunds.length).toBeGreaterThan(0);
    // page + refunds + refunds' payments + journal entries + journal lines
    expect(largeQueries).toBe(smallQueries);
    expect(largeQueries).toBeLessThanOrEqual(5);
  });
});
