export type { AccountCode, JournalEntry, JournalLine, JournalSide } from './postings.ts';
export { ACCOUNT_CODES, postingsFor } from './postings.ts';
export type { ProviderLine, ProviderLineKind } from './provider-lines.ts';
export { PROVIDER_LINE_KINDS, providerLineEntry, providerLineNet } from './provider-lines.ts';
export { accountBalances, entryImbalance, isBalanced } from './balances.ts';
