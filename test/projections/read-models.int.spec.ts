import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { ProjectionInvariantError } from '../../projections/core/types.ts';
import { balancesAsOf, currentBalances } from '../../projections/read-models/journal/queries.ts';
import { allProjections } from '../../projections/registry.ts';
import {
  auditTrail,
  inboxEntries,
  listPayments,
  refundsOfPayment,
} from '../../projections/index.ts';
import {
  generateLedger,
  interleave,
  seededRandom,
} from '../../projections/testing/ledger-events.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { applyDirectly, snapshotTables } from './support/apply.ts';

let database: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, maxConnections: 4, applicationName: 'spec' });
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

async function truncateReadModels(): Promise<void> {
  const tables = allProjections.flatMap((projection) =>
    projection.tables.map((table) => table.name),
  );
  await pool.query(`TRUNCATE ${tables.join(', ')}`);
}

describe('read models fed directly with a generated ledger', () => {
  const events = interleave(generateLedger(7, 150), seededRandom(8));

  it('are the same after applying every event twice, in different batch sizes', async () => {
    await truncateReadModels();
    await applyDirectly(pool, allProjections, events, 64);
    const once = await snapshotTables(pool, allProjections);
    await applyDirectly(pool, allProjections, events, 17);
    await applyDirectly(pool, allProjections, events.slice(0, 200), 1);
    const twice = await snapshotTables(pool, allProjections);
    expect(twice).toEqual(once);
    expect(once.audit_log).toHaveLength(events.length);
    expect(once.payments).toHaveLength(150);
  });

  it('keep the journal balanced per currency, equal to account_balances', async () => {
    const perCurrency = await pool.query<{ currency: string; total: bigint }>(
      'SELECT currency, sum(debit - credit)::bigint AS total FROM journal_lines GROUP BY currency',
    );
    expect(perCurrency.rows.length).toBeGreaterThan(1);
    for (const row of perCurrency.rows) expect(row.total).toBe(0n);
    const drift = await pool.query(
      `SELECT b.tenant_id, b.account, b.currency FROM account_balances b
         FULL JOIN (SELECT tenant_id, account, currency, sum(debit)::bigint AS debits,
                           sum(credit)::bigint AS credits
                      FROM journal_lines GROUP BY tenant_id, account, currency) j
           USING (tenant_id, account, currency)
        WHERE b.debits IS DISTINCT FROM j.debits OR b.credits IS DISTINCT FROM j.credits`,
    );
    expect(drift.rows).toEqual([]);
    const now = await balancesAsOf(pool, { currency: 'USD', instant: new Date('2100-01-01') });
    const current = await currentBalances(pool, { currency: 'USD' });
    expect(now).toEqual(current);
    const before = await balancesAsOf(pool, { currency: 'USD', instant: new Date('2000-01-01') });
    expect(before).toEqual([]);
  });
});

function stored(
  type: string,
  revision: number,
  data: Record<string, unknown>,
  stream = 'payment-p1',
) {
  return {
    id: `00000000-0000-4000-8000-${String(revision + 1).padStart(12, '0')}`,
    stream,
    type,
    revision: BigInt(revision),
    position: BigInt(1_000 + revision),
    recordedAt: new Date(Date.UTC(2025, 0, 1, 0, revision)),
    data,
    metadata: {
      tenantId: 't1',
      actor: 'api-key:1',
      source: 'api',
      correlationId: 'c1',
      schemaVersion: 1,
    },
  };
}

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();

describe('query helpers', () => {
  it('page payments by keyset and filter the audit trail per tenant', async () => {
    const first = await listPayments(pool, { tenantId: 'tenant_0', limit: 10 });
    expect(first).toHaveLength(10);
    const last = first.at(-1)!;
    const next = await listPayments(pool, {
      tenantId: 'tenant_0',
      after: { createdAt: last.created_at, paymentId: last.payment_id },
      limit: 10,
    });
    expect(next[0]!.created_at.getTime()).toBeGreaterThanOrEqual(last.created_at.getTime());
    expect(next.map((row) => row.payment_id)).not.toContain(last.payment_id);
    const trail = await auditTrail(pool, {
      tenantId: 'tenant_0',
      stream: `payment-${last.payment_id}`,
      limit: 50,
    });
    expect(trail[0]).toMatchObject({ event_type: 'PaymentInitiated', stream_revision: 0n });
    expect(await refundsOfPayment(pool, 'tenant_0', last.payment_id)).toBeInstanceOf(Array);
    const inbox = await inboxEntries(pool, { status: 'processed', limit: 5 });
    expect(inbox.length).toBeGreaterThan(0);
  });
});

describe('a scripted payment', () => {
  const base = { paymentId: 'p1', currency: 'USD' };
  const script = [
    stored('PaymentInitiated', 0, {
      ...base,
      tenantId: 't1',
      amount: '1000',
      reference: 'order-1',
      providerPaymentId: 'pi_1',
      provider: 'acme',
      authorizationExpiresAt: null,
      initiatedAt: at(0),
    }),
    stored('PaymentAuthorized', 1, {
      ...base,
      amount: '1000',
      authorizationId: 'a1',
      captureExpiresAt: null,
      authorizedAt: at(1),
    }),
    stored('PaymentCaptured', 2, { ...base, captureId: 'c1', amount: '600', capturedAt: at(2) }),
    stored('RefundRequested', 3, {
      ...base,
      refundId: 'r1',
      amount: '100',
      reason: null,
      requestedAt: at(3),
    }),
    stored('RefundRequested', 4, {
      ...base,
      refundId: 'r2',
      amount: '50',
      reason: null,
      requestedAt: at(4),
    }),
    stored('RefundFailed', 5, {
      ...base,
      refundId: 'r2',
      amount: '50',
      reason: 'no',
      failedAt: at(5),
    }),
    stored('RefundSucceeded', 6, { ...base, refundId: 'r1', amount: '100', succeededAt: at(6) }),
  ];

  it('folds amounts and statuses as the domain does (v1 events upcast)', async () => {
    await truncateReadModels();
    await applyDirectly(pool, allProjections, script, 3);
    const payment = await pool.query('SELECT * FROM payments WHERE payment_id = $1', ['p1']);
    expect(payment.rows[0]).toMatchObject({
      tenant_id: 't1',
      status: 'PARTIALLY_CAPTURED',
      capture_mode: 'manual',
      amount: 1000n,
      authorized_amount: 1000n,
      captured_amount: 600n,
      refunded_amount: 100n,
      refund_pending_amount: 0n,
      refundable_amount: 500n,
      provider_payment_id: 'pi_1',
      last_stream_revision: 6n,
    });
    const refunds = await pool.query(
      'SELECT refund_id, status, amount FROM refunds ORDER BY refund_id',
    );
    expect(refunds.rows).toEqual([
      { refund_id: 'r1', status: 'SUCCEEDED', amount: 100n },
      { refund_id: 'r2', status: 'FAILED', amount: 50n },
    ]);
    const balances = await balancesAsOf(pool, {
      tenantId: 't1',
      currency: 'USD',
      instant: new Date(at(3)),
    });
    expect(balances.map((row) => [row.account, row.balance])).toEqual([
      ['customer_funds', 600n],
      ['merchant_payable', -500n],
      ['refunds_pending', -100n],
    ]);
  });

  it('refuses an outcome for an unknown refund as poison', async () => {
    const orphan = stored('RefundSucceeded', 7, {
      ...base,
      refundId: 'nope',
      amount: '1',
      succeededAt: at(7),
    });
    const refunds = allProjections.filter((projection) => projection.name === 'refunds');
    await expect(applyDirectly(pool, refunds, [orphan], 1)).rejects.toBeInstanceOf(
      ProjectionInvariantError,
    );
  });
});
