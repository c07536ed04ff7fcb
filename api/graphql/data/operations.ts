import type { Principal } from '../../auth/roles.ts';
import type { ConnectionArguments } from '../pagination/arguments.ts';
import { fetchPage, type Connection, type KeysetList } from '../pagination/keyset.ts';
import { instant } from '../views.ts';
import { Conditions, scopeToTenant, type Queryable } from './sql.ts';

/** What the API shows of one projection; the read side's status API maps onto it. */
export interface ProjectionStatusView {
  name: string;
  version: number;
  state: string;
  checkpoint: string | null;
  lag: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  eventsApplied: string | null;
  updatedAt: string | null;
}

interface CheckpointRow {
  projection_name: string;
  projection_version: number;
  position: bigint | string | null;
  state: string;
  last_error: string | null;
  last_error_at: Date | null;
  events_applied: bigint | string;
  updated_at: Date;
}

/** Projection status read straight from the checkpoint table (migration 0100). */
export async function projectionStatusesFromCheckpoints(
  database: Queryable,
  headPosition: bigint | undefined,
): Promise<ProjectionStatusView[]> {
  const result = await database.query<CheckpointRow>(
    'SELECT projection_name, projection_version, position, state, last_error, last_error_at, ' +
      'events_applied, updated_at FROM projection_checkpoints ORDER BY projection_name, projection_version',
  );
  return result.rows.map((row) => {
    const position = row.position === null ? null : BigInt(row.position);
    const lag = headPosition === undefined ? null : headPosition - (position ?? 0n);
    return {
      name: row.projection_name,
      version: row.projection_version,
      state: row.state,
      checkpoint: position === null ? null : position.toString(),
      lag: lag === null ? null : (lag > 0n ? lag : 0n).toString(),
      lastError: row.last_error,
      lastErrorAt: instant(row.last_error_at),
      eventsApplied: String(row.events_applied),
      updatedAt: instant(row.updated_at),
    };
  });
}

interface InboxRow extends Record<string, unknown> {
  provider: string;
  provider_event_id: string;
  tenant_id: string;
  event_type: string;
  payment_id: string | null;
  attempts: number;
  last_error: string | null;
  received_at: Date;
  parked_at: Date | null;
}

export interface ParkedCallbackView {
  provider: string;
  providerEventId: string;
  merchantId: string;
  eventType: string;
  paymentId: string | null;
  attempts: number;
  lastError: string | null;
  receivedAt: string;
  parkedAt: string | null;
}

const parkedList: KeysetList<InboxRow, ParkedCallbackView> = {
  name: 'parkedCallbacks',
  table: 'webhook_inbox',
  // The raw payload is left out on purpose: it may hold data an operator list need not show.
  columns:
    'provider, provider_event_id, tenant_id, event_type, payment_id, attempts, last_error, ' +
    'received_at, parked_at',
  keys: [
    { column: 'received_at', kind: 'timestamp' },
    { column: 'provider', kind: 'text' },
    { column: 'provider_event_id', kind: 'text' },
  ],
  toNode: (row) => ({
    provider: row.provider,
    providerEventId: row.provider_event_id,
    merchantId: row.tenant_id,
    eventType: row.event_type,
    paymentId: row.payment_id,
    attempts: row.attempts,
    lastError: row.last_error,
    receivedAt: instant(row.received_at) ?? '',
    parkedAt: instant(row.parked_at),
  }),
};

export function listParkedCallbacks(
  database: Queryable,
  principal: Principal,
  args: ConnectionArguments,
): Promise<Connection<ParkedCallbackView>> {
  const conditions = scopeToTenant(new Conditions(), principal, undefined);
  conditions.add("status = 'parked'");
  return fetchPage(database, parkedList, conditions, args);
}
