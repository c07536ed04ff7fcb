export type * from './commands.ts';
export { DISPUTE_OUTCOMES } from './commands.ts';
export type * from './events.ts';
export {
  CAPTURE_MODES,
  occurredAt,
  PAYMENT_EVENT_TYPES,
  PAYMENT_STREAM_PREFIX,
  paymentStreamName,
} from './events.ts';
export type * from './state.ts';
export {
  CAPTURED_STATUSES,
  DISPUTE_STATUSES,
  isTerminal,
  PAYMENT_STATUSES,
  REFUND_STATUSES,
  TERMINAL_STATUSES,
} from './state.ts';
export { decide } from './decide.ts';
export { evolve, fold } from './evolve.ts';
