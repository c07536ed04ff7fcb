import type { PaymentState } from '../../domain/payment/state.ts';
import type { EventStore } from '../eventstore/event-store.ts';
import type { Caller, PaymentService } from '../write/payment-service.ts';
import { findPaymentByProviderReference } from '../write/provider-references.ts';
import type { CallbackEffect, MappedCallback, PaymentReference } from './callback-effects.ts';
import type { KeyedLock } from './keyed-lock.ts';
import { planNextStep } from './plan.ts';

/** What processing a callback came to; the processor turns it into an inbox event. */
export type ApplyResult =
  | { kind: 'processed'; outcome: string; paymentId: string | null; tenantId: string | null }
  | { kind: 'retry'; error: string; paymentId: string | null; tenantId: string | null }
  | { kind: 'park'; error: string };

export type PaymentWriter = Pick<PaymentService, 'execute' | 'loadForCommand'>;

export interface ApplyDependencies {
  eventStore: EventStore;
  paymentService: PaymentWriter;
  /** providerPaymentId → paymentId; the link never changes once claimed, so it may be cached. */
  references?: ReferenceCache;
  /** Callbacks naming the same payment the same way run one at a time. */
  paymentLocks?: KeyedLock;
}

/** A bounded map that forgets its oldest entries: saves one read per callback. */
export class ReferenceCache {
  private readonly entries = new Map<string, string>();
  constructor(private readonly capacity: number) {}

  get(providerPaymentId: string): string | undefined {
    return this.entries.get(providerPaymentId);
  }

  set(providerPaymentId: string, paymentId: string): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(providerPaymentId, paymentId);
  }
}

// A callback implies at most authorize + capture, or request + outcome: a few steps per effect.
const stepsPerEffectMax = 4;
const transientCodes: ReadonlySet<string> = new Set(['CONCURRENCY_CONFLICT', 'PAYMENT_NOT_FOUND']);

async function resolvePaymentId(
  dependencies: ApplyDependencies,
  reference: PaymentReference,
): Promise<string | null> {
  const providerPaymentId = reference.providerPaymentId;
  if (reference.paymentId !== null || providerPaymentId === null) return reference.paymentId;
  const cached = dependencies.references?.get(providerPaymentId);
  if (cached !== undefined) return cached;
  const owner = await findPaymentByProviderReference(dependencies.eventStore, providerPaymentId);
  if (owner !== undefined) dependencies.references?.set(providerPaymentId, owner.paymentId);
  return owner?.paymentId ?? null;
}

type EffectResult =
  | { kind: 'ok'; state: PaymentState; applied: boolean }
  | { kind: 'retry'; error: string }
  | { kind: 'refused'; outcome: string };

async function applyEffect(
  dependencies: ApplyDependencies,
  caller: Caller,
  effect: CallbackEffect,
  mapped: Extract<MappedCallback, { kind: 'effects' }>,
  initialState: PaymentState,
): Promise<EffectResult> {
  let state = initialState;
  let applied = false;
  for (let step = 0; step < stepsPerEffectMax; step += 1) {
    const next = planNextStep({ effect, state, currency: mapped.currency, at: mapped.occurredAt });
    if (next.kind === 'done') return { kind: 'ok', state, applied };
    if (next.kind === 'wait') return { kind: 'retry', error: next.reason };
    if (next.kind === 'refuse')
      return { kind: 'refused', outcome: `refused:${next.code}: ${next.message}` };
    const outcome = await dependencies.paymentService.execute(caller, next.command);
    if (!outcome.ok) {
      const error = `${outcome.error.code}: ${outcome.error.message}`;
      if (transientCodes.has(outcome.error.code)) return { kind: 'retry', error };
      return { kind: 'refused', outcome: `refused:${error}` };
    }
    state = outcome.state;
    applied ||= outcome.events.length > 0;
  }
  return { kind: 'retry', error: `the ${effect.kind} needed more than ${stepsPerEffectMax} steps` };
}

type Applicable = Extract<MappedCallback, { kind: 'effects' }>;

async function applyEffects(
  dependencies: ApplyDependencies,
  caller: Caller,
  mapped: Applicable,
  paymentId: string,
  fresh: boolean,
): Promise<ApplyResult & { fromCache: boolean }> {
  const loaded = await dependencies.paymentService.loadForCommand('*', paymentId, { fresh });
  if (loaded === undefined) {
    const error = `PAYMENT_NOT_FOUND: no payment ${paymentId} yet`;
    return { kind: 'retry', error, paymentId: null, tenantId: null, fromCache: false };
  }
  let state = loaded.state;
  const found = {
    paymentId: state.paymentId,
    tenantId: state.tenantId,
    fromCache: loaded.fromCache,
  };
  let applied = false;
  for (const effect of mapped.effects) {
    const result = await applyEffect(dependencies, caller, effect, mapped, state);
    if (result.kind === 'retry') return { kind: 'retry', error: result.error, ...found };
    if (result.kind === 'refused') return { kind: 'processed', outcome: result.outcome, ...found };
    state = result.state;
    applied ||= result.applied;
  }
  return { kind: 'processed', outcome: applied ? 'applied' : 'already_applied', ...found };
}

/**
 * Applies a mapped callback to its payment through the ordinary write path. Idempotent: every
 * command carries ids derived from the provider's, so running it again appends nothing. The
 * payment's state comes from the write path's cache when warm; a wait decided on a cached state
 * is decided again on a fresh read, so a stale cache only costs a read, never a retry.
 */
export async function applyCallback(
  dependencies: ApplyDependencies,
  caller: Caller,
  mapped: MappedCallback,
): Promise<ApplyResult> {
  if (mapped.kind === 'ignored') {
    return { kind: 'processed', outcome: 'ignored', paymentId: null, tenantId: null };
  }
  if (mapped.kind === 'invalid')
    return { kind: 'park', error: `INVALID_PAYLOAD: ${mapped.reason}` };
  const { reference } = mapped;
  const key = reference.paymentId ?? `ref:${reference.providerPaymentId ?? ''}`;
  const apply = () => applyToPayment(dependencies, caller, mapped);
  return dependencies.paymentLocks === undefined
    ? apply()
    : dependencies.paymentLocks.run(key, apply);
}

async function applyToPayment(
  dependencies: ApplyDependencies,
  caller: Caller,
  mapped: Applicable,
): Promise<ApplyResult> {
  const paymentId = await resolvePaymentId(dependencies, mapped.reference);
  if (paymentId === null) {
    const named = mapped.reference.paymentId ?? mapped.reference.providerPaymentId ?? '?';
    return {
      kind: 'retry',
      error: `PAYMENT_NOT_FOUND: no payment for ${named} yet`,
      paymentId: null,
      tenantId: null,
    };
  }
  let result = await applyEffects(dependencies, caller, mapped, paymentId, false);
  if (result.kind === 'retry' && result.fromCache) {
    result = await applyEffects(dependencies, caller, mapped, paymentId, true);
  }
  const { fromCache: _fromCache, ...outcome } = result;
  return outcome;
}
