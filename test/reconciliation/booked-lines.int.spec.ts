import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrencyCode } from '../../domain/money/index.ts';
import { bookingKey } from '../../domain/reconciliation/index.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { bookingStreamName } from '../../infra/reconciliation/booking-aggregate.ts';
import { bytesSource, ReconciliationService } from '../../infra/reconciliation/index.ts';
import { journalProjection } from '../../projections/read-models/journal/projection.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestEventStore, type TestEventStore } from '../support/event-store.ts';
import { applyDirectly, snapshotTables } from '../projections/support/apply.ts';
import { runProjections, type RunningReadSide } from './support/projections.ts';
import { STRIPE_HEADER } from './support/scenario.ts';
import { seedPayments } from './support/seed-payments.ts';

describe('provider lines booked once, to the right books', () => {
  let database: TestDatabase;
  let events: TestEventStore;
  let pool: Pool;
  let projections: RunningReadSide;
  let service: ReconciliationService;
  const tag = randomUUID().slice(0, 6);
  const tenantId = `books-${tag}`;
  const paymentId = `pay-${tag}`;
  const disputeId = `dp_${tag}`;

  beforeAll(async () => {
    [database, events] = await Promise.all([createTestDatabase(), startTestEventStore()]);
    pool = createPool({ connectionString: database.url, maxConnections: 4, applicationName: 't' });
    projections = runProjections(events.eventStore, pool);
    service = new ReconciliationService({ store: events.eventStore, pool });
    await seedPayments(events.eventStore, [
      {
        paymentId,
        tenantId,
        amount: 10_000n,
        currency: 'USD' as CurrencyCode,
        providerPaymentId: `pi_${tag}`,
        createdAt: '2025-03-01T00:00:00.000Z',
        stage: 'captured',
        dispute: { disputeId, amount: 10_000n },
        settlement: { settlementId: `txn_${tag}_c`, amount: 10_000n, fee: 320n },
      },
    ]);
    await projections.caughtUp();
  }, 120_000);

  afterAll(async () => {
    await projections?.stop();
    await pool?.end();
    await events?.stop();
    await database?.drop();
  });

  /** One line of a Stripe report; amounts in dollars as Stripe writes them. */
  function disputeLine(id: string, fee: string, net: string): string {
    return `${id},adjustment,${disputeId},-100.00,${fee},${net},usd,2025-03-05 10:00:00,2025-03-05 10:00:00,dispute,x`;
  }

  async function reconcile(lines: string[], tenant = tenantId) {
    const csv = `${STRIPE_HEADER}\n${lines.join('\n')}\n`;
    const result = await service.reconcile({
      source: bytesSource('report.csv', Buffer.from(csv)),
      format: 'stripe_balance_csv',
      tenantId: tenant,
      actor: 'ops',
    });
    if (result.status !== 'COMPLETED') throw new Error(JSON.stringify(result.problems));
    await projections.caughtUp();
    return result;
  }

  async function balance(tenant: string, account: string): Promise<bigint> {
    const result = await pool.query<{ balance: bigint }>(
      `SELECT balance FROM account_balances
        WHERE tenant_id = $1 AND account = $2 AND currency = 'USD'`,
      [tenant, account],
    );
    return result.rows[0]?.balance ?? 0n;
  }

  const disputeStream = () =>
    bookingStreamName(bookingKey({ kind: 'dispute_debit', itemId: disputeId, lineId: '' }));

  it('books a dispute debit and its 15.00 fee, once, whatever brings it again', async () => {
    const first = await reconcile([disputeLine(`txn_${tag}_d`, '15.00', '-115.00')]);
    expect(first.counts).toMatchObject({ matched: 1 });
    // Settled 100.00 - 3.20, then the provider took 100.00 + 15.00 back.
    expect(await balance(tenantId, 'settlement_clearing')).toBe(9_680n - 11_500n);
    expect(await balance(tenantId, 'provider_fees')).toBe(320n + 1_500n);
    expect(await balance(tenantId, 'customer_funds')).toBe(0n);
    // Another export of the same movement, under another line id: in step, nothing booked.
    const again = await reconcile([disputeLine(`other_${tag}_d`, '15.00', '-115.00')]);
    expect(again.counts).toMatchObject({ matched: 1 });
    expect((await events.eventStore.readStream(disputeStream()))?.length).toBe(1);
    expect(await balance(tenantId, 'provider_fees')).toBe(1_820n);
  });

  it('raises the same movement with other figures as a duplicate, booking nothing', async () => {
    const other = await reconcile([disputeLine(`third_${tag}_d`, '20.00', '-120.00')]);
    expect(other.counts).toMatchObject({ matched: 0, duplicate: 1 });
    const exceptions = await pool.query<{ reason: string }>(
      'SELECT reason FROM reconciliation_exceptions WHERE run_id = $1',
      [other.status === 'COMPLETED' ? other.runId : ''],
    );
    expect(exceptions.rows[0]?.reason).toMatch(/booked by run .* with other figures/);
    expect(await balance(tenantId, 'provider_fees')).toBe(1_820n);
  });

  it("books a platform-wide run's payout to the platform's own books", async () => {
    const payout = `txn_${tag}_p,payout,po_${tag},-50.00,0.25,-50.25,usd,2025-03-06 00:00:00,2025-03-06 00:00:00,payout,x`;
    const result = await reconcile([payout], '*');
    expect(result.counts).toMatchObject({ matched: 1 });
    expect(await balance('*', 'cash')).toBe(5_000n);
    expect(await balance('*', 'settlement_clearing')).toBe(-5_025n);
    expect(await balance('*', 'provider_fees')).toBe(25n);
    expect(await balance(tenantId, 'cash')).toBe(0n);
  });

  it('projects a booked line once, however often and in whatever batches it is applied', async () => {
    const stored = [
      ...((await events.eventStore.readStream(disputeStream())) ?? []),
      ...((await events.eventStore.readStream(
        bookingStreamName(bookingKey({ kind: 'payout', itemId: `po_${tag}`, lineId: '' })),
      )) ?? []),
    ];
    expect(stored).toHaveLength(2);
    const before = await snapshotTables(pool, [journalProjection]);
    await applyDirectly(pool, [journalProjection], stored, 1);
    await applyDirectly(pool, [journalProjection], stored, 2);
    expect(await snapshotTables(pool, [journalProjection])).toEqual(before);
  });
});
