import { EventStoreUnavailableError } from '../../infra/eventstore/event-store.ts';
import { CheckpointConflictError } from './checkpoints.ts';
import { SubscriptionDetachedError } from './shared-feed.ts';

/**
 * Errors that say nothing about the events: a lost connection, a serialisation conflict, a
 * server shutting down. They are retried as they are; anything else may be a poison event.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  if (error instanceof CheckpointConflictError) return true;
  if (error instanceof SubscriptionDetachedError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^(08|40|53|58)/.test(code) || /^57P/.test(code)) return true;
    if (/^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN)/.test(code)) return true;
  }
  return /Connection terminated|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}
