import type { CurrencyCode } from '../../domain/money/index.ts';
import type { PaymentCommand } from '../../domain/payment/commands.ts';
import type { PaymentState } from '../../domain/payment/state.ts';
import { CAPTURED_STATUSES, isTerminal } from '../../domain/payment/state.ts';
import type { CallbackEffect } from './callback-effects.ts';

/**
 * The next command a callback effect needs on a payment, given what the payment already shows.
 * Pure; the processor runs it in a loop, feeding back the state each command produced. Out of
 * order tolerance lives here: a step the provider implies but the ledger has not seen yet is
 * applied first (authorize before capture, request before a refund outcome, open before a
 * dispute outcome); a step that needs money the ledger has not captured yet waits (retried).
 * The deciders remain the judges: anything else is sent as a command and refused by them.
 */
export type PlanStep =
  | { kind: 'command'; command: PaymentCommand }
  | { kind: 'done' }
  | { kind: 'wait'; reason: string }
  | { kind: 'refuse'; code: 'CURRENCY_MISMATCH'; message: string };

interface PlanInput {
  effect: CallbackEffect;
  state: PaymentState;
  currency: CurrencyCode;
  at: string;
}

const done: PlanStep = { kind: 'done' };

function command(value: PaymentCommand): PlanStep {
  return { kind: 'command', command: value };
}

/** Money not captured yet, but it may still be: wait. A closed payment: let the decider refuse. */
function awaitCapture(state: PaymentState, then: PlanStep, what: string): PlanStep {
  if (CAPTURED_STATUSES.has(state.status) || isTerminal(state.status)) return then;
  return { kind: 'wait', reason: `WAITING_FOR_CAPTURE: ${what} before the payment is captured` };
}

function impliedAuthorization(state: PaymentState, at: string): PlanStep {
  // The provider authorizes the whole payment before capturing any of it.
  return command({
    type: 'AuthorizePayment',
    data: {
      paymentId: state.paymentId,
      amount: { amount: state.amount, currency: state.currency },
      captureExpiresAt: null,
      at,
    },
  });
}

function planRefund(
  effect: Extract<CallbackEffect, { kind: 'refund' }>,
  { state, at }: PlanInput,
): PlanStep {
  const { paymentId, currency } = state;
  const refund = state.refunds.get(effect.refundId);
  if (refund === undefined) {
    const request = command({
      type: 'RequestRefund',
      data: {
        paymentId,
        refundId: effect.refundId,
        amount: { amount: effect.amount, currency },
        reason: effect.reason,
        at,
      },
    });
    return awaitCapture(state, request, 'a refund');
  }
  if (effect.result === 'pending') return done;
  const target = effect.result === 'succeeded' ? 'SUCCEEDED' : 'FAILED';
  if (refund.status === target) return done;
  const refundId = effect.refundId;
  return effect.result === 'succeeded'
    ? command({ type: 'CompleteRefund', data: { paymentId, refundId, at } })
    : command({ type: 'FailRefund', data: { paymentId, refundId, reason: effect.reason, at } });
}

function planDispute(
  effect: Extract<CallbackEffect, { kind: 'open_dispute' | 'resolve_dispute' }>,
  { state, at }: PlanInput,
): PlanStep {
  const { paymentId, currency } = state;
  const dispute = state.disputes.get(effect.disputeId);
  if (dispute === undefined) {
    const open = command({
      type: 'OpenDispute',
      data: {
        paymentId,
        disputeId: effect.disputeId,
        amount: { amount: effect.amount, currency },
        reason: effect.reason,
        at,
      },
    });
    return awaitCapture(state, open, 'a dispute');
  }
  if (effect.kind === 'open_dispute')
    return dispute.amount === effect.amount
      ? done
      : command({
          type: 'OpenDispute',
          data: {
            paymentId,
            disputeId: effect.disputeId,
            amount: { amount: effect.amount, currency },
            at,
          },
        });
  if (dispute.status === (effect.outcome === 'won' ? 'WON' : 'LOST')) return done;
  return command({
    type: 'ResolveDispute',
    data: { paymentId, disputeId: effect.disputeId, outcome: effect.outcome, at },
  });
}

function planPaymentLifecycle(
  effect: Extract<CallbackEffect, { kind: 'authorize' | 'capture' | 'fail' | 'void' }>,
  { state, at }: PlanInput,
): PlanStep {
  const { paymentId, currency } = state;
  switch (effect.kind) {
    case 'authorize': {
      if (state.authorizedAt !== null) return done;
      const amount = effect.amount === null ? undefined : { amount: effect.amount, currency };
      const data = { paymentId, captureExpiresAt: null, at };
      return command({ type: 'AuthorizePayment', data: amount ? { ...data, amount } : data });
    }
    case 'capture': {
      if (state.captures.has(effect.captureId)) return done;
      if (state.status === 'INITIATED' && state.authorizedAt === null) {
        return impliedAuthorization(state, at);
      }
      const amount = effect.amount === null ? undefined : { amount: effect.amount, currency };
      const data = { paymentId, captureId: effect.captureId, at };
      return command({ type: 'CapturePayment', data: amount ? { ...data, amount } : data });
    }
    case 'fail':
      return state.status === 'FAILED'
        ? done
        : command({ type: 'FailPayment', data: { paymentId, reason: effect.reason, at } });
    case 'void': {
      if (state.status === 'VOIDED') return done;
      const held = effect.authorizedAmount ?? 0n;
      if (state.status === 'INITIATED' && state.authorizedAt === null && held > 0n) {
        const amount = { amount: held, currency };
        const data = { paymentId, amount, captureExpiresAt: null, at };
        return command({ type: 'AuthorizePayment', data });
      }
      return command({ type: 'VoidPayment', data: { paymentId, reason: effect.reason, at } });
    }
    default: {
      const unexpected: never = effect;
      throw new Error(`unexpected effect ${JSON.stringify(unexpected)}`);
    }
  }
}

export function planNextStep(input: PlanInput): PlanStep {
  const { effect, state, at } = input;
  if (input.currency !== state.currency) {
    const message = `the callback is in ${input.currency}, the payment in ${state.currency}`;
    return { kind: 'refuse', code: 'CURRENCY_MISMATCH', message };
  }
  switch (effect.kind) {
    case 'authorize':
    case 'capture':
    case 'fail':
    case 'void':
      return planPaymentLifecycle(effect, input);
    case 'refund':
      return planRefund(effect, input);
    case 'open_dispute':
    case 'resolve_dispute':
      return planDispute(effect, input);
    case 'settle': {
      if (state.settlement?.settlementId === effect.settlementId) return done;
      const { paymentId, currency } = state;
      const settle = command({
        type: 'SettlePayment',
        data: {
          paymentId,
          settlementId: effect.settlementId,
          amount: { amount: effect.amount, currency },
          fee: { amount: effect.fee, currency },
          at,
        },
      });
      return awaitCapture(state, settle, 'a settlement');
    }
    default: {
      const unexpected: never = effect;
      throw new Error(`unexpected effect ${JSON.stringify(unexpected)}`);
    }
  }
}
