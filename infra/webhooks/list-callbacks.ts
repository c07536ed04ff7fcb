import type { EventStore } from '../eventstore/event-store.ts';
import type { Pool } from '../postgres/pool.ts';
import { LISTED_STATES, viewOf, type CallbackView, type ListedState } from './callback-view.ts';
import { loadCallbackByStream } from './inbox-store.ts';

export interface ListCallbacksFilter {
  state?: ListedState | null;
  provider?: string | null;
  /** Page size; clamped to 1..listLimitMax. */
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  after?: string | null;
}

export interface CallbackPage {
  items: CallbackView[];
  /** Null when there is nothing after this page. */
  nextCursor: string | null;
}

export const LIST_LIMIT_MAX = 200;
// The fallback scan reads `$all` page by page; it stops after this many events and hands out a
// cursor, so that a call costs a bounded amount even on a large store.
const scanEventsMax = 20_000;
const scanPageSize = 500;

export function clampLimit(limit: number): number {
  return Number.isInteger(limit) ? Math.min(Math.max(limit, 1), LIST_LIMIT_MAX) : 50;
}

export function isListedState(value: unknown): value is ListedState {
  return typeof value === 'string' && (LISTED_STATES as readonly string[]).includes(value);
}

interface RowCursor {
  receivedAt: string;
  provider: string;
  providerEventId: string;
}

function encodeCursor(kind: 'pg' | 'es', value: unknown): string {
  return `${kind}.${Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')}`;
}

function decodeCursor(cursor: string | null | undefined, kind: 'pg' | 'es'): unknown {
  if (!cursor || !cursor.startsWith(`${kind}.`)) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor.slice(kind.length + 1), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

type Row = Record<string, unknown>;

function isoOrNull(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : null;
}

function viewOfRow(row: Row): CallbackView {
  return {
    provider: String(row.provider),
    providerEventId: String(row.provider_event_id),
    eventType: String(row.event_type),
    state: row.status as ListedState,
    paymentId: (row.payment_id as string | null) ?? null,
    tenantId: String(row.tenant_id),
    attempts: Number(row.attempts),
    lastError: (row.last_error as string | null) ?? null,
    nextAttemptAt: isoOrNull(row.next_attempt_at),
    outcome: (row.outcome as string | null) ?? null,
    receivedAt: isoOrNull(row.received_at) ?? '',
    updatedAt: isoOrNull(row.updated_at) ?? '',
    payload: String(row.payload),
  };
}

/** Reads the read side's `webhook_inbox` (keyset pagination on received_at, provider, id). */
export async function listFromReadModel(
  pool: Pool,
  tenantId: string,
  filter: ListCallbacksFilter,
): Promise<CallbackPage> {
  const limit = clampLimit(filter.limit);
  const cursor = decodeCursor(filter.after, 'pg') as RowCursor | undefined;
  const result = await pool.query(
    `SELECT provider, provider_event_id, tenant_id, status, event_type, payload, payment_id,
            attempts, last_error, next_attempt_at, outcome, received_at, updated_at
       FROM webhook_inbox
      WHERE ($1::text IS NULL OR status = $1)
        AND ($2::text IS NULL OR provider = $2)
        AND ($3::text IS NULL OR tenant_id = $3)
        AND ($4::timestamptz IS NULL
             OR (received_at, provider, provider_event_id) > ($4::timestamptz, $5::text, $6::text))
      ORDER BY received_at, provider, provider_event_id
      LIMIT $7`,
    [
      filter.state ?? null,
      filter.provider ?? null,
      tenantId === '*' ? null : tenantId,
      cursor?.receivedAt ?? null,
      cursor?.provider ?? null,
      cursor?.providerEventId ?? null,
      limit + 1,
    ],
  );
  const items = (result.rows as Row[]).slice(0, limit).map(viewOfRow);
  const last = items.at(-1);
  const more = result.rows.length > limit && last !== undefined;
  const next = more
    ? {
        receivedAt: last.receivedAt,
        provider: last.provider,
        providerEventId: last.providerEventId,
      }
    : null;
  return { items, nextCursor: next === null ? null : encodeCursor('pg', next) };
}

function matches(view: CallbackView, tenantId: string, filter: ListCallbacksFilter): boolean {
  if (filter.state && view.state !== filter.state) return false;
  if (filter.provider && view.provider !== filter.provider) return false;
  return tenantId === '*' || view.tenantId === tenantId;
}

/** Without the read side: scans `$all` for received callbacks and folds their streams. */
export async function listFromEventStore(
  store: EventStore,
  tenantId: string,
  filter: ListCallbacksFilter,
): Promise<CallbackPage> {
  const limit = clampLimit(filter.limit);
  const after = decodeCursor(filter.after, 'es');
  let position = typeof after === 'string' && /^\d+$/.test(after) ? BigInt(after) : undefined;
  const items: CallbackView[] = [];
  for (let scanned = 0; scanned < scanEventsMax; scanned += scanPageSize) {
    const page = await store.readAllPage(position, scanPageSize + 1);
    const fresh = page.filter((event) => position === undefined || event.position > position);
    if (fresh.length === 0) return { items, nextCursor: null };
    for (const event of fresh) {
      position = event.position;
      if (event.type !== 'WebhookReceived') continue;
      const state = await loadCallbackByStream(store, event.stream);
      if (state !== undefined && matches(viewOf(state), tenantId, filter))
        items.push(viewOf(state));
      if (items.length === limit)
        return { items, nextCursor: encodeCursor('es', String(position)) };
    }
  }
  return {
    items,
    nextCursor: position === undefined ? null : encodeCursor('es', String(position)),
  };
}
