import type { Principal } from '../../auth/roles.ts';
import type { ConnectionArguments } from '../pagination/arguments.ts';
import { fetchPage, type Connection, type KeysetList } from '../pagination/keyset.ts';
import { instant } from '../views.ts';
import { Conditions, scopeToTenant, type Queryable } from './sql.ts';

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
