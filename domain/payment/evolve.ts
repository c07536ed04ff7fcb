import { assertNever, InvariantViolationError } from '../errors.ts';
import type { PaymentEvent, PaymentEventOf } from './events.ts';
import { occurredAt } from './events.ts';
import type { PaymentState, PaymentStatus } from './state.ts';
import { withDerivedAmounts } from './state.ts';

/**
 * Events are facts: evolve does not re-check business rules, it only refuses streams that
 * cannot be true (no PaymentInitiated first, an outcome for an unknown refund). A refund or
 * dispute outcome folded twice changes no amount: a duplicated append can neither refund twice
 * nor release a reservation twice.
 */
export function evolve(state: PaymentState | undefined, event: PaymentEvent): PaymentState {
  if (event.type === 'PaymentInitiated') {
    if (state !== undefined) {
      throw new InvariantViolationError(`payment ${state.paymentId} initiated twice`);
    }
    return initiate(event);
  }
  if (state === undefined) {
    throw new InvariantViolationError(`${event.type} before PaymentInitiated`);
  }
  const next = applyEvent(state, event);
  return withDerivedAmounts({ ...next, version: state.version + 1, updatedAt: occurredAt(event) });
}

export function fold(events: Iterable<PaymentEvent>): PaymentState | undefined {
  let state: PaymentState | undefined;
  for (const event of events) state = evolve(state, event);
  return state;
}

function initiate({ data }: PaymentEventOf<'PaymentInitiated'>): PaymentState {
  return withDerivedAmounts({
    paymentId: data.paymentId,
    tenantId: data.tenantId,
    status: 'INITIATED',
    amount: BigInt(data.amount),
    currency: data.currency,
    reference: data.reference,
    providerPaymentId: data.providerPaymentId,
    provider: data.provider,
    captureMode: data.captureMode,
    authorizationId: null,
    authorizationExpiresAt: data.authorizationExpiresAt,
    captureExpiresAt: null,
    authorizedAt: null,
    authorizedAmount: 0n,
    capturedAmount: 0n,
    captures: new Map(),
    refundPendingAmount: 0n,
    refundSucceededAmount: 0n,
    refunds: new Map(),
    disputeOpenAmount: 0n,
    disputeLostAmount: 0n,
    disputes: new Map(),
    settlement: null,
    settledAmount: 0n,
    feeAmount: 0n,
    closedAt: null,
    closeReason: null,
    createdAt: data.initiatedAt,
    updatedAt: data.initiatedAt,
    version: 1,
  });
}

function close(state: PaymentState, status: PaymentStatus, at: string, reason: string | null) {
  return { ...state, status, closedAt: at, closeReason: reason };
}

function applyEvent(
  state: PaymentState,
  event: Exclude<PaymentEvent, PaymentEventOf<'PaymentInitiated'>>,
): PaymentState {
  switch (event.type) {
    case 'PaymentAuthorized':
      return {
        ...state,
        status: 'AUTHORIZED',
        authorizedAmount: BigInt(event.data.amount),
        authorizationId: event.data.authorizationId,
        captureExpiresAt: event.data.captureExpiresAt,
        authorizedAt: event.data.authorizedAt,
      };
    case 'PaymentCaptured':
      return applyCapture(state, event);
    case 'PaymentVoided':
      return close(state, 'VOIDED', event.data.voidedAt, event.data.reason);
    case 'PaymentFailed':
      return close(state, 'FAILED', event.data.failedAt, event.data.reason);
    case 'PaymentExpired':
      return close(state, 'EXPIRED', event.data.expiredAt, null);
    case 'PaymentSettled':
      return applySettlement(state, event);
    case 'RefundRequested':
    case 'RefundSucceeded':
    case 'RefundFailed':
      return applyRefund(state, event);
    case 'DisputeOpened':
    case 'DisputeWon':
    case 'DisputeLost':
      return applyDispute(state, event);
    default:
      return assertNever(event, 'payment event');
  }
}

function applyCapture(state: PaymentState, { data }: PaymentEventOf<'PaymentCaptured'>) {
  if (state.captures.has(data.captureId)) return state;
  const capturedAmount = state.capturedAmount + BigInt(data.amount);
  const capture = {
    captureId: data.captureId,
    amount: BigInt(data.amount),
    capturedAt: data.capturedAt,
  };
  return {
    ...state,
    status: capturedAmount >= state.authorizedAmount ? 'CAPTURED' : 'PARTIALLY_CAPTURED',
    capturedAmount,
    captures: new Map(state.captures).set(data.captureId, capture),
  } satisfies PaymentState;
}

function applySettlement(state: PaymentState, { data }: PaymentEventOf<'PaymentSettled'>) {
  const settlement = {
    settlementId: data.settlementId,
    amount: BigInt(data.amount),
    fee: BigInt(data.fee),
    net: BigInt(data.net),
    settledAt: data.settledAt,
  };
  return {
    ...state,
    status: 'SETTLED',
    settlement,
    settledAmount: settlement.amount,
    feeAmount: settlement.fee,
  } satisfies PaymentState;
}

type RefundEvent = PaymentEventOf<'RefundRequested' | 'RefundSucceeded' | 'RefundFailed'>;

function applyRefund(state: PaymentState, event: RefundEvent): PaymentState {
  const existing = state.refunds.get(event.data.refundId);
  if (event.type === 'RefundRequested') {
    if (existing !== undefined) return state;
    const { refundId, reason, requestedAt } = event.data;
    const amount = BigInt(event.data.amount);
    const refund = {
      refundId,
      amount,
      status: 'PENDING',
      reason,
      requestedAt,
      resolvedAt: null,
    } as const;
    return {
      ...state,
      refundPendingAmount: state.refundPendingAmount + amount,
      refunds: new Map(state.refunds).set(refundId, refund),
    };
  }
  if (existing === undefined) {
    throw new InvariantViolationError(`${event.type} for unknown refund ${event.data.refundId}`);
  }
  if (existing.status !== 'PENDING') return state;
  const succeeded = event.type === 'RefundSucceeded';
  const resolvedAt = succeeded ? event.data.succeededAt : event.data.failedAt;
  const refund = { ...existing, status: succeeded ? 'SUCCEEDED' : 'FAILED', resolvedAt } as const;
  return {
    ...state,
    refundPendingAmount: state.refundPendingAmount - existing.amount,
    refundSucceededAmount: state.refundSucceededAmount + (succeeded ? existing.amount : 0n),
    refunds: new Map(state.refunds).set(existing.refundId, refund),
  };
}

type DisputeEvent = PaymentEventOf<'DisputeOpened' | 'DisputeWon' | 'DisputeLost'>;

function applyDispute(state: PaymentState, event: DisputeEvent): PaymentState {
  const existing = state.disputes.get(event.data.disputeId);
  if (event.type === 'DisputeOpened') {
    if (existing !== undefined) return state;
    const { disputeId, reason, openedAt } = event.data;
    const amount = BigInt(event.data.amount);
    const dispute = {
      disputeId,
      amount,
      status: 'OPEN',
      reason,
      openedAt,
      resolvedAt: null,
    } as const;
    return {
      ...state,
      disputeOpenAmount: state.disputeOpenAmount + amount,
      disputes: new Map(state.disputes).set(disputeId, dispute),
    };
  }
  if (existing === undefined) {
    throw new InvariantViolationError(`${event.type} for unknown dispute ${event.data.disputeId}`);
  }
  if (existing.status !== 'OPEN') return state;
  const lost = event.type === 'DisputeLost';
  const dispute = {
    ...existing,
    status: lost ? 'LOST' : 'WON',
    resolvedAt: event.data.resolvedAt,
  } as const;
  return {
    ...state,
    disputeOpenAmount: state.disputeOpenAmount - existing.amount,
    disputeLostAmount: state.disputeLostAmount + (lost ? existing.amount : 0n),
    disputes: new Map(state.disputes).set(existing.disputeId, dispute),
  };
}
