import type { StoredEvent } from '../../../infra/eventstore/event-store.ts';
import type { PoolClient } from '../../../infra/postgres/pool.ts';
import { excludedAssignments, insertRows, type ColumnSpec } from '../../core/sql.ts';
import type { Projection } from '../../core/types.ts';
import { checkWebhookEvent, WEBHOOK_EVENT_TYPES } from './events.ts';
import { evolveInbox, type InboxDraft, type InboxStatus } from './fold.ts';

/** A `webhook_inbox` row as pg returns it. */
export interface WebhookInboxRow {
  provider: string;
  provider_event_id: string;
  tenant_id: string;
  status: InboxStatus;
  event_type: string;
  payload: string;
  payment_id: string | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  outcome: string | null;
  resolution: string | null;
  resolution_note: string | null;
  resolved_by: string | null;
  replay_requested_by: string | null;
  replay_requested_at: Date | null;
  received_at: Date;
  processed_at: Date | null;
  parked_at: Date | null;
  resolved_at: Date | null;
  updated_at: Date;
  last_stream_revision: bigint;
  last_position: bigint;
}

const textColumns = [
  'provider',
  'provider_event_id',
  'tenant_id',
  'status',
  'event_type',
  'payload',
  'payment_id',
];
const columns: readonly ColumnSpec[] = [
  ...textColumns.map((name) => ({ name, type: 'text' })),
  { name: 'attempts', type: 'integer' },
  { name: 'last_error', type: 'text' },
  { name: 'next_attempt_at', type: 'timestamptz' },
  ...['outcome', 'resolution', 'resolution_note', 'resolved_by', 'replay_requested_by'].map(
    (name) => ({ name, type: 'text' }),
  ),
  ...['replay_requested_at', 'received_at', 'processed_at', 'parked_at', 'resolved_at'].map(
    (name) => ({ name, type: 'timestamptz' }),
  ),
  { name: 'updated_at', type: 'timestamptz' },
  { name: 'last_stream_revision', type: 'bigint' },
  { name: 'last_position', type: 'bigint' },
];

function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

function draftFromRow(row: WebhookInboxRow): InboxDraft {
  return {
    provider: row.provider,
    providerEventId: row.provider_event_id,
    tenantId: row.tenant_id,
    status: row.status,
    eventType: row.event_type,
    payload: row.payload,
    paymentId: row.payment_id,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: iso(row.next_attempt_at),
    outcome: row.outcome,
    resolution: row.resolution,
    resolutionNote: row.resolution_note,
    resolvedBy: row.resolved_by,
    replayRequestedBy: row.replay_requested_by,
    replayRequestedAt: iso(row.replay_requested_at),
    receivedAt: row.received_at.toISOString(),
    processedAt: iso(row.processed_at),
    parkedAt: iso(row.parked_at),
    resolvedAt: iso(row.resolved_at),
    updatedAt: row.updated_at.toISOString(),
    revision: row.last_stream_revision,
    position: row.last_position,
  };
}

function valuesOf(draft: InboxDraft): unknown[] {
  return [
    ...[draft.provider, draft.providerEventId, draft.tenantId, draft.status, draft.eventType],
    ...[draft.payload, draft.paymentId, draft.attempts, draft.lastError, draft.nextAttemptAt],
    ...[draft.outcome, draft.resolution, draft.resolutionNote, draft.resolvedBy],
    ...[draft.replayRequestedBy, draft.replayRequestedAt, draft.receivedAt, draft.processedAt],
    ...[draft.parkedAt, draft.resolvedAt, draft.updatedAt, draft.revision, draft.position],
  ];
}

function keyOf(provider: string, providerEventId: string): string {
  return JSON.stringify([provider, providerEventId]);
}

function eventKey(event: StoredEvent): string {
  checkWebhookEvent(event);
  return keyOf(String(event.data.provider), String(event.data.providerEventId));
}

async function loadDrafts(tx: PoolClient, keys: string[]): Promise<Map<string, InboxDraft>> {
  const pairs = keys.map((key) => JSON.parse(key) as [string, string]);
  const existing = await tx.query<WebhookInboxRow>(
    `SELECT * FROM webhook_inbox
      WHERE (provider, provider_event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [pairs.map((pair) => pair[0]), pairs.map((pair) => pair[1])],
  );
  return new Map(
    existing.rows.map((row) => [keyOf(row.provider, row.provider_event_id), draftFromRow(row)]),
  );
}

async function apply(batch: readonly StoredEvent[], tx: PoolClient): Promise<void> {
  if (batch.length === 0) return;
  const keys = batch.map(eventKey);
  const drafts = await loadDrafts(tx, [...new Set(keys)]);
  const changed = new Set<string>();
  batch.forEach((event, index) => {
    const key = keys[index] as string;
    const current = drafts.get(key);
    // Second line of defence behind the checkpoint: a revision the row already reflects.
    if (current !== undefined && event.revision <= current.revision) return;
    const next = evolveInbox(current, event);
    drafts.set(key, { ...next, revision: event.revision, position: event.position });
    changed.add(key);
  });
  const key = ['provider', 'provider_event_id'];
  await insertRows(tx, {
    table: 'webhook_inbox',
    columns,
    rows: [...changed].map((changedKey) => valuesOf(drafts.get(changedKey) as InboxDraft)),
    onConflict:
      `ON CONFLICT (provider, provider_event_id) DO UPDATE SET ${excludedAssignments(columns, key)} ` +
      'WHERE webhook_inbox.last_stream_revision < EXCLUDED.last_stream_revision',
  });
}

/** `webhook_inbox`: every provider callback received and where its processing stands. */
export const webhookInboxProjection: Projection = {
  name: 'webhook_inbox',
  version: 1,
  handles: WEBHOOK_EVENT_TYPES,
  tables: [{ name: 'webhook_inbox', key: ['provider', 'provider_event_id'] }],
  apply,
};
