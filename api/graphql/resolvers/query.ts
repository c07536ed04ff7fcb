import { isCurrencyCode } from '../../../domain/money/index.ts';
import type { GraphqlContext } from '../context.ts';
import { requireRole } from '../context.ts';
import { listAuditLog, type AuditLogFilter } from '../data/audit.ts';
import {
  accountBalances,
  accountBalancesAsOf,
  listJournalEntries,
  type JournalEntryFilter,
} from '../data/journal.ts';
import { listParkedCallbacks } from '../data/operations.ts';
import { listPayments, type PaymentFilter } from '../data/payments.ts';
import { listRefunds, type RefundFilter } from '../data/refunds.ts';
import { BadUserInputError } from '../errors.ts';
import { foldAsOf } from '../event-history.ts';
import type { ConnectionArguments } from '../pagination/arguments.ts';
import { money } from '../views.ts';
import { projectionStatuses } from './projections.ts';

type Filtered<Filter> = ConnectionArguments & { filter?: Filter | null };

/** Ids longer than any the write side issues cannot exist: answer null without a query. */
const idLengthMax = 128;

function currencyArgument(value: string, argument: string): string {
  const code = value.toUpperCase();
  if (!isCurrencyCode(code)) {
    throw new BadUserInputError(`${argument} must be an ISO 4217 tender currency code`, argument);
  }
  return code;
}

async function trialBalance(
  context: GraphqlContext,
  args: { currency: string; asOf?: Date | null },
) {
  requireRole(context, 'read');
  const currency = currencyArgument(args.currency, 'currency');
  const database = await context.readModel();
  const accounts = args.asOf
    ? await accountBalancesAsOf(database, context.principal, currency, args.asOf)
    : await accountBalances(database, context.principal, { currency });
  let debits = 0n;
  let credits = 0n;
  for (const account of accounts) {
    debits += BigInt(account.debits.amount);
    credits += BigInt(account.credits.amount);
  }
  return {
    currency,
    asOf: args.asOf ?? null,
    debits: money(debits, currency),
    credits: money(credits, currency),
    total: money(debits - credits, currency),
    accounts,
  };
}

export const queryResolvers = {
  me: (_parent: unknown, _args: unknown, context: GraphqlContext) => ({
    keyId: context.principal.keyId,
    tenant: context.principal.tenant,
    roles: [...context.principal.roles],
  }),
  payment: (_parent: unknown, args: { id: string }, context: GraphqlContext) => {
    requireRole(context, 'read');
    return args.id.length > idLengthMax ? null : context.loaders.paymentById.load(args.id);
  },
  payments: async (_parent: unknown, args: Filtered<PaymentFilter>, context: GraphqlContext) => {
    requireRole(context, 'read');
    return listPayments(await context.readModel(), context.principal, args);
  },
  refund: (_parent: unknown, args: { id: string }, context: GraphqlContext) => {
    requireRole(context, 'read');
    return args.id.length > idLengthMax ? null : context.loaders.refundById.load(args.id);
  },
  refunds: async (_parent: unknown, args: Filtered<RefundFilter>, context: GraphqlContext) => {
    requireRole(context, 'read');
    return listRefunds(await context.readModel(), context.principal, args);
  },
  accounts: async (
    _parent: unknown,
    args: { currency?: string | null },
    context: GraphqlContext,
  ) => {
    requireRole(context, 'read');
    const currency = args.currency ? currencyArgument(args.currency, 'currency') : null;
    return accountBalances(await context.readModel(), context.principal, { currency });
  },
  account: async (
    _parent: unknown,
    args: { code: string; currency: string },
    context: GraphqlContext,
  ) => {
    requireRole(context, 'read');
    const currency = currencyArgument(args.currency, 'currency');
    const found = await accountBalances(await context.readModel(), context.principal, {
      currency,
      code: args.code,
    });
    return found[0] ?? null;
  },
  journalEntries: async (
    _parent: unknown,
    args: Filtered<JournalEntryFilter>,
    context: GraphqlContext,
  ) => {
    requireRole(context, 'read');
    return listJournalEntries(await context.readModel(), context.principal, args);
  },
  trialBalance: (
    _parent: unknown,
    args: { currency: string; asOf?: Date | null },
    context: GraphqlContext,
  ) => trialBalance(context, args),
  auditLog: async (_parent: unknown, args: Filtered<AuditLogFilter>, context: GraphqlContext) => {
    requireRole(context, 'audit');
    return listAuditLog(await context.readModel(), context.principal, args);
  },
  paymentAsOf: async (
    _parent: unknown,
    args: { id: string; at: Date },
    context: GraphqlContext,
  ) => {
    requireRole(context, 'audit');
    if (args.id.length > idLengthMax) return null;
    const loaded = await context.services.paymentService.load(context.principal.tenant, args.id);
    return loaded ? (foldAsOf(loaded.events, args.at) ?? null) : null;
  },
  projections: (_parent: unknown, _args: unknown, context: GraphqlContext) =>
    projectionStatuses(context),
  parkedCallbacks: async (_parent: unknown, args: ConnectionArguments, context: GraphqlContext) => {
    requireRole(context, 'operate');
    return listParkedCallbacks(await context.readModel(), context.principal, args);
  },
};
