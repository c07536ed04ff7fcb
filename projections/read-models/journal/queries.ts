import type { Pool, PoolClient } from '../../../infra/postgres/pool.ts';

export interface AccountBalance {
  account: string;
  currency: string;
  debits: bigint;
  credits: bigint;
  /** debits − credits: liabilities and income show negative. */
  balance: bigint;
}

export interface BalancesAsOfQuery {
  /** Omitted: the platform's books across every tenant. */
  tenantId?: string;
  currency: string;
  /** Lines whose business time (occurred_at) is at or before this instant. */
  instant: Date;
}

/**
 * Every account's balance in one currency at a past instant, summed from the journal itself
 * (not from account_balances, which only holds the present).
 */
export async function balancesAsOf(
  database: Pool | PoolClient,
  query: BalancesAsOfQuery,
): Promise<AccountBalance[]> {
  const result = await database.query<{ account: string; debits: bigint; credits: bigint }>(
    `SELECT account, sum(debit)::bigint AS debits, sum(credit)::bigint AS credits
       FROM journal_lines
      WHERE currency = $1 AND occurred_at <= $2 AND ($3::text IS NULL OR tenant_id = $3)
      GROUP BY account
      ORDER BY account`,
    [query.currency, query.instant.toISOString(), query.tenantId ?? null],
  );
  return result.rows.map((row) => ({
    account: row.account,
    currency: query.currency,
    debits: row.debits,
    credits: row.credits,
    balance: row.debits - row.credits,
  }));
}

/** Current balances from account_balances, per tenant (or summed over tenants). */
export async function currentBalances(
  database: Pool | PoolClient,
  query: { tenantId?: string; currency?: string },
): Promise<AccountBalance[]> {
  const result = await database.query<AccountBalance>(
    `SELECT account, currency, sum(debits)::bigint AS debits, sum(credits)::bigint AS credits,
            sum(balance)::bigint AS balance
       FROM account_balances
      WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR currency = $2)
      GROUP BY account, currency
      ORDER BY currency, account`,
    [query.tenantId ?? null, query.currency ?? null],
  );
  return result.rows;
}

/** Currencies whose journal lines do not sum to zero (should always be empty). */
export async function unbalancedCurrencies(
  database: Pool | PoolClient,
): Promise<{ currency: string; total: bigint }[]> {
  const result = await database.query<{ currency: string; total: bigint }>(
    `SELECT currency, sum(debit - credit)::bigint AS total FROM journal_lines
      GROUP BY currency HAVING sum(debit - credit) <> 0`,
  );
  return result.rows;
}
