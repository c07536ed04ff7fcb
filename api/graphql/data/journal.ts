import type { Principal } from '../../auth/roles.ts';
import type { ConnectionArguments } from '../pagination/arguments.ts';
import { fetchPage, type Connection, type KeysetList } from '../pagination/keyset.ts';
import { instant, money } from '../views.ts';
import type { MoneyView } from '../../../infra/write/payment-snapshot.ts';
import { Conditions, scopeToTenant, type Queryable } from './sql.ts';

/** Journal tables of migration 0105. */
export interface JournalEntryRow extends Record<string, unknown> {
  entry_id: string;
  event_id: string;
  global_position: bigint | string;
  stream: string;
  event_type: string;
  tenant_id: string;
  payment_id: string;
  description: string;
  occurred_at: Date;
  recorded_at: Date;
}

export interface JournalEntryView {
  id: string;
  eventId: string;
  position: string;
  stream: string;
  eventType: string;
  tenantId: string;
  paymentId: string;
  description: string;
  occurredAt: string;
  recordedAt: string;
}

export interface JournalLineView {
  lineNumber: number;
  account: string;
  debit: MoneyView;
  credit: MoneyView;
}

export interface AccountBalanceView {
  code: string;
  currency: string;
  debits: MoneyView;
  credits: MoneyView;
  balance: MoneyView;
  lineCount: string;
  updatedAt: string | null;
}

const entryColumns =
  'entry_id, event_id, global_position, stream, event_type, tenant_id, payment_id, description, ' +
  'occurred_at, recorded_at';

function entryFromRow(row: JournalEntryRow): JournalEntryView {
  return {
    id: row.entry_id,
    eventId: row.event_id,
    position: String(row.global_position),
    stream: row.stream,
    eventType: row.event_type,
    tenantId: row.tenant_id,
    paymentId: row.payment_id,
    description: row.description,
    occurredAt: instant(row.occurred_at) ?? '',
    recordedAt: instant(row.recorded_at) ?? '',
  };
}

export async function journalEntriesByPaymentIds(
  database: Queryable,
  principal: Principal,
  paymentIds: readonly string[],
): Promise<Map<string, JournalEntryView[]>> {
  const conditions = scopeToTenant(new Conditions(), principal, undefined);
  conditions.add('payment_id = ANY(?::text[])', [...paymentIds]);
  const result = await database.query<JournalEntryRow>(
    `SELECT ${entryColumns} FROM journal_entries ${conditions.where()} ` +
      'ORDER BY payment_id, global_position, entry_id',
    conditions.parameters,
  );
  const byPayment = new Map<string, JournalEntryView[]>();
  for (const row of result.rows) {
    const list = byPayment.get(row.payment_id) ?? [];
    list.push(entryFromRow(row));
    byPayment.set(row.payment_id, list);
  }
  return byPayment;
}

/** Lines of many entries in one query. Entries were already scoped to the tenant. */
export async function journalLinesByEntryIds(
  database: Queryable,
  entryIds: readonly string[],
): Promise<Map<string, JournalLineView[]>> {
  const result = await database.query<{
    entry_id: string;
    line_number: number;
    account: string;
    currency: string;
    debit: bigint | string;
    credit: bigint | string;
  }>(
    'SELECT entry_id, line_number, account, currency, debit, credit FROM journal_lines ' +
      'WHERE entry_id = ANY($1::text[]) ORDER BY entry_id, line_number',
    [[...entryIds]],
  );
  const byEntry = new Map<string, JournalLineView[]>();
  for (const row of result.rows) {
    const list = byEntry.get(row.entry_id) ?? [];
    list.push({
      lineNumber: row.line_number,
      account: row.account,
      debit: money(row.debit, row.currency),
      credit: money(row.credit, row.currency),
    });
    byEntry.set(row.entry_id, list);
  }
  return byEntry;
}

export interface JournalEntryFilter {
  paymentId?: string | null;
  eventType?: string | null;
  account?: string | null;
  currency?: string | null;
  from?: Date | null;
  to?: Date | null;
  merchantId?: string | null;
}

const entryList: KeysetList<JournalEntryRow, JournalEntryView> = {
  name: 'journalEntries',
  table: 'journal_entries',
  columns: entryColumns,
  keys: [
    { column: 'occurred_at', kind: 'timestamp' },
    { column: 'entry_id', kind: 'text' },
  ],
  toNode: entryFromRow,
};

export function listJournalEntries(
  database: Queryable,
  principal: Principal,
  args: ConnectionArguments & { filter?: JournalEntryFilter | null },
): Promise<Connection<JournalEntryView>> {
  const filter = args.filter ?? {};
  const conditions = scopeToTenant(new Conditions(), principal, filter.merchantId);
  conditions.addIfGiven('payment_id = ?', filter.paymentId);
  conditions.addIfGiven('event_type = ?', filter.eventType);
  conditions.addIfGiven('occurred_at >= ?', filter.from);
  conditions.addIfGiven('occurred_at < ?', filter.to);
  const lineConditions: string[] = [];
  const lineValues: unknown[] = [];
  if (filter.account) {
    lineConditions.push('line.account = ?');
    lineValues.push(filter.account);
  }
  if (filter.currency) {
    lineConditions.push('line.currency = ?');
    lineValues.push(filter.currency.toUpperCase());
  }
  if (lineConditions.length > 0) {
    conditions.add(
      'EXISTS (SELECT 1 FROM journal_lines line WHERE line.entry_id = journal_entries.entry_id ' +
        `AND ${lineConditions.join(' AND ')})`,
      ...lineValues,
    );
  }
  return fetchPage(database, entryList, conditions, args);
}

interface BalanceRow {
  account: string;
  currency: string;
  debits: bigint | string;
  credits: bigint | string;
  line_count: bigint | string;
  updated_at: Date | null;
}

function balanceFromRow(row: BalanceRow): AccountBalanceView {
  const debits = BigInt(row.debits);
  const credits = BigInt(row.credits);
  return {
    code: row.account,
    currency: row.currency,
    debits: money(debits, row.currency),
    credits: money(credits, row.currency),
    balance: money(debits - credits, row.currency),
    lineCount: String(row.line_count),
    updatedAt: instant(row.updated_at),
  };
}

/**
 * Current balances from `account_balances`. A platform key sees the sum over all tenants (the
 * platform's books); a tenant's key sees its own share.
 */
export async function accountBalances(
  database: Queryable,
  principal: Principal,
  filter: { currency?: string | null; code?: string | null },
): Promise<AccountBalanceView[]> {
  const conditions = scopeToTenant(new Conditions(), principal, undefined);
  conditions.addIfGiven('currency = ?', filter.currency?.toUpperCase());
  conditions.addIfGiven('account = ?', filter.code);
  const result = await database.query<BalanceRow>(
    'SELECT account, currency, sum(debits) AS debits, sum(credits) AS credits, ' +
      'sum(line_count) AS line_count, max(updated_at) AS updated_at ' +
      `FROM account_balances ${conditions.where()} GROUP BY currency, account ORDER BY currency, account`,
    conditions.parameters,
  );
  return result.rows.map(balanceFromRow);
}

/** Balances at an instant: sums of the journal lines that occurred at or before it. */
export async function accountBalancesAsOf(
  database: Queryable,
  principal: Principal,
  currency: string,
  asOf: Date,
): Promise<AccountBalanceView[]> {
  const conditions = scopeToTenant(new Conditions(), principal, undefined);
  conditions.add('currency = ?', currency.toUpperCase());
  conditions.add('occurred_at <= ?', asOf);
  const result = await database.query<BalanceRow>(
    'SELECT account, currency, sum(debit) AS debits, sum(credit) AS credits, ' +
      'count(*) AS line_count, NULL::timestamptz AS updated_at ' +
      `FROM journal_lines ${conditions.where()} GROUP BY currency, account ORDER BY account`,
    conditions.parameters,
  );
  return result.rows.map(balanceFromRow);
}
