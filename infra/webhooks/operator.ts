import { randomUUID } from 'node:crypto';
import { StreamConflictError, type EventStore } from '../eventstore/event-store.ts';
import type { Pool } from '../postgres/pool.ts';
import { viewOf, type CallbackView } from './callback-view.ts';
import type { InboxEvent } from './inbox-events.ts';
import type { CallbackState } from './inbox-state.ts';
import { isKnownProvider } from './inbox-stream.ts';
import { appendToInbox, loadCallback } from './inbox-store.ts';
import {
  isListedState,
  listFromEventStore,
  listFromReadModel,
  type CallbackPage,
  type ListCallbacksFilter,
} from './list-callbacks.ts';

/**
 * What operators may do with callbacks (the GraphQL layer calls these for keys with the
 * `operate` role; it checks the role, these check tenancy and state). Every change is an inbox
 * event with the operator as actor, so the audit log shows who replayed or resolved what.
 */
export interface Operator {
  /** The API key id: recorded as the actor. */
  actor: string;
  /** The key's tenant, or '*' for a platform key; a tenant key sees its own callbacks only. */
  tenantId: string;
  /** The request id, to correlate the audit trail with the request log. */
  correlationId?: string;
}

export const MANUAL_RESOLUTIONS = ['applied_manually', 'dismissed'] as const;
export type ManualResolution = (typeof MANUAL_RESOLUTIONS)[number];

export type OperatorErrorCode = 'CALLBACK_NOT_FOUND' | 'INVALID_INPUT' | 'INVALID_STATE';
export type OperatorResult<Value> =
  { ok: true; value: Value } | { ok: false; error: { code: OperatorErrorCode; message: string } };

export interface WebhookOperations {
  listCallbacks(
    filter: ListCallbacksFilter,
    operator: Operator,
  ): Promise<OperatorResult<CallbackPage>>;
  replayCallback(
    provider: string,
    providerEventId: string,
    operator: Operator,
  ): Promise<OperatorResult<CallbackView>>;
  resolveCallbackManually(
    provider: string,
    providerEventId: string,
    resolution: string,
    note: string,
    operator: Operator,
  ): Promise<OperatorResult<CallbackView>>;
}

export interface OperatorDependencies {
  eventStore: EventStore;
  /** When given and the read side's `webhook_inbox` exists, lists come from it. */
  pool?: Pool;
  nowMs?: () => number;
}

const noteLengthMax = 1_000;
const conflictRetriesMax = 4;

function failure(code: OperatorErrorCode, message: string): OperatorResult<never> {
  return { ok: false, error: { code, message } };
}

async function readModelPresent(pool: Pool): Promise<boolean> {
  const result = await pool.query("SELECT to_regclass('webhook_inbox') IS NOT NULL AS present");
  return result.rows[0]?.present === true;
}

/** Loads the callback and hands it to `decide`, which returns the event to append (or a refusal). */
async function changeCallback(
  dependencies: OperatorDependencies,
  target: { provider: string; providerEventId: string; operator: Operator },
  decide: (state: CallbackState, now: string) => OperatorResult<InboxEvent | null>,
): Promise<OperatorResult<CallbackView>> {
  const { provider, providerEventId, operator } = target;
  if (!isKnownProvider(provider)) return failure('CALLBACK_NOT_FOUND', `no provider ${provider}`);
  for (let round = 0; round < conflictRetriesMax; round += 1) {
    const state = await loadCallback(dependencies.eventStore, provider, providerEventId);
    if (
      state === undefined ||
      (operator.tenantId !== '*' && state.tenantId !== operator.tenantId)
    ) {
      return failure('CALLBACK_NOT_FOUND', `no callback ${provider}/${providerEventId}`);
    }
    const now = new Date((dependencies.nowMs ?? Date.now)()).toISOString();
    const decision = decide(state, now);
    if (!decision.ok) return decision;
    if (decision.value === null) return { ok: true, value: viewOf(state) };
    const correlationId = operator.correlationId ?? randomUUID();
    const context = {
      correlationId,
      causationId: correlationId,
      actor: operator.actor,
      tenantId: state.tenantId,
    };
    try {
      await appendToInbox(dependencies.eventStore, state, decision.value, context);
    } catch (error) {
      if (error instanceof StreamConflictError) continue;
      throw error;
    }
    const changed = await loadCallback(dependencies.eventStore, provider, providerEventId);
    return { ok: true, value: viewOf(changed ?? state) };
  }
  return failure('INVALID_STATE', 'the callback kept changing; try again');
}

export function createWebhookOperations(dependencies: OperatorDependencies): WebhookOperations {
  let readModel: boolean | undefined;
  return {
    async listCallbacks(filter, operator) {
      if (filter.state != null && !isListedState(filter.state)) {
        return failure(
          'INVALID_INPUT',
          'state must be received, processed, failed, parked or resolved',
        );
      }
      if (dependencies.pool !== undefined) {
        readModel ??= await readModelPresent(dependencies.pool);
        if (readModel) {
          return {
            ok: true,
            value: await listFromReadModel(dependencies.pool, operator.tenantId, filter),
          };
        }
      }
      return {
        ok: true,
        value: await listFromEventStore(dependencies.eventStore, operator.tenantId, filter),
      };
    },

    /** Asks the processor to process the callback again, with a fresh retry budget. */
    replayCallback(provider, providerEventId, operator) {
      return changeCallback(dependencies, { provider, providerEventId, operator }, (state, now) => {
        // Already waiting for the processor: a second request would change nothing.
        if (state.status === 'received' || state.status === 'replay_requested')
          return { ok: true, value: null };
        return {
          ok: true,
          value: {
            type: 'WebhookReplayRequested',
            data: { provider, providerEventId, requestedBy: operator.actor, requestedAt: now },
          },
        };
      });
    },

    /** Closes a failed or parked callback by hand (the fix happened elsewhere, or it is moot). */
    resolveCallbackManually(provider, providerEventId, resolution, note, operator) {
      if (!(MANUAL_RESOLUTIONS as readonly string[]).includes(resolution)) {
        return Promise.resolve(
          failure('INVALID_INPUT', `resolution must be one of ${MANUAL_RESOLUTIONS.join(', ')}`),
        );
      }
      const trimmed = note.trim();
      if (trimmed.length === 0 || trimmed.length > noteLengthMax) {
        return Promise.resolve(
          failure('INVALID_INPUT', `note must be 1 to ${noteLengthMax} characters`),
        );
      }
      return changeCallback(dependencies, { provider, providerEventId, operator }, (state, now) => {
        if (state.status !== 'parked' && state.status !== 'failed') {
          return failure(
            'INVALID_STATE',
            `only a failed or parked callback can be resolved (it is ${state.status})`,
          );
        }
        return {
          ok: true,
          value: {
            type: 'WebhookResolvedManually',
            data: {
              provider,
              providerEventId,
              resolution,
              note: trimmed,
              resolvedBy: operator.actor,
              resolvedAt: now,
            },
          },
        };
      });
    },
  };
}
