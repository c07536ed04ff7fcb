import type { PaymentState } from '../../domain/payment/state.ts';
import type { EventStore } from '../eventstore/event-store.ts';
import type { Caller, PaymentService } from '../write/payment-service.ts';
import { findPaymentByProviderReference } from '../write/provider-references.ts';
import type { CallbackEffect, MappedCallback, PaymentReference } from './callback-effects.ts';
import { planNextStep } from './plan.ts';

/** What processing a callback came to; the processor turns it into an inbox event. */
export type ApplyResult =
  | { kind: 'processed'; outcome: string; paymentId: string | null; tenantId: string | null }
  | { kind: 'retry'; error: string; paymentId: string | null; tenantId: string | null }
  | { kind: 'park'; error: string };

export type PaymentWriter = Pick<PaymentService, 'execute' | 'load'>;

export interface ApplyDependencies {
  eventStore: EventStore;
  paymentService: PaymentWriter;
  /** providerPaymentId → paymentId; the link never changes once claimed, so it may be cached. */
  references?: ReferenceCache;
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

async function resolvePayment(
  dependencies: ApplyDependencies,
  reference: PaymentReference,
): Promise<PaymentState | undefined> {
  let paymentId = reference.paymentId;
  const providerPaymentId = reference.providerPaymentId;
  if (paymentId === null && providerPaymentId !== null) {
    paymentId = dependencies.references?.get(providerPaymentId) ?? null;
    if (paymentId === null) {
      const owner = await findPaymentByProviderReference(
        dependencies.eventStore,
        providerPaymentId,
      );
      paymentId = owner?.paymentId ?? null;
      if (paymentId !== null) dependencies.references?.set(providerPaymentId, paymentId);
    }
  }
  if (paymentId === null) return undefined;
  return (await dependencies.paymentService.load('*', paymentId))?.state;
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

/**
 * Applies a mapped callback to its payment through the ordinary write path. Idempotent: every
 * command carries ids derived from the provider's, so running it again appends nothing.
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
  let state = await resolvePayment(dependencies, mapped.reference);
  if (state === undefined) {
    const named = mapped.reference.paymentId ?? mapped.reference.providerPaymentId ?? '?';
    return {
      kind: 'retry',
      error: `PAYMENT_NOT_FOUND: no payment for ${named} yet`,
      paymentId: null,
      tenantId: null,
    };
  }
  const found = { paymentId: state.paymentId, tenantId: state.tenantId };
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
