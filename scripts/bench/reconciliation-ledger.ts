/**
 * The ledger the large reconciliation row runs against: `lines` payments, each captured and
 * already settled by its line of the report (the steady state once the provider's settlement
 * callbacks have arrived, so the report only confirms). Writing a million payment streams and
 * projecting them would take the bench the better part of an hour, so:
 *
 * - one payment in SAMPLE_EVERY is real: decided by the payment decider, appended to its own
 *   stream, and projected into `payments` by the payments projection itself;
 * - the others' rows are generated in SQL, by the expression below;
 * - the same expression is then evaluated for the real ones and must give exactly the rows the
 *   projection wrote (every column but the `$all` position); the bench stops if one differs.
 *
 * So the read model matching works on is the one the projection would hold; what the other
 * payments lack is only their streams, which an in-step line never reads.
 */
import type { CurrencyCode } from '../../domain/money/index.ts';
import type { EventStore } from '../../infra/eventstore/event-store.ts';
import type { Logger } from '../../infra/logging/logger.ts';
import type { Pool } from '../../infra/postgres/pool.ts';
import { paymentsProjection } from '../../projections/read-models/payments/projection.ts';
import { startProjections } from '../../projections/start.ts';
import { seedPayments, type SeedPayment } from '../../test/reconciliation/support/seed-payments.ts';

export const BENCH_TENANT = 'bench';
export const SAMPLE_EVERY = 1_000;
const START_MS = Date.parse('2025-03-01T00:00:00.000Z');

export function amountOf(index: number): bigint {
  return 1_000n + BigInt((index * 7_919) % 250_000);
}

export function feeOf(amount: bigint): bigint {
  return (amount * 29n) / 1000n + 30n;
}

export function createdAtMs(index: number): number {
  return START_MS + index * 1000;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * Payment i as the payments projection writes it after Initiated (t), Authorized (t + 1 s),
 * Captured (t + 2 s) and Settled (t + 3 s): amounts in minor units, times as the decider sets
 * them (see seed-payments.ts). The `$all` position is left out: it is the one column a row
 * written without its stream cannot have.
 */
const GENERATED = `
  SELECT 'bench-pay-' || i AS payment_id, '${BENCH_TENANT}' AS tenant_id, 'SETTLED' AS status,
         'USD' AS currency, amount, amount AS authorized_amount, amount AS captured_amount,
         0::bigint AS capturable_amount, 0::bigint AS refund_pending_amount,
         0::bigint AS refund_succeeded_amount, 0::bigint AS refunded_amount,
         amount AS refundable_amount, 0::bigint AS dispute_open_amount,
         0::bigint AS dispute_lost_amount, 0::bigint AS disputed_amount,
         amount AS settled_amount, fee AS fee_amount, amount - fee AS net_settled_amount,
         'txn_bench_' || i AS settlement_id, 'stripe' AS provider,
         'pi_bench_' || i AS provider_payment_id, NULL::text AS reference,
         'manual' AS capture_mode, NULL::text AS authorization_id,
         NULL::timestamptz AS authorization_expires_at, NULL::timestamptz AS capture_expires_at,
         created + interval '1 second' AS authorized_at, created + interval '3 seconds' AS settled_at,
         NULL::timestamptz AS closed_at, NULL::text AS close_reason,
         jsonb_build_array(jsonb_build_object(
           'amount', amount::text, 'captureId', 'cap-bench-pay-' || i,
           'capturedAt', to_char((created + interval '2 seconds') AT TIME ZONE 'UTC', ${ISO})
         )) AS captures,
         '[]'::jsonb AS refunds, '[]'::jsonb AS disputes, created AS created_at,
         created + interval '3 seconds' AS updated_at, 3::bigint AS last_stream_revision,
         i AS bench_index
    FROM generate_series(0, $1::bigint - 1) AS i,
         LATERAL (SELECT 1000 + (i * 7919::bigint) % 250000 AS amount,
                         timestamptz '2025-03-01T00:00:00Z' + i * interval '1 second' AS created)
           AS figures,
         LATERAL (SELECT amount * 29 / 1000 + 30 AS fee) AS fees`;

const COLUMNS = `payment_id, tenant_id, status, currency, amount, authorized_amount, captured_amount,
  capturable_amount, refund_pending_amount, refund_succeeded_amount, refunded_amount,
  refundable_amount, dispute_open_amount, dispute_lost_amount, disputed_amount, settled_amount,
  fee_amount, net_settled_amount, settlement_id, provider, provider_payment_id, reference,
  capture_mode, authorization_id, authorization_expires_at, capture_expires_at, authorized_at,
  settled_at, closed_at, close_reason, captures, refunds, disputes, created_at, updated_at,
  last_stream_revision`;

function sampleSeed(index: number): SeedPayment {
  const amount = amountOf(index);
  return {
    paymentId: `bench-pay-${index}`,
    tenantId: BENCH_TENANT,
    amount,
    currency: 'USD' as CurrencyCode,
    providerPaymentId: `pi_bench_${index}`,
    createdAt: new Date(createdAtMs(index)).toISOString(),
    stage: 'captured',
    settlement: { settlementId: `txn_bench_${index}`, amount, fee: feeOf(amount) },
  };
}

/** The real payments: through the decider into their streams, then the payments projection. */
async function projectSample(
  stores: { pool: Pool; store: EventStore; logger: Logger },
  lines: number,
): Promise<number> {
  const seeds: SeedPayment[] = [];
  for (let index = 0; index < lines; index += SAMPLE_EVERY) seeds.push(sampleSeed(index));
  await seedPayments(stores.store, seeds, 32);
  const running = startProjections({
    pool: stores.pool,
    eventStore: stores.store,
    logger: stores.logger,
    projections: [paymentsProjection],
    batchSize: 1_000,
  });
  try {
    await running.waitForPosition(await stores.store.headPosition(), 300_000);
  } finally {
    await running.stop();
  }
  return seeds.length;
}

/** Rows in one set and not the other: the projected sample against the generator's rows. */
async function sampleDifferences(pool: Pool, lines: number): Promise<number> {
  const sampled = `(SELECT ${COLUMNS} FROM (${GENERATED}) AS generated
                    WHERE bench_index % ${SAMPLE_EVERY} = 0)`;
  const projected = `(SELECT ${COLUMNS} FROM payments WHERE tenant_id = '${BENCH_TENANT}')`;
  const result = await pool.query<{ differences: string }>(
    `SELECT (SELECT count(*) FROM (${sampled} EXCEPT ${projected}) AS missing)
          + (SELECT count(*) FROM (${projected} EXCEPT ${sampled}) AS extra) AS differences`,
    [lines],
  );
  return Number(result.rows[0]?.differences ?? -1);
}

/** Builds the in-step ledger of `lines` payments; throws if the generated rows are not real. */
export async function fillInStepLedger(
  stores: { pool: Pool; store: EventStore; logger: Logger },
  lines: number,
): Promise<{ realPayments: number }> {
  const realPayments = await projectSample(stores, lines);
  const differences = await sampleDifferences(stores.pool, lines);
  if (differences !== 0) {
    throw new Error(
      `the generated payments rows differ from the projected ones (${differences} rows): ` +
        'update the generator in reconciliation-ledger.ts to what the projection writes',
    );
  }
  await stores.pool.query(
    `INSERT INTO payments (${COLUMNS}, last_position)
     SELECT ${COLUMNS}, 0 FROM (${GENERATED}) AS generated
      WHERE bench_index % ${SAMPLE_EVERY} <> 0`,
    [lines],
  );
  await stores.pool.query('ANALYZE payments');
  return { realPayments };
}
