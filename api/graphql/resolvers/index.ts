import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { callbackMutationResolvers, callbackQueryResolvers } from './callbacks.ts';
import { mutationResolvers } from './mutation.ts';
import { projectionMutationResolvers } from './projections.ts';
import { queryResolvers } from './query.ts';
import {
  journalEntryResolvers,
  paymentResolvers,
  paymentSnapshotResolvers,
  refundResolvers,
} from './types.ts';

export const resolvers = {
  DateTime: DateTimeResolver,
  JSON: JSONResolver,
  Query: { ...queryResolvers, ...callbackQueryResolvers },
  Mutation: {
    ...mutationResolvers,
    ...projectionMutationResolvers,
    ...callbackMutationResolvers,
  },
  Payment: paymentResolvers,
  Refund: refundResolvers,
  JournalEntry: journalEntryResolvers,
  PaymentSnapshot: paymentSnapshotResolvers,
};
