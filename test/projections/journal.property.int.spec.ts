import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { projectionNamed } from '../../projections/registry.ts';
import {
  paymentLifecycle,
  interleave,
  seededRandom,
} from '../../projections/testing/ledger-events.ts';
import { unbalancedCurrencies } from '../../projections/read-models/journal/queries.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { applyDirectly } from './support/apply.ts';

let database: TestDatabase;
let pool: Pool;
const journal = projectionNamed('journal');

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, maxConnections: 2, applicationName: 'spec' });
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

const paymentArbitrary = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  currency: fc.constantFrom('USD', 'EUR', 'JPY', 'KWD'),
  tenant: fc.constantFrom('t1', 't2'),
});

describe('journal (property)', () => {
  it('balances to zero per currency, and account_balances equals the sum of the journal', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(paymentArbitrary, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 40 }),
        async (payments, interleaving, batchSize) => {
          run += 1;
          await pool.query('TRUNCATE journal_entries, journal_lines, account_balances');
          const streams = payments.flatMap((payment, index) =>
            paymentLifecycle(seededRandom(payment.seed), {
              paymentId: `p${run}_${index}`,
              tenantId: payment.tenant,
              currency: payment.currency,
              startMs: Date.UTC(2025, 0, 1),
            }),
          );
          const events = interleave(streams, seededRandom(interleaving));
          await applyDirectly(pool, [journal], events, batchSize);
          // Replayed events must not move any balance.
          await applyDirectly(pool, [journal], events.slice(0, batchSize), batchSize);
          expect(await unbalancedCurrencies(pool)).toEqual([]);
          const drift = await pool.query(
            `SELECT * FROM account_balances b FULL JOIN (
               SELECT tenant_id, account, currency, sum(debit)::bigint AS debits,
                      sum(credit)::bigint AS credits, count(*)::bigint AS lines
                 FROM journal_lines GROUP BY 1, 2, 3) j USING (tenant_id, account, currency)
              WHERE b.debits IS DISTINCT FROM j.debits OR b.credits IS DISTINCT FROM j.credits
                 OR b.balance IS DISTINCT FROM j.debits - j.credits OR b.line_count IS DISTINCT FROM j.lines`,
          );
          expect(drift.rows).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
