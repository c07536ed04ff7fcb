import type { Decision } from '../errors.ts';
import { refuse } from '../errors.ts';
import { formatMinorUnits, money } from '../money/index.ts';
import { hasPassed } from '../time.ts';
import type { CommandData } from './commands.ts';
import type { PaymentEvent, PaymentEventOf } from './events.ts';
import { CAPTURE_MODES } from './events.ts';
import type { PaymentState } from './state.ts';
import {
  accept,
  alreadyDone,
  checkIdentifier,
  checkMoney,
  checkOptionalInstant,
  checkOptionalText,
  firstProblem,
  optional,
  refusal,
} from './guards.ts';

/** Same id, same data: a retry. Same id, different data: PAYMENT_ALREADY_EXISTS. */
export function decideCreate(
  data: CommandData<'CreatePayment'>,
  state: PaymentState | undefined,
): Decision<PaymentEvent> {
  const problem = firstProblem(
    checkIdentifier(data.paymentId, 'paymentId'),
    checkIdentifier(data.tenantId, 'tenantId'),
    checkMoney(data.amount, 'amount', undefined),
    checkOptionalText(data.reference, 'reference'),
    checkOptionalText(data.providerPaymentId, 'providerPaymentId'),
    checkOptionalText(data.provider, 'provider'),
    checkOptionalInstant(data.authorizationExpiresAt, 'authorizationExpiresAt'),
  );
  if (problem !== undefined) return refusal(problem);
  const captureMode = data.captureMode ?? 'manual';
  if (!CAPTURE_MODES.includes(captureMode)) {
    return refuse('INVALID_COMMAND', 'captureMode must be automatic or manual', ['captureMode']);
  }
  const initiated: PaymentEventOf<'PaymentInitiated'>['data'] = {
    paymentId: data.paymentId,
    tenantId: data.tenantId,
    amount: formatMinorUnits(data.amount.amount),
    currency: data.amount.currency,
    reference: optional(data.reference),
    providerPaymentId: optional(data.providerPaymentId),
    provider: optional(data.provider),
    captureMode,
    authorizationExpiresAt: optional(data.authorizationExpiresAt),
    initiatedAt: data.at,
  };
  if (state === undefined) return accept({ type: 'PaymentInitiated', data: initiated });
  return sameInitiation(state, initiated)
    ? alreadyDone()
    : refuse('PAYMENT_ALREADY_EXISTS', `payment ${data.paymentId} exists with other data`);
}

function sameInitiation(state: PaymentState, data: PaymentEventOf<'PaymentInitiated'>['data']) {
  return (
    state.tenantId === data.tenantId &&
    formatMinorUnits(state.amount) === data.amount &&
    state.currency === data.currency &&
    state.reference === data.reference &&
    state.providerPaymentId === data.providerPaymentId &&
    state.provider === data.provider &&
    state.captureMode === data.captureMode &&
    state.authorizationExpiresAt === data.authorizationExpiresAt
  );
}

/** Authorizes once; a repeat with the same amount and details is a retry. */
export function decideAuthorize(
  data: CommandData<'AuthorizePayment'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const amount = data.amount ?? money(state.amount, state.currency);
  const problem = firstProblem(
    checkMoney(amount, 'amount', state.currency),
    checkOptionalText(data.authorizationId, 'authorizationId'),
    checkOptionalInstant(data.captureExpiresAt, 'captureExpiresAt'),
  );
  if (problem !== undefined) return refusal(problem);
  const authorizationId = optional(data.authorizationId);
  const captureExpiresAt = optional(data.captureExpiresAt);
  if (state.authorizedAt !== null) {
    const same =
      state.authorizedAmount === amount.amount &&
      state.authorizationId === authorizationId &&
      state.captureExpiresAt === captureExpiresAt;
    return same
      ? alreadyDone()
      : refuse('INVALID_TRANSITION', 'the payment was already authorized with other data');
  }
  if (state.status !== 'INITIATED') {
    return refuse('INVALID_TRANSITION', `cannot authorize a ${state.status} payment`);
  }
  if (amount.amount > state.amount) {
    return refuse('AMOUNT_EXCEEDS_PAYMENT', 'authorization exceeds the payment', ['amount']);
  }
  if (hasPassed(state.authorizationExpiresAt, data.at)) {
    return refuse('PAYMENT_EXPIRED', 'the authorization window has passed');
  }
  return accept({
    type: 'PaymentAuthorized',
    data: {
      paymentId: state.paymentId,
      amount: formatMinorUnits(amount.amount),
      currency: state.currency,
      authorizationId,
      captureExpiresAt,
      authorizedAt: data.at,
    },
  });
}

export function decideVoid(
  data: CommandData<'VoidPayment'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const problem = checkOptionalText(data.reason, 'reason');
  if (problem !== undefined) return refusal(problem);
  if (state.status === 'VOIDED') return alreadyDone();
  if (state.status !== 'INITIATED' && state.status !== 'AUTHORIZED') {
    return refuse('INVALID_TRANSITION', `cannot void a ${state.status} payment`);
  }
  return accept({
    type: 'PaymentVoided',
    data: { paymentId: state.paymentId, reason: optional(data.reason), voidedAt: data.at },
  });
}

export function decideFail(
  data: CommandData<'FailPayment'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const problem = checkIdentifier(data.reason, 'reason');
  if (problem !== undefined) return refusal(problem);
  if (state.status === 'FAILED') return alreadyDone();
  if (state.status !== 'INITIATED') {
    return refuse('INVALID_TRANSITION', `cannot fail a ${state.status} payment`);
  }
  return accept({
    type: 'PaymentFailed',
    data: { paymentId: state.paymentId, reason: data.reason, failedAt: data.at },
  });
}

/** Only an INITIATED payment whose authorization deadline has passed (at >= deadline) expires. */
export function decideExpire(
  data: CommandData<'ExpirePayment'>,
  state: PaymentState,
): Decision<PaymentEvent> {
  if (state.status === 'EXPIRED') return alreadyDone();
  if (state.status !== 'INITIATED') {
    return refuse('INVALID_TRANSITION', `cannot expire a ${state.status} payment`);
  }
  if (!hasPassed(state.authorizationExpiresAt, data.at)) {
    return refuse('INVALID_TRANSITION', 'the authorization deadline has not passed');
  }
  return accept({
    type: 'PaymentExpired',
    data: { paymentId: state.paymentId, expiredAt: data.at },
  });
}
