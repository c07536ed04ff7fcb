export type * from './booking.ts';
export {
  BOOKING_EVENT_TYPES,
  BOOKING_SCHEMA_VERSION,
  bookingKey,
  decideBooking,
  decodeBookingEvent,
  encodeBookingEvent,
  evolveBooking,
  isBookingEventType,
  providerLineOf,
} from './booking.ts';
export type * from './commands.ts';
export type * from './events.ts';
export {
  RECONCILIATION_EVENT_TYPES,
  RECONCILIATION_STREAM_PREFIX,
  reconciliationStreamName,
} from './events.ts';
export type * from './ledger-facts.ts';
export { ledgerEvidence } from './ledger-facts.ts';
export type * from './lines.ts';
export { duplicateKeys, LINE_KINDS, lineEvidence, REPORT_FORMATS } from './lines.ts';
export type * from './outcomes.ts';
export {
  addCounts,
  countOutcomes,
  emptyCounts,
  isException,
  OUTCOMES,
  RESOLUTIONS,
} from './outcomes.ts';
export type * from './state.ts';
export type { LineDecision } from './matching.ts';
export {
  duplicateDecision,
  fitsByAmountAndDate,
  lookupByAmountAndDate,
  matchLine,
  missingAtProvider,
  settleCommand,
} from './matching.ts';
export { BATCH_LINES_MAX, decide, NOTE_LENGTH_MAX } from './decide.ts';
export { evolve, fold } from './evolve.ts';
export {
  decodeReconciliationEvent,
  encodeReconciliationEvent,
  isReconciliationEventType,
  RECONCILIATION_SCHEMA_VERSION,
} from './codec.ts';
