import type { CurrencyCode } from '../money/index.ts';
import type { AccountCode, JournalEntry } from './postings.ts';

/** Debits minus credits of one entry; zero for every entry the rules produce. */
export function entryImbalance(entry: JournalEntry): bigint {
  let imbalance = 0n;
  for (const line of entry.lines) imbalance += line.side === 'debit' ? line.amount : -line.amount;
  return imbalance;
}

export function isBalanced(entry: JournalEntry): boolean {
  return entryImbalance(entry) === 0n;
}

/**
 * Balances as cumulative debits minus credits per currency and account (so liabilities show
 * negative). The sum over the accounts of one currency is zero when every entry balances.
 */
export function accountBalances(
  entries: Iterable<JournalEntry>,
): Map<CurrencyCode, Map<AccountCode, bigint>> {
  const balances = new Map<CurrencyCode, Map<AccountCode, bigint>>();
  for (const entry of entries) {
    const accounts = balances.get(entry.currency) ?? new Map<AccountCode, bigint>();
    balances.set(entry.currency, accounts);
    for (const line of entry.lines) {
      const signed = line.side === 'debit' ? line.amount : -line.amount;
      accounts.set(line.account, (accounts.get(line.account) ?? 0n) + signed);
    }
  }
  return balances;
}
