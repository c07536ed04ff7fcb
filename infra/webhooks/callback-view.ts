import type { CallbackState, CallbackStatus } from './inbox-state.ts';

/** A callback as operators see it (the read side's `webhook_inbox` vocabulary). */
export const LISTED_STATES = ['received', 'processed', 'failed', 'parked', 'resolved'] as const;
export type ListedState = (typeof LISTED_STATES)[number];

export interface CallbackView {
  provider: string;
  providerEventId: string;
  eventType: string;
  state: ListedState;
  paymentId: string | null;
  tenantId: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  outcome: string | null;
  receivedAt: string;
  updatedAt: string;
  /** The raw body as received (signed by the provider). */
  payload: string;
}

export function listedState(status: CallbackStatus): ListedState {
  return status === 'replay_requested' ? 'received' : status;
}

export function viewOf(state: CallbackState): CallbackView {
  return {
    provider: state.provider,
    providerEventId: state.providerEventId,
    eventType: state.eventType,
    state: listedState(state.status),
    paymentId: state.paymentId,
    tenantId: state.tenantId,
    attempts: state.attempts,
    lastError: state.lastError,
    nextAttemptAt: state.nextAttemptAt,
    outcome: state.outcome,
    receivedAt: state.receivedAt,
    updatedAt: state.updatedAt,
    payload: state.payload,
  };
}
