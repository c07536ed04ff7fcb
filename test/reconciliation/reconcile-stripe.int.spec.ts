import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../infra/eventstore/event-store.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import {
  bytesSource,
  deriveRunId,
  ReconciliationService,
  type ReconcileResult,
} from '../../infra/reconciliation/index.ts';
import { reconciliationStreamName } from '../../domain/reconciliation/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestEventStore, type TestEventStore } from '../support/event-store.ts';
import { runProjections, type RunningReadSide } from './support/projections.ts';
import { buildScenario, type Scenario } from './support/scenario.ts';
import { seedPayments } from './support/seed-payments.ts';

/**
 * The size: 10,000 payments with every kind of discrepancy, seeded through the payment
 * decider and the write path's encoding (one append per payment), projected, then reconciled
 * with every payment command and booking that implies. About a minute and a half on a small
 * machine; RECONCILIATION_TEST_PAYMENTS picks another size.
 */
const PAYMENT_COUNT = Number(process.env.RECONCILIATION_TEST_PAYMENTS ?? 10_000);
const SETUP_TIMEOUT_MS = Math.max(300_000, PAYMENT_COUNT * 100);

async function balances(pool: Pool, tenantId: string) {
  const result = await pool.query<{ account: string; currency: string; balance: bigint }>(
    'SELECT account, currency, balance FROM account_balances WHERE tenant_id = $1',
    [tenantId],
  );
  return result.rows;
}

async function streamLength(store: EventStore, runId: string): Promise<number> {
  return (await store.readStream(reconciliationStreamName(runId)))?.length ?? 0;
}

describe(`reconciling a Stripe balance report of ${PAYMENT_COUNT} payments`, () => {
  let database: TestDatabase;
  let events: TestEventStore;
  let pool: Pool;
  let projections: RunningReadSide;
  let service: ReconciliationService;
  let scenario: Scenario;
  let first: ReconcileResult;
  const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
  const tag = randomUUID().slice(0, 6);

  beforeAll(async () => {
    [database, events] = await Promise.all([createTestDatabase(), startTestEventStore()]);
    pool = createPool({
      connectionString: database.url,
      maxConnections: 8,
      applicationName: 'test',
    });
    projections = runProjections(events.eventStore, pool);
    service = new ReconciliationService({ store: events.eventStore, pool });
    scenario = buildScenario({ tenantId, tag, paymentCount: PAYMENT_COUNT });
    await seedPayments(events.eventStore, scenario.seeds, 48);
    await projections.caughtUp();
    first = await service.reconcile({
      source: bytesSource('balance.csv', Buffer.from(scenario.csv)),
      format: 'stripe_balance_csv',
      tenantId,
      actor: 'test-operator',
    });
    await projections.caughtUp();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await projections?.stop();
    await pool?.end();
    await events?.stop();
    await database?.drop();
  });

  it('finds every injected discrepancy and raises no false positive', async () => {
    expect(first.status).toBe('COMPLETED');
    if (first.status !== 'COMPLETED') return;
    const rows = await pool.query<{ exception_id: string; outcome: string }>(
      'SELECT exception_id, outcome FROM reconciliation_exceptions WHERE run_id = $1',
      [first.runId],
    );
    const found = new Map(rows.rows.map((row) => [row.exception_id, row.outcome]));
    const expectedExceptions = new Map(
      [...scenario.expected].filter(
        ([, outcome]) => outcome !== 'matched' && outcome !== 'ignored',
      ),
    );
    expect(found).toEqual(expectedExceptions);
    const expectedCounts: Record<string, number> = {};
    for (const outcome of scenario.expected.values())
      expectedCounts[outcome] = (expectedCounts[outcome] ?? 0) + 1;
    for (const [outcome, count] of Object.entries(first.counts)) {
      expect([outcome, count]).toEqual([outcome, expectedCounts[outcome] ?? 0]);
    }
    for (const outcome of [
      'amount_mismatch',
      'currency_mismatch',
      'status_mismatch',
      'missing_in_ledger',
      'missing_at_provider',
      'duplicate',
      'unsupported',
      'ignored',
    ]) {
      expect(first.counts[outcome as keyof typeof first.counts]).toBeGreaterThan(0);
    }
  });

  it("books the report's net totals: clearing = Σ net, fees = Σ fee, cash = Σ paid out", async () => {
    const rows = await balances(pool, tenantId);
    expect(scenario.totals.size).toBe(3);
    for (const [code, total] of scenario.totals) {
      const balance = (account: string) =>
        rows.find((row) => row.account === account && row.currency === code)?.balance ?? 0n;
      expect([code, balance('provider_fees')]).toEqual([code, total.fee]);
      expect([code, balance('settlement_clearing')]).toEqual([code, total.net]);
      expect([code, balance('cash')]).toEqual([code, total.cash]);
    }
    const perCurrency = new Map<string, bigint>();
    for (const row of rows)
      perCurrency.set(row.currency, (perCurrency.get(row.currency) ?? 0n) + row.balance);
    expect([...perCurrency.values()].every((sum) => sum === 0n)).toBe(true);
  });

  it('shows the run in the read model with its counts', async () => {
    if (first.status !== 'COMPLETED') throw new Error('run refused');
    const run = await pool.query('SELECT * FROM reconciliation_runs WHERE run_id = $1', [
      first.runId,
    ]);
    expect(run.rows[0]).toMatchObject({
      status: 'COMPLETED',
      counts: first.counts,
      tenant_id: tenantId,
    });
    expect(first.runId).toBe(deriveRunId(tenantId, run.rows[0].file_sha256));
  });

  it('changes nothing when the same file is imported again', async () => {
    if (first.status !== 'COMPLETED') throw new Error('run refused');
    const before = {
      balances: await balances(pool, tenantId),
      events: await streamLength(events.eventStore, first.runId),
    };
    const head = await events.eventStore.headPosition();
    const again = await service.reconcile({
      source: bytesSource('renamed.csv', Buffer.from(scenario.csv)),
      format: 'stripe_balance_csv',
      tenantId,
      actor: 'someone-else',
    });
    expect(again).toMatchObject({
      status: 'COMPLETED',
      runId: first.runId,
      alreadyReconciled: true,
      counts: first.counts,
    });
    expect(await events.eventStore.headPosition()).toBe(head);
    await projections.caughtUp();
    expect(await balances(pool, tenantId)).toEqual(before.balances);
    expect(await streamLength(events.eventStore, first.runId)).toBe(before.events);
  });

  it('refuses a file with a bad amount on line N, names the line, and changes nothing', async () => {
    const lines = scenario.csv.split('\n');
    const badLine = Math.min(1_234, lines.length - 2);
    lines[badLine - 1] = (lines[badLine - 1] ?? '').replace(/,(-?[0-9.]+),/, ',12.3.4,');
    const head = await events.eventStore.headPosition();
    const result = await service.reconcile({
      source: bytesSource('broken.csv', Buffer.from(lines.join('\n'))),
      format: 'stripe_balance_csv',
      tenantId,
      actor: 'test-operator',
    });
    expect(result).toMatchObject({ status: 'REFUSED', problemCount: 1 });
    if (result.status !== 'REFUSED') return;
    expect(result.problems[0]).toMatchObject({
      lineNumber: badLine,
      message: expect.stringMatching(/^amount/),
    });
    expect(await events.eventStore.headPosition()).toBe(head);
  });
});
