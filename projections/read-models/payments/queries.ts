import type { Pool, PoolClient } from '../../../infra/postgres/pool.ts';
import type { PaymentRow } from './row.ts';

type Database = Pool | PoolClient;

export async function findPayment(
  database: Database,
  tenantId: string,
  paymentId: string,
): Promise<PaymentRow | undefined> {
  const result = await database.query<PaymentRow>(
    'SELECT * FROM payments WHERE tenant_id = $1 AND payment_id = $2',
    [tenantId, paymentId],
  );
  return result.rows[0];
}

export interface PaymentPageQuery {
  tenantId: string;
  status?: string;
  /** Keyset cursor: the last row of the previous page. */
  after?: { createdAt: Date; paymentId: string };
  limit: number;
}

/** A page of a tenant's payments, oldest first, by (created_at, payment_id) keyset. */
export async function listPayments(
  database: Database,
  query: PaymentPageQuery,
): Promise<PaymentRow[]> {
  const result = await database.query<PaymentRow>(
    `SELECT * FROM payments
      WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)
        AND ($3::timestamptz IS NULL OR (created_at, payment_id) > ($3, $4))
      ORDER BY created_at, payment_id
      LIMIT $5`,
    [
      query.tenantId,
      query.status ?? null,
      query.after?.createdAt.toISOString() ?? null,
      query.after?.paymentId ?? null,
      Math.min(Math.max(1, query.limit), 500),
    ],
  );
  return result.rows;
}

export async function findPaymentByProviderReference(
  database: Database,
  provider: string,
  providerPaymentId: string,
): Promise<PaymentRow | undefined> {
  const result = await database.query<PaymentRow>(
    'SELECT * FROM payments WHERE provider = $1 AND provider_payment_id = $2 LIMIT 1',
    [provider, providerPaymentId],
  );
  return result.rows[0];
}
