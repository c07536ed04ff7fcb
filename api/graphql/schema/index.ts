import { auditTypeDefs } from './audit.ts';
import { callbackTypeDefs } from './callbacks.ts';
import { commonTypeDefs } from './common.ts';
import { ledgerTypeDefs } from './ledger.ts';
import { operationTypeDefs } from './operations.ts';
import { paymentTypeDefs } from './payments.ts';

/** The whole SDL, SDL-first: resolvers in ../resolvers implement exactly these types. */
export const typeDefs = [
  commonTypeDefs,
  paymentTypeDefs,
  ledgerTypeDefs,
  auditTypeDefs,
  operationTypeDefs,
  callbackTypeDefs,
];
