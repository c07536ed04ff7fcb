import type { Decision } from '../errors.ts';
import { refuse } from '../errors.ts';
import { formatMinorUnits } from '../money/index.ts';
import type { CommandData } from './commands.ts';
import { DISPUTE_OUTCOMES } from './commands.ts';
import type { PaymentEvent } from './events.ts';
import type { PaymentState } from './state.ts';
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
 * A cardholder may dispute money that was already refunded (it happens; the merchant then
 * contests), so the limit is captured minus open and lost disputes, not minus refunds.
 */
export function decideOpenDispute(
  data: CommandData<'OpenDispute'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const problem = firstProblem(
    checkIdentifier(data.disputeId, 'disputeId'),
    checkMoney(data.amount, 'amount', state.currency),
    checkOptionalText(data.reason, 'reason'),
  );
  if (problem !== undefined) return refusal(problem);
  const existing = state.disputes.get(data.disputeId);
  if (existing !== undefined) {
    return existing.amount === data.amount.amount
      ? alreadyDone()
      : refuse('IDEMPOTENCY_KEY_REUSED', `dispute ${data.disputeId} had another amount`);
  }
  if (!CAPTURED_STATUSES.has(state.status)) {
    return refuse('INVALID_TRANSITION', `cannot dispute a ${state.status} payment`);
  }
  const disputable = state.capturedAmount - state.disputedAmount;
  if (data.amount.amount > disputable) {
    const message = `dispute exceeds the ${disputable} minor units not yet disputed`;
    return refuse('DISPUTE_EXCEEDS_CAPTURED', message, ['amount']);
  }
  return accept({
    type: 'DisputeOpened',
    data: {
      paymentId: state.paymentId,
      disputeId: data.disputeId,
      amount: formatMinorUnits(data.amount.amount),
      currency: state.currency,
      reason: optional(data.reason),
      openedAt: data.at,
    },
  });
}

/** Resolving with the outcome already recorded is a retry; with the other one, a refusal. */
export function decideResolveDispute(
  data: CommandData<'ResolveDispute'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const problem = checkIdentifier(data.disputeId, 'disputeId');
  if (problem !== undefined) return refusal(problem);
  if (!DISPUTE_OUTCOMES.includes(data.outcome)) {
    return refuse('INVALID_COMMAND', 'outcome must be won or lost', ['outcome']);
  }
  const dispute = state.disputes.get(data.disputeId);
  if (dispute === undefined) {
    return refuse('DISPUTE_NOT_FOUND', `no dispute ${data.disputeId}`, ['disputeId']);
  }
  const targetStatus = data.outcome === 'won' ? 'WON' : 'LOST';
  if (dispute.status === targetStatus) return alreadyDone();
  if (dispute.status !== 'OPEN') {
    return refuse('INVALID_TRANSITION', `dispute ${data.disputeId} is already ${dispute.status}`);
  }
  const resolved = {
    paymentId: state.paymentId,
    disputeId: dispute.disputeId,
    amount: formatMinorUnits(dispute.amount),
    currency: state.currency,
    resolvedAt: data.at,
  };
  return accept(
    data.outcome === 'won'
      ? { type: 'DisputeWon', data: resolved }
      : { type: 'DisputeLost', data: resolved },
  );
}
