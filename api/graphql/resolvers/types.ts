import type { GraphqlContext } from '../context.ts';
import { requireRole } from '../context.ts';
import type { JournalEntryView } from '../data/journal.ts';
import type { SnapshotAsOf } from '../event-history.ts';
import { refundFromSnapshot, type PaymentView, type RefundView } from '../views.ts';

/** Field resolvers of the object types; plain fields resolve by name from the views. */
export const paymentResolvers = {
  merchantId: (payment: PaymentView) => payment.tenantId,
  refunds: (payment: PaymentView, _args: unknown, context: GraphqlContext) =>
    // A command's result carries its refunds; a read-model row loads them, batched.
    payment.refunds ?? context.loaders.refundsByPaymentId.load(payment.id),
  journalEntries: (payment: PaymentView, _args: unknown, context: GraphqlContext) => {
    requireRole(context, 'read');
    return context.loaders.journalEntriesByPaymentId.load(payment.id);
  },
  history: async (payment: PaymentView, _args: unknown, context: GraphqlContext) => {
    requireRole(context, 'audit');
    return (await context.loaders.paymentHistory.load(payment.id)) ?? [];
  },
};

export const refundResolvers = {
  merchantId: (refund: RefundView) => refund.tenantId,
  payment: (refund: RefundView, _args: unknown, context: GraphqlContext) => {
    requireRole(context, 'read');
    return context.loaders.paymentById.load(refund.paymentId);
  },
};

export const journalEntryResolvers = {
  merchantId: (entry: JournalEntryView) => entry.tenantId,
  lines: (entry: JournalEntryView, _args: unknown, context: GraphqlContext) =>
    context.loaders.journalLinesByEntryId.load(entry.id),
};

/** PaymentSnapshot resolves from a fold of the event store (see event-history.ts). */
export const paymentSnapshotResolvers = {
  id: (parent: SnapshotAsOf) => parent.snapshot.id,
  asOf: (parent: SnapshotAsOf) => parent.asOf,
  eventCount: (parent: SnapshotAsOf) => parent.eventCount,
  merchantId: (parent: SnapshotAsOf) => parent.snapshot.tenantId,
  refunds: (parent: SnapshotAsOf) => parent.snapshot.refunds.map(refundFromSnapshot),
  ...Object.fromEntries(
    (
      [
        'status',
        'amount',
        'authorizedAmount',
        'capturedAmount',
        'capturableAmount',
        'refundedAmount',
        'refundableAmount',
        'disputedAmount',
        'settledAmount',
        'feeAmount',
        'reference',
        'providerPaymentId',
        'createdAt',
        'updatedAt',
        'revision',
        'disputes',
      ] as const
    ).map((field) => [field, (parent: SnapshotAsOf) => parent.snapshot[field]]),
  ),
};
