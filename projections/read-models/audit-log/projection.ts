import type { StoredEvent } from '../../../infra/eventstore/event-store.ts';
import type { PoolClient } from '../../../infra/postgres/pool.ts';
import { PAYMENT_EVENT_TYPES } from '../../../domain/payment/index.ts';
import { auditMetadataOf } from '../../core/decode.ts';
import { insertRows, type ColumnSpec } from '../../core/sql.ts';
import type { Projection } from '../../core/types.ts';
import { WEBHOOK_EVENT_TYPES } from '../webhook-inbox/events.ts';

/** An `audit_log` row as pg returns it. */
export interface AuditLogRow {
  event_id: string;
  global_position: bigint;
  stream: string;
  stream_revision: bigint;
  event_type: string;
  payment_id: string | null;
  tenant_id: string;
  actor: string | null;
  source: string | null;
  correlation_id: string | null;
  causation_id: string | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

const columns: readonly ColumnSpec[] = [
  { name: 'event_id', type: 'uuid' },
  { name: 'global_position', type: 'bigint' },
  { name: 'stream', type: 'text' },
  { name: 'stream_revision', type: 'bigint' },
  ...['event_type', 'payment_id', 'tenant_id', 'actor', 'source', 'correlation_id'].map((name) => ({
    name,
    type: 'text',
  })),
  { name: 'causation_id', type: 'text' },
  { name: 'data', type: 'jsonb' },
  { name: 'metadata', type: 'jsonb' },
  { name: 'recorded_at', type: 'timestamptz' },
];

/** Tenant '*' marks a webhook event recorded before its payment (and tenant) was known. */
const unknownTenant = '*';

function rowOf(event: StoredEvent): unknown[] {
  const metadata = auditMetadataOf(event);
  const paymentId = typeof event.data.paymentId === 'string' ? event.data.paymentId : null;
  return [
    event.id,
    event.position,
    event.stream,
    event.revision,
    event.type,
    paymentId,
    metadata.tenantId ?? unknownTenant,
    metadata.actor,
    metadata.source,
    metadata.correlationId,
    metadata.causationId,
    event.data,
    event.metadata,
    event.recordedAt.toISOString(),
  ];
}

async function apply(batch: readonly StoredEvent[], tx: PoolClient): Promise<void> {
  // Every unique key (event id, position, stream revision) makes a repeat a no-op.
  await insertRows(tx, {
    table: 'audit_log',
    columns,
    rows: batch.map(rowOf),
    onConflict: 'ON CONFLICT DO NOTHING',
  });
}

/** `audit_log`: one row per ledger event, with its metadata, for auditors' searches. */
export const auditLogProjection: Projection = {
  name: 'audit_log',
  version: 1,
  handles: [...PAYMENT_EVENT_TYPES, ...WEBHOOK_EVENT_TYPES],
  tables: [{ name: 'audit_log', key: ['event_id'] }],
  apply,
};
