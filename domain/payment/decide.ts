import type { Decision } from '../errors.ts';
import { assertNever, refuse } from '../errors.ts';
import type { PaymentCommand } from './commands.ts';
import { decideCapture, decideSettle } from './decide-capture.ts';
import { decideOpenDispute, decideResolveDispute } from './decide-disputes.ts';
import {
  decideAuthorize,
  decideCreate,
  decideExpire,
  decideFail,
  decideVoid,
} from './decide-lifecycle.ts';
import { decideCompleteRefund, decideFailRefund, decideRequestRefund } from './decide-refunds.ts';
import type { PaymentEvent } from './events.ts';
import { checkIdentifier, checkInstant, firstProblem, refusal } from './guards.ts';
import type { PaymentState } from './state.ts';

/**
 * The payment decider: pure, total, never throws for a business reason. `state` is undefined
 * when the stream does not exist. A decision already reflected in the state answers ok with no
 * events, so retries, duplicate webhooks and replays are harmless (STYLE rule 7).
 */
export function decide(
  command: PaymentCommand,
  state: PaymentState | undefined,
): Decision<PaymentEvent> {
  const problem = firstProblem(
    checkIdentifier(command.data.paymentId, 'paymentId'),
    checkInstant(command.data.at, 'at'),
  );
  if (problem !== undefined) return refusal(problem);
  if (command.type === 'CreatePayment') return decideCreate(command.data, state);
  if (state === undefined) {
    return refuse('PAYMENT_NOT_FOUND', `no payment ${command.data.paymentId}`, ['paymentId']);
  }
  if (state.paymentId !== command.data.paymentId) {
    // The write path loads the stream by the command's id, so this is a caller mix-up.
    return refuse('INVALID_COMMAND', 'the command targets another payment', ['paymentId']);
  }
  return decideOnExisting(command, state);
}

function decideOnExisting(
  command: Exclude<PaymentCommand, { type: 'CreatePayment' }>,
  state: PaymentState,
): Decision<PaymentEvent> {
  switch (command.type) {
    case 'AuthorizePayment':
      return decideAuthorize(command.data, state);
    case 'CapturePayment':
      return decideCapture(command.data, state);
    case 'VoidPayment':
      return decideVoid(command.data, state);
    case 'FailPayment':
      return decideFail(command.data, state);
    case 'ExpirePayment':
      return decideExpire(command.data, state);
    case 'SettlePayment':
      return decideSettle(command.data, state);
    case 'RequestRefund':
      return decideRequestRefund(command.data, state);
    case 'CompleteRefund':
      return decideCompleteRefund(command.data, state);
    case 'FailRefund':
      return decideFailRefund(command.data, state);
    case 'OpenDispute':
      return decideOpenDispute(command.data, state);
    case 'ResolveDispute':
      return decideResolveDispute(command.data, state);
    default:
      return assertNever(command, 'payment command');
  }
}
