import type { Pool, PoolClient } from '../../../infra/postgres/pool.ts';
import type { AuditLogRow } from './projection.ts';

export interface AuditQuery {
  tenantId: string;
  stream?: string;
  eventType?: string;
  actor?: string;
  correlationId?: string;
  from?: Date;
  to?: Date;
  /** Keyset cursor: the global position of the last row of the previous page. */
  afterPosition?: bigint;
  limit: number;
}

/** A tenant's audit trail in `$all` order, filtered by any of stream, type, actor, correlation, time. */
export async function auditTrail(
  database: Pool | PoolClient,
  query: AuditQuery,
): Promise<AuditLogRow[]> {
  const result = await database.query<AuditLogRow>(
    `SELECT * FROM audit_log
      WHERE tenant_id = $1
        AND ($2::text IS NULL OR stream = $2)
        AND ($3::text IS NULL OR event_type = $3)
        AND ($4::text IS NULL OR actor = $4)
        AND ($5::text IS NULL OR correlation_id = $5)
        AND ($6::timestamptz IS NULL OR recorded_at >= $6)
        AND ($7::timestamptz IS NULL OR recorded_at < $7)
        AND ($8::bigint IS NULL OR global_position > $8)
      ORDER BY global_position
      LIMIT $9`,
    [
      query.tenantId,
      query.stream ?? null,
      query.eventType ?? null,
      query.actor ?? null,
      query.correlationId ?? null,
      query.from?.toISOString() ?? null,
      query.to?.toISOString() ?? null,
      query.afterPosition ?? null,
      Math.min(Math.max(1, query.limit), 1000),
    ],
  );
  return result.rows;
}
