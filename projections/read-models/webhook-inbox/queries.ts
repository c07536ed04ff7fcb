import type { Pool, PoolClient } from '../../../infra/postgres/pool.ts';
import type { WebhookInboxRow } from './projection.ts';
import type { InboxStatus } from './fold.ts';

/** Inbox entries in a status (e.g. parked, for operators), oldest first; tenant optional for ops. */
export async function inboxEntries(
  database: Pool | PoolClient,
  query: { tenantId?: string; status?: InboxStatus; limit: number },
): Promise<WebhookInboxRow[]> {
  const result = await database.query<WebhookInboxRow>(
    `SELECT * FROM webhook_inbox
      WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR status = $2)
      ORDER BY received_at, provider, provider_event_id
      LIMIT $3`,
    [query.tenantId ?? null, query.status ?? null, Math.min(Math.max(1, query.limit), 1000)],
  );
  return result.rows;
}
