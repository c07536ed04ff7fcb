/** The read side's public surface: what infra/runtime and the GraphQL layer import. */
export { startProjections } from './start.ts';
export type { RunningProjections, StartProjectionsOptions } from './start.ts';
export type { Projection, ProjectionTable } from './core/types.ts';
export type { ProjectionEventSource } from './core/event-source.ts';
export { allProjections, projectionNamed } from './registry.ts';
export { ConsistencyTimeoutError, waitForPosition } from './consistency/wait-for-position.ts';
export { readProjectionStatuses, type ProjectionStatus } from './status/status.ts';
export { registerProjectionMetrics } from './status/metrics.ts';
export {
  OperatorActionError,
  poisonEvents,
  retryProjection,
  skipPoisonEvent,
} from './runner/poison.ts';
export type { PoisonEventRow } from './runner/poison.ts';
export { replayProjection } from './rebuild/replay.ts';
export { verifyLedger } from './verify/verify.ts';
export { HashChainChecker } from './verify/hash-chains.ts';
export {
  balancesAsOf,
  currentBalances,
  unbalancedCurrencies,
} from './read-models/journal/queries.ts';
export type { AccountBalance } from './read-models/journal/queries.ts';
export {
  findPayment,
  findPaymentByProviderReference,
  listPayments,
} from './read-models/payments/queries.ts';
export type { PaymentRow } from './read-models/payments/row.ts';
export { refundsOfPayment } from './read-models/refunds/queries.ts';
export type { RefundRow } from './read-models/refunds/projection.ts';
export { auditTrail } from './read-models/audit-log/queries.ts';
export type { AuditLogRow } from './read-models/audit-log/projection.ts';
export { inboxEntries } from './read-models/webhook-inbox/queries.ts';
export type { WebhookInboxRow } from './read-models/webhook-inbox/projection.ts';
