import type { Logger } from '../logging/logger.ts';
import { StreamConflictError, type EventStore } from '../eventstore/event-store.ts';
import type { Caller } from '../write/payment-service.ts';
import {
  applyCallback,
  type ApplyResult,
  type PaymentWriter,
  type ReferenceCache,
} from './apply-callback.ts';
import type { KeyedLock } from './keyed-lock.ts';
import type { MappedCallback } from './callback-effects.ts';
import type { InboxEvent } from './inbox-events.ts';
import { SETTLED_STATUSES, type CallbackState } from './inbox-state.ts';
import { isKnownProvider } from './inbox-stream.ts';
import { appendToInbox, loadCallbackByStream, type InboxContext } from './inbox-store.ts';
import { PROVIDER_MAPPERS } from './mappers.ts';
import { retryDelayMs, shouldPark, type RetryPolicy } from './retry-policy.ts';

export interface ProcessDependencies {
  eventStore: EventStore;
  paymentService: PaymentWriter;
  logger: Logger;
  retryPolicy: RetryPolicy;
  nowMs: () => number;
  random: () => number;
  references?: ReferenceCache;
  paymentLocks?: KeyedLock;
}

export type ProcessResult =
  /** `outcome` is set when this run settled it, absent when it was settled already. */
  | { kind: 'settled'; state: CallbackState; outcome?: string }
  /** `failedProvider` is set when this run recorded a failure (for the metrics). */
  | { kind: 'scheduled'; dueAtMs: number; failedProvider?: string };

// Another writer (an operator, a second trigger) moved the stream: fold again and retry.
const conflictRetriesMax = 4;

function mapStored(state: CallbackState): MappedCallback {
  if (!isKnownProvider(state.provider)) {
    return { kind: 'invalid', reason: `no mapper for provider ${state.provider}` };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(state.payload);
  } catch {
    return { kind: 'invalid', reason: 'the stored body is not JSON' };
  }
  return PROVIDER_MAPPERS[state.provider].map(payload, state.providerEventId);
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 1_000);
}

function outcomeEvent(
  result: ApplyResult,
  state: CallbackState,
  dependencies: ProcessDependencies,
): InboxEvent {
  const { provider, providerEventId } = state;
  const now = new Date(dependencies.nowMs()).toISOString();
  if (result.kind === 'processed') {
    const paymentId = result.paymentId ?? state.paymentId;
    const data = {
      provider,
      providerEventId,
      outcome: result.outcome,
      paymentId,
      processedAt: now,
    };
    return { type: 'WebhookProcessed', data };
  }
  const attempt = state.attempts + 1;
  if (result.kind === 'park' || shouldPark(dependencies.retryPolicy, attempt)) {
    const data = {
      provider,
      providerEventId,
      attempts: attempt,
      error: result.error,
      parkedAt: now,
    };
    return { type: 'WebhookParked', data };
  }
  const delayMs = retryDelayMs(dependencies.retryPolicy, attempt, dependencies.random);
  const nextAttemptAt = new Date(dependencies.nowMs() + delayMs).toISOString();
  return {
    type: 'WebhookProcessingFailed',
    data: { provider, providerEventId, attempt, error: result.error, nextAttemptAt, failedAt: now },
  };
}

async function attemptOnce(
  dependencies: ProcessDependencies,
  state: CallbackState,
): Promise<ApplyResult> {
  const caller: Caller = {
    tenantId: '*',
    actor: `webhook:${state.provider}`,
    source: 'webhook',
    correlationId: state.correlationId,
    causationId: state.providerEventId,
  };
  try {
    return await applyCallback(dependencies, caller, mapStored(state));
  } catch (error) {
    // Store unavailable, or a bug: both count against the retry budget, so neither loops forever.
    return { kind: 'retry', error: describe(error), paymentId: null, tenantId: null };
  }
}

function tenantOf(result: ApplyResult, state: CallbackState): string {
  return result.kind !== 'park' && result.tenantId !== null ? result.tenantId : state.tenantId;
}

/**
 * Processes one callback from its inbox stream, and records the outcome there. Safe to run any
 * number of times: a settled callback is left alone, a failed one waits for its due time.
 * `known` is the stream's state when the caller already holds it (saves the read); the outcome is
 * appended at its revision, so a state that was behind is caught and read again.
 */
export async function processCallback(
  dependencies: ProcessDependencies,
  stream: string,
  known?: CallbackState,
): Promise<ProcessResult> {
  for (let round = 0; round < conflictRetriesMax; round += 1) {
    const state =
      round === 0 && known !== undefined
        ? known
        : await loadCallbackByStream(dependencies.eventStore, stream);
    if (state === undefined) throw new Error(`inbox stream ${stream} is missing`);
    if (SETTLED_STATUSES.has(state.status)) return { kind: 'settled', state };
    const dueAtMs = state.nextAttemptAt === null ? 0 : Date.parse(state.nextAttemptAt);
    if (state.status === 'failed' && dueAtMs > dependencies.nowMs()) {
      return { kind: 'scheduled', dueAtMs };
    }
    const result = await attemptOnce(dependencies, state);
    const event = outcomeEvent(result, state, dependencies);
    const context: InboxContext = {
      correlationId: state.correlationId,
      causationId: state.receivedEventId,
      actor: `webhook:${state.provider}`,
      tenantId: tenantOf(result, state),
    };
    try {
      await appendToInbox(dependencies.eventStore, state, event, context);
    } catch (error) {
      if (error instanceof StreamConflictError) continue;
      throw error;
    }
    if (event.type === 'WebhookProcessingFailed') {
      const dueAt = Date.parse(event.data.nextAttemptAt);
      return { kind: 'scheduled', dueAtMs: dueAt, failedProvider: state.provider };
    }
    if (event.type === 'WebhookParked') {
      dependencies.logger.warn(
        {
          provider: state.provider,
          providerEventId: state.providerEventId,
          error: event.data.error,
        },
        'webhook callback parked',
      );
    }
    const outcome = event.type === 'WebhookProcessed' ? event.data.outcome : 'parked';
    return { kind: 'settled', state, outcome };
  }
  return {
    kind: 'scheduled',
    dueAtMs: dependencies.nowMs() + dependencies.retryPolicy.baseDelayMs,
  };
}
