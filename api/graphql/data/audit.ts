import type { Principal } from '../../auth/roles.ts';
import type { ConnectionArguments } from '../pagination/arguments.ts';
import { fetchPage, type Connection, type KeysetList } from '../pagination/keyset.ts';
import { instant } from '../views.ts';
import { Conditions, scopeToTenant, type Queryable } from './sql.ts';

/** One stored event as the API shows it, from the audit log or straight from the store. */
export interface AuditEventView {
  id: string;
  type: string;
  stream: string;
  revision: string;
  position: string;
  recordedAt: string;
  data: unknown;
  metadata: unknown;
}

interface AuditRow extends Record<string, unknown> {
  event_id: string;
  global_position: bigint | string;
  stream: string;
  stream_revision: bigint | string;
  event_type: string;
  data: unknown;
  metadata: unknown;
  recorded_at: Date;
}

function auditEventFromRow(row: AuditRow): AuditEventView {
  return {
    id: row.event_id,
    type: row.event_type,
    stream: row.stream,
    revision: String(row.stream_revision),
    position: String(row.global_position),
    recordedAt: instant(row.recorded_at) ?? '',
    data: row.data,
    metadata: row.metadata,
  };
}

const auditList: KeysetList<AuditRow, AuditEventView> = {
  name: 'auditLog',
  table: 'audit_log',
  columns:
    'event_id, global_position, stream, stream_revision, event_type, data, metadata, recorded_at',
  keys: [{ column: 'global_position', kind: 'bigint' }],
  toNode: auditEventFromRow,
};

export interface AuditLogFilter {
  stream?: string | null;
  type?: string | null;
  actor?: string | null;
  correlationId?: string | null;
  paymentId?: string | null;
  from?: Date | null;
  to?: Date | null;
  merchantId?: string | null;
}

export function listAuditLog(
  database: Queryable,
  principal: Principal,
  args: ConnectionArguments & { filter?: AuditLogFilter | null },
): Promise<Connection<AuditEventView>> {
  const filter = args.filter ?? {};
  const conditions = scopeToTenant(new Conditions(), principal, filter.merchantId);
  conditions.addIfGiven('stream = ?', filter.stream);
  conditions.addIfGiven('event_type = ?', filter.type);
  conditions.addIfGiven('actor = ?', filter.actor);
  conditions.addIfGiven('correlation_id = ?', filter.correlationId);
  conditions.addIfGiven('payment_id = ?', filter.paymentId);
  conditions.addIfGiven('recorded_at >= ?', filter.from);
  conditions.addIfGiven('recorded_at < ?', filter.to);
  return fetchPage(database, auditList, conditions, args);
}
