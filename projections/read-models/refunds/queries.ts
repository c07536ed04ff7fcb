import type { Pool, PoolClient } from '../../../infra/postgres/pool.ts';
import type { RefundRow } from './projection.ts';

/** A payment's refunds, oldest first. */
export async function refundsOfPayment(
  database: Pool | PoolClient,
  tenantId: string,
  paymentId: string,
): Promise<RefundRow[]> {
  const result = await database.query<RefundRow>(
    `SELECT * FROM refunds WHERE tenant_id = $1 AND payment_id = $2
      ORDER BY created_at, refund_id LIMIT 1000`,
    [tenantId, paymentId],
  );
  return result.rows;
}
