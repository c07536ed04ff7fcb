import { randomUUID } from 'node:crypto';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type GraphqlServices } from '../../api/graphql/context.ts';
import { resolvers } from '../../api/graphql/resolvers/index.ts';
import { typeDefs } from '../../api/graphql/schema/index.ts';
import type { Role } from '../../api/auth/roles.ts';
import {
  createReconciliationResolvers,
  reconciliationTypeDefs,
} from '../../api/graphql-reconciliation/index.ts';
import { reconciliationStreamName } from '../../domain/reconciliation/index.ts';
import { createLogger } from '../../infra/logging/logger.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { bytesSource, ReconciliationService } from '../../infra/reconciliation/index.ts';
import { PaymentService } from '../../infra/write/payment-service.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestEventStore, type TestEventStore } from '../support/event-store.ts';
import { runProjections, type RunningReadSide } from './support/projections.ts';
import { buildScenario, type Scenario } from './support/scenario.ts';
import { seedPayments } from './support/seed-payments.ts';

describe('exception resolution, the ledger CSV format, tenancy and the GraphQL fragment', () => {
  let database: TestDatabase;
  let events: TestEventStore;
  let pool: Pool;
  let projections: RunningReadSide;
  let service: ReconciliationService;
  let payments: PaymentService;
  let scenario: Scenario;
  let runId: string;
  const tenantId = `acme-${randomUUID().slice(0, 6)}`;
  const tag = randomUUID().slice(0, 6);

  beforeAll(async () => {
    [database, events] = await Promise.all([createTestDatabase(), startTestEventStore()]);
    pool = createPool({
      connectionString: database.url,
      maxConnections: 8,
      applicationName: 'test',
    });
    projections = runProjections(events.eventStore, pool);
    payments = new PaymentService(events.eventStore);
    service = new ReconciliationService({ store: events.eventStore, pool, payments });
    scenario = buildScenario({ tenantId, tag, paymentCount: 40 });
    await seedPayments(events.eventStore, scenario.seeds);
    await projections.caughtUp();
    const result = await service.reconcile({
      source: bytesSource('small.csv', Buffer.from(scenario.csv)),
      format: 'stripe_balance_csv',
      tenantId,
      actor: 'ops',
    });
    if (result.status !== 'COMPLETED') throw new Error('refused');
    runId = result.runId;
    await projections.caughtUp();
  }, 180_000);

  afterAll(async () => {
    await projections?.stop();
    await pool?.end();
    await events?.stop();
    await database?.drop();
  });

  const resolve = (
    exceptionId: string,
    resolution: 'ACCEPT_PROVIDER_FIGURE' | 'WRITE_OFF' | 'REOPEN',
    caller = tenantId,
  ) =>
    service.resolve({
      tenantId: caller,
      actor: 'ops-anna',
      runId,
      exceptionId,
      resolution,
      note: 'bank statement checked',
      requestId: randomUUID(),
    });

  async function exceptionRow(exceptionId: string) {
    await projections.caughtUp();
    const rows = await pool.query(
      'SELECT * FROM reconciliation_exceptions WHERE run_id = $1 AND exception_id = $2',
      [runId, exceptionId],
    );
    return rows.rows[0];
  }

  it("accepts the provider's figure: settles through the write path and records who and why", async () => {
    const paymentId = scenario.samples.get('amount_mismatch') ?? '';
    expect(await resolve('L2', 'ACCEPT_PROVIDER_FIGURE')).toMatchObject({ errors: [] });
    const loaded = await payments.load(tenantId, paymentId);
    const seed = scenario.seeds.find((item) => item.paymentId === paymentId);
    expect(loaded?.state.settlement).toMatchObject({
      settlementId: `txn_${tag}_0`,
      amount: (seed?.amount ?? 0n) - 100n,
    });
    expect(await exceptionRow('L2')).toMatchObject({
      status: 'RESOLVED',
      resolution: 'ACCEPT_PROVIDER_FIGURE',
      resolved_by: 'ops-anna',
      resolution_note: 'bank statement checked',
    });
    const stream = await events.eventStore.readStream(reconciliationStreamName(runId));
    const last = stream?.at(-1);
    expect(last).toMatchObject({
      type: 'ReconciliationExceptionResolved',
      metadata: { actor: 'ops-anna', tenantId },
    });
    expect(await resolve('L2', 'ACCEPT_PROVIDER_FIGURE')).toMatchObject({ errors: [] });
    expect((await events.eventStore.readStream(reconciliationStreamName(runId)))?.length).toBe(
      stream?.length,
    );
  });

  it('refuses to accept a figure the ledger cannot take, writes off, and reopens', async () => {
    expect(await resolve('L3', 'ACCEPT_PROVIDER_FIGURE')).toMatchObject({
      errors: [{ code: 'INVALID_TRANSITION' }],
    });
    expect(await resolve('L3', 'WRITE_OFF')).toMatchObject({ errors: [] });
    expect(await exceptionRow('L3')).toMatchObject({ status: 'RESOLVED', resolution: 'WRITE_OFF' });
    expect(await resolve('L3', 'REOPEN')).toMatchObject({ errors: [] });
    expect(await exceptionRow('L3')).toMatchObject({ status: 'OPEN', resolution: 'REOPEN' });
  });

  it("hides a run from another tenant's caller", async () => {
    expect(await resolve('L3', 'WRITE_OFF', 'someone-else')).toMatchObject({
      errors: [{ code: 'RECONCILIATION_RUN_NOT_FOUND' }],
    });
  });

  it('reads the ledger CSV format and matches only within the run tenant', async () => {
    const [refundPayment] = scenario.seeds.filter((seed) => seed.refund !== undefined);
    const plain = scenario.seeds[13];
    if (!refundPayment?.refund || !plain) throw new Error('scenario changed');
    const csv = [
      'line_id,type,payment_id,provider_reference,item_id,amount_minor,fee_minor,currency,occurred_at',
      `ledger-${tag}-1,refund,${refundPayment.paymentId},,${refundPayment.refund.refundId},${refundPayment.refund.amount},0,${refundPayment.currency},2025-03-02T00:00:00Z`,
      `ledger-${tag}-2,settlement,${plain.paymentId},,,${plain.amount},0,${plain.currency},2025-03-02T00:00:00Z`,
    ].join('\n');
    const own = await service.reconcile({
      source: bytesSource('ledger.csv', Buffer.from(csv)),
      format: 'ledger_csv',
      tenantId,
      actor: 'ops',
    });
    expect(own).toMatchObject({ status: 'COMPLETED', counts: { matched: 1, duplicate: 1 } });
    const other = await service.reconcile({
      source: bytesSource('ledger.csv', Buffer.from(csv)),
      format: 'ledger_csv',
      tenantId: 'another-tenant',
      actor: 'ops',
    });
    expect(other).toMatchObject({ status: 'COMPLETED', counts: { missing_in_ledger: 2 } });
  });

  describe('through GraphQL', () => {
    type Result = { data?: Record<string, unknown>; errors?: { message: string }[] };

    /** The main schema with the fragment merged, executed by yoga with a request context. */
    async function run(
      source: string,
      roles: Role[],
      variables: Record<string, unknown> = {},
    ): Promise<Result> {
      const merged = createReconciliationResolvers({ reconciliation: service });
      const schema = createSchema({
        typeDefs: [...typeDefs, reconciliationTypeDefs],
        resolvers: [resolvers, merged],
      });
      // Only what createContext reads; the rest of the services is the API's business.
      const services = {
        logger: createLogger('silent'),
        readPool: pool,
        paymentService: payments,
        eventStore: events.eventStore,
        waitForPosition: async () => undefined,
        consistencyTimeoutMs: 1_000,
      } as unknown as GraphqlServices;
      const identity = {
        principal: { keyId: 'k1', tenant: tenantId, roles: new Set(roles) },
        requestId: randomUUID(),
        consistencyToken: undefined,
      };
      const yoga = createYoga({
        schema,
        context: () => createContext(services, identity),
        maskedErrors: false,
        logging: false,
      });
      const response = await yoga.fetch('http://ledger.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: source, variables }),
      });
      return (await response.json()) as Result;
    }

    it('lists runs with counts and exceptions with evidence', async () => {
      await projections.caughtUp();
      const result = await run(
        `{ reconciliationRuns(first: 5) { edges { node { id merchantId format status counts { matched amountMismatch missingAtProvider }
             exceptions(first: 3, status: OPEN) { edges { node { id outcome reason reportAmount { amount currency } acceptable evidence } } } } } } }`,
        ['read'],
      );
      expect(result.errors).toBeUndefined();
      const runs = (
        result.data as {
          reconciliationRuns: {
            edges: { node: { id: string; exceptions: { edges: unknown[] } } }[];
          };
        }
      ).reconciliationRuns.edges;
      const node = runs.find((edge) => edge.node.id === runId)?.node;
      expect(node).toMatchObject({
        format: 'STRIPE_BALANCE_CSV',
        status: 'COMPLETED',
        merchantId: tenantId,
      });
      expect(node?.exceptions.edges.length).toBe(3);
    });

    it('reconciles an uploaded report with role operate only', async () => {
      const mutation = `mutation($input: ReconcileReportInput!) { reconcileReport(input: $input) {
        alreadyReconciled problemCount problems { line message } run { id counts { matched } } errors { code } } }`;
      const input = {
        filename: 'again.csv',
        format: 'STRIPE_BALANCE_CSV',
        contentBase64: Buffer.from(scenario.csv).toString('base64'),
      };
      const forbidden = await run(mutation, ['read'], { input });
      expect(forbidden.errors?.[0]?.message).toMatch(/operate/);
      const again = await run(mutation, ['operate'], { input });
      expect(again.data).toMatchObject({
        reconcileReport: { alreadyReconciled: true, run: { id: runId }, errors: [] },
      });
      const broken = await run(mutation, ['operate'], {
        input: { ...input, contentBase64: undefined, content: 'id,amount\n' },
      });
      expect(broken.data).toMatchObject({
        reconcileReport: { run: null, problemCount: 1, problems: [{ line: 1 }] },
      });
    });

    it('shows settlement status and fee on payments', async () => {
      const settled = scenario.seeds[14]?.paymentId;
      const open = scenario.samples.get('currency_mismatch');
      const result = await run(
        `query($a: ID!, $b: ID!) { a: payment(id: $a) { settlementStatus settlementFee { amount } } b: payment(id: $b) { settlementStatus settlementFee { amount } } }`,
        ['read'],
        { a: settled, b: open },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data).toMatchObject({
        a: { settlementStatus: 'SETTLED', settlementFee: { amount: expect.any(String) } },
        b: { settlementStatus: 'EXCEPTION', settlementFee: null },
      });
    });
  });
});
