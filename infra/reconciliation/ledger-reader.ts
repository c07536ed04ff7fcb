import type { LedgerItem, LedgerPayment } from '../../domain/reconciliation/index.ts';
import type { PaymentStatus } from '../../domain/payment/index.ts';
import type { Pool } from '../postgres/pool.ts';

/**
 * Reads the ledger's `payments` read model for matching. Every query is scoped to the run's
 * tenant unless the run is platform-wide ('*'), and takes a whole batch of keys at once.
 */
interface PaymentRow {
  payment_id: string;
  tenant_id: string;
  status: string;
  currency: string;
  captured_amount: bigint;
  settlement_id: string | null;
  settled_amount: bigint;
  fee_amount: bigint;
  provider_payment_id: string | null;
  /** ISO text, written by the query: no Date per row. */
  created_at: string;
  refunds: { refundId: string; status: string; amount: string }[];
  disputes: { disputeId: string; status: string; amount: string }[];
}

const COLUMNS = `payment_id, tenant_id, status, currency, captured_amount, settlement_id,
  settled_amount, fee_amount, provider_payment_id,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`;

/** Refund and dispute lists: only a batch with refund or dispute lines reads them. */
const ITEM_COLUMNS = 'refunds, disputes';
const NO_ITEM_COLUMNS = `'[]'::jsonb AS refunds, '[]'::jsonb AS disputes`;

const UNSETTLED_CAPTURED = `status IN ('CAPTURED', 'PARTIALLY_CAPTURED') AND settlement_id IS NULL`;

function item(id: string, row: { status: string; amount: string }): LedgerItem {
  return { id, status: row.status, amount: BigInt(row.amount) };
}

export function ledgerPaymentFromRow(row: PaymentRow): LedgerPayment {
  return {
    paymentId: row.payment_id,
    tenantId: row.tenant_id,
    providerPaymentId: row.provider_payment_id,
    status: row.status as PaymentStatus,
    currency: row.currency,
    capturedAmount: row.captured_amount,
    settlementId: row.settlement_id,
    settledAmount: row.settled_amount,
    feeAmount: row.fee_amount,
    createdAt: row.created_at,
    refunds: row.refunds.map((refund) => item(refund.refundId, refund)),
    disputes: row.disputes.map((dispute) => item(dispute.disputeId, dispute)),
  };
}

/** `$n` tenant condition: matches every tenant for a platform-wide run. */
function tenantCondition(parameter: string): string {
  return `(${parameter}::text = '*' OR tenant_id = ${parameter}::text)`;
}

export class LedgerReader {
  constructor(private readonly pool: Pool) {}

  private async select(
    where: string,
    parameters: unknown[],
    withItems = true,
  ): Promise<LedgerPayment[]> {
    const items = withItems ? ITEM_COLUMNS : NO_ITEM_COLUMNS;
    const result = await this.pool.query<PaymentRow>(
      `SELECT ${COLUMNS}, ${items} FROM payments WHERE ${where}`,
      parameters,
    );
    return result.rows.map(ledgerPaymentFromRow);
  }

  /** `withItems: false` leaves the payments' refund and dispute lists empty (not read). */
  async byPaymentIds(
    tenantId: string,
    ids: readonly string[],
    withItems = true,
  ): Promise<LedgerPayment[]> {
    if (ids.length === 0) return [];
    const where = `payment_id = ANY($1::text[]) AND ${tenantCondition('$2')}`;
    return this.select(where, [ids, tenantId], withItems);
  }

  async byProviderReferences(
    tenantId: string,
    references: readonly string[],
    withItems = true,
  ): Promise<LedgerPayment[]> {
    if (references.length === 0) return [];
    const where = `provider_payment_id = ANY($1::text[]) AND ${tenantCondition('$2')}`;
    return this.select(where, [references, tenantId], withItems);
  }

  /** Refund id → payment id, from the `refunds` read model. */
  async paymentIdsByRefundIds(
    tenantId: string,
    refundIds: readonly string[],
  ): Promise<Map<string, string>> {
    if (refundIds.length === 0) return new Map();
    const result = await this.pool.query<{ refund_id: string; payment_id: string }>(
      `SELECT refund_id, payment_id FROM refunds
        WHERE refund_id = ANY($1::text[]) AND ${tenantCondition('$2')}`,
      [refundIds, tenantId],
    );
    return new Map(result.rows.map((row) => [row.refund_id, row.payment_id]));
  }

  /**
   * Dispute id → payment id. Disputes have no table of their own, so this searches the
   * payments' dispute lists; only dispute lines that name no payment come here.
   */
  async paymentIdsByDisputeIds(
    tenantId: string,
    disputeIds: readonly string[],
  ): Promise<Map<string, string>> {
    if (disputeIds.length === 0) return new Map();
    const result = await this.pool.query<{ dispute_id: string; payment_id: string }>(
      `SELECT dispute ->> 'disputeId' AS dispute_id, payment_id
         FROM payments, jsonb_array_elements(disputes) AS dispute
        WHERE jsonb_array_length(disputes) > 0 AND ${tenantCondition('$2')}
          AND dispute ->> 'disputeId' = ANY($1::text[])`,
      [disputeIds, tenantId],
    );
    return new Map(result.rows.map((row) => [row.dispute_id, row.payment_id]));
  }

  /** Unsettled captured payments of one amount and currency created within a time range. */
  async candidatesByAmount(
    tenantId: string,
    query: { currency: string; amount: bigint; from: string; to: string; limit: number },
  ): Promise<LedgerPayment[]> {
    const where =
      `${UNSETTLED_CAPTURED} AND currency = $1 AND captured_amount = $2 ` +
      `AND created_at BETWEEN $3 AND $4 AND ${tenantCondition('$5')} ORDER BY payment_id LIMIT $6`;
    const { currency, amount, from, to, limit } = query;
    return this.select(where, [currency, amount, from, to, tenantId, limit]);
  }

  /** One page, by payment id, of unsettled captured payments created within a period. */
  async unsettledInPeriod(
    tenantId: string,
    query: { from: string; to: string; afterPaymentId: string; limit: number },
  ): Promise<LedgerPayment[]> {
    const where =
      `${UNSETTLED_CAPTURED} AND created_at BETWEEN $1 AND $2 AND payment_id > $3 ` +
      `AND ${tenantCondition('$4')} ORDER BY payment_id LIMIT $5`;
    const { from, to, afterPaymentId, limit } = query;
    return this.select(where, [from, to, afterPaymentId, tenantId, limit]);
  }
}
