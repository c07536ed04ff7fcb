import type { Decision } from '../errors.ts';
import { refuse } from '../errors.ts';
import { formatMinorUnits } from '../money/index.ts';
import { hasPassed } from '../time.ts';
import type { CommandData } from './commands.ts';
import type { PaymentEvent } from './events.ts';
import type { PaymentState } from './state.ts';
import {
  accept,
  alreadyDone,
  checkIdentifier,
  checkMoney,
  firstProblem,
  refusal,
} from './guards.ts';

/**
 * Captures draw on the authorization, several partial captures allowed. The captureId is the
 * idempotency key: the same id with the same (or an omitted) amount is a retry, the same id with
 * another amount is IDEMPOTENCY_KEY_REUSED.
 */
export function decideCapture(
  data: CommandData<'CapturePayment'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const problem = firstProblem(
    checkIdentifier(data.captureId, 'captureId'),
    data.amount === undefined ? undefined : checkMoney(data.amount, 'amount', state.currency),
  );
  if (problem !== undefined) return refusal(problem);
  const existing = state.captures.get(data.captureId);
  if (existing !== undefined) {
    return data.amount === undefined || data.amount.amount === existing.amount
      ? alreadyDone()
      : refuse('IDEMPOTENCY_KEY_REUSED', `capture ${data.captureId} had another amount`);
  }
  if (state.status !== 'AUTHORIZED' && state.status !== 'PARTIALLY_CAPTURED') {
    return refuse('INVALID_TRANSITION', `cannot capture a ${state.status} payment`);
  }
  if (hasPassed(state.captureExpiresAt, data.at)) {
    return refuse('PAYMENT_EXPIRED', 'the capture window of the authorization has passed');
  }
  const remaining = state.authorizedAmount - state.capturedAmount;
  const amount = data.amount?.amount ?? remaining;
  if (amount > state.authorizedAmount) {
    return refuse('AMOUNT_EXCEEDS_AUTHORIZED', 'capture exceeds the authorization', ['amount']);
  }
  if (amount > remaining) {
    const message = `capture exceeds the ${remaining} minor units left to capture`;
    return refuse('AMOUNT_EXCEEDS_CAPTURABLE', message, ['amount']);
  }
  return accept({
    type: 'PaymentCaptured',
    data: {
      paymentId: state.paymentId,
      captureId: data.captureId,
      amount: formatMinorUnits(amount),
      currency: state.currency,
      capturedAt: data.at,
    },
  });
}

/**
 * One settlement per payment, reported by the provider: it ends capturing. The gross may be
 * less than captured (the provider may net refunds); the fee may be zero, never above the gross.
 */
export function decideSettle(
  data: CommandData<'SettlePayment'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const problem = firstProblem(
    checkIdentifier(data.settlementId, 'settlementId'),
    checkMoney(data.amount, 'amount', state.currency),
    checkMoney(data.fee, 'fee', state.currency, 'nonNegative'),
  );
  if (problem !== undefined) return refusal(problem);
  const amount = data.amount.amount;
  const fee = data.fee.amount;
  if (state.settlement !== null) {
    if (state.settlement.settlementId !== data.settlementId) {
      return refuse('INVALID_TRANSITION', 'the payment is already settled');
    }
    return state.settlement.amount === amount && state.settlement.fee === fee
      ? alreadyDone()
      : refuse('IDEMPOTENCY_KEY_REUSED', `settlement ${data.settlementId} had other amounts`);
  }
  if (state.status !== 'CAPTURED' && state.status !== 'PARTIALLY_CAPTURED') {
    return refuse('INVALID_TRANSITION', `cannot settle a ${state.status} payment`);
  }
  if (amount > state.capturedAmount) {
    const message = 'settled amount exceeds the captured amount';
    return refuse('SETTLEMENT_EXCEEDS_CAPTURED', message, ['amount']);
  }
  if (fee > amount) {
    return refuse('INVALID_AMOUNT', 'the fee exceeds the settled amount', ['fee']);
  }
  return accept({
    type: 'PaymentSettled',
    data: {
      paymentId: state.paymentId,
      settlementId: data.settlementId,
      amount: formatMinorUnits(amount),
      fee: formatMinorUnits(fee),
      net: formatMinorUnits(amount - fee),
      currency: state.currency,
      settledAt: data.at,
    },
  });
}
