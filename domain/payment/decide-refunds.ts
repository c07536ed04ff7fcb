import type { Decision } from '../errors.ts';
import { refuse } from '../errors.ts';
import { formatMinorUnits } from '../money/index.ts';
import type { CommandData } from './commands.ts';
import type { PaymentEvent } from './events.ts';
import type { PaymentState, RefundState } from './state.ts';
import { CAPTURED_STATUSES } from './state.ts';
import {
  accept,
  alreadyDone,
  checkIdentifier,
  checkMoney,
  checkOptionalText,
  firstProblem,
  optional,
  refusal,
} from './guards.ts';

/**
 * A request reserves its amount at once (pending + succeeded <= captured), so two concurrent
 * requests cannot both pass: the second append fails on the stream's expected revision and its
 * retry sees the first reservation. The refundId is the idempotency key; the reason is
 * descriptive and not compared.
 */
export function decideRequestRefund(
  data: CommandData<'RequestRefund'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const problem = firstProblem(
    checkIdentifier(data.refundId, 'refundId'),
    checkMoney(data.amount, 'amount', state.currency),
    checkOptionalText(data.reason, 'reason'),
  );
  if (problem !== undefined) return refusal(problem);
  const existing = state.refunds.get(data.refundId);
  if (existing !== undefined) {
    return existing.amount === data.amount.amount
      ? alreadyDone()
      : refuse('IDEMPOTENCY_KEY_REUSED', `refund ${data.refundId} had another amount`);
  }
  if (!CAPTURED_STATUSES.has(state.status)) {
    return refuse('INVALID_TRANSITION', `cannot refund a ${state.status} payment`);
  }
  if (data.amount.amount > state.refundableAmount) {
    const message = `refund exceeds the ${state.refundableAmount} minor units refundable`;
    return refuse('REFUND_EXCEEDS_REFUNDABLE', message, ['amount']);
  }
  return accept({
    type: 'RefundRequested',
    data: {
      paymentId: state.paymentId,
      refundId: data.refundId,
      amount: formatMinorUnits(data.amount.amount),
      currency: state.currency,
      reason: optional(data.reason),
      requestedAt: data.at,
    },
  });
}

function findPendingRefund(
  refundId: string,
  state: PaymentState,
  doneStatus: RefundState['status'],
): { refund: RefundState } | Decision<PaymentEvent> {
  const problem = checkIdentifier(refundId, 'refundId');
  if (problem !== undefined) return refusal(problem);
  const refund = state.refunds.get(refundId);
  if (refund === undefined) {
    return refuse('REFUND_NOT_FOUND', `no refund ${refundId}`, ['refundId']);
  }
  if (refund.status === doneStatus) return alreadyDone();
  if (refund.status !== 'PENDING') {
    return refuse('INVALID_TRANSITION', `refund ${refundId} is already ${refund.status}`);
  }
  return { refund };
}

export function decideCompleteRefund(
  data: CommandData<'CompleteRefund'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const found = findPendingRefund(data.refundId, state, 'SUCCEEDED');
  if (!('refund' in found)) return found;
  return accept({
    type: 'RefundSucceeded',
    data: {
      paymentId: state.paymentId,
      refundId: found.refund.refundId,
      amount: formatMinorUnits(found.refund.amount),
      currency: state.currency,
      succeededAt: data.at,
    },
  });
}

/** A failed refund releases its reservation, making the amount refundable again. */
export function decideFailRefund(
  data: CommandData<'FailRefund'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const reasonProblem = checkOptionalText(data.reason, 'reason');
  if (reasonProblem !== undefined) return refusal(reasonProblem);
  const found = findPendingRefund(data.refundId, state, 'FAILED');
  if (!('refund' in found)) return found;
  return accept({
    type: 'RefundFailed',
    data: {
      paymentId: state.paymentId,
      refundId: found.refund.refundId,
      amount: formatMinorUnits(found.refund.amount),
      currency: state.currency,
      reason: optional(data.reason),
      failedAt: data.at,
    },
  });
}
