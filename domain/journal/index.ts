export type { AccountCode, JournalEntry, JournalLine, JournalSide } from './postings.ts';
export { ACCOUNT_CODES, bankDepositEntry, postingsFor } from './postings.ts';
export { accountBalances, entryImbalance, isBalanced } from './balances.ts';
