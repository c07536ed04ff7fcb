import type { Decision } from '../../errors.ts';
import type { CurrencyCode, Money } from '../../money/index.ts';
import { parseCurrencyCode } from '../../money/index.ts';
import type { PaymentCommand, PaymentCommandOf, PaymentCommandType } from '../commands.ts';
import { decide } from '../decide.ts';
import type { PaymentEvent, PaymentEventOf, PaymentEventType } from '../events.ts';
import { fold } from '../evolve.ts';
import type { PaymentState } from '../state.ts';

/** Given/when/then helpers for the payment specs: each spec owns its ids and its clock. */
export const PAYMENT_ID = 'pay_1';
const EPOCH_MS = Date.UTC(2025, 0, 1);

/** The instant `minutes` after the specs' epoch. */
export function at(minutes: number): string {
  return new Date(EPOCH_MS + minutes * 60_000).toISOString();
}

export function currency(code: string): CurrencyCode {
  const parsed = parseCurrencyCode(code);
  if (!parsed.ok) throw new Error(`test setup: unknown currency ${code}`);
  return parsed.value;
}

export const USD = currency('USD');
export const EUR = currency('EUR');

export function usd(amount: bigint): Money {
  return { amount, currency: USD };
}

export function command<Type extends PaymentCommandType>(
  type: Type,
  data: Omit<PaymentCommandOf<Type>['data'], 'paymentId' | 'at'> & { at?: string },
): PaymentCommand {
  return { type, data: { paymentId: PAYMENT_ID, at: at(10), ...data } } as PaymentCommand;
}

type EventDefaults = { [Type in PaymentEventType]: PaymentEventOf<Type>['data'] };

const base = { paymentId: PAYMENT_ID, currency: USD };

const DEFAULTS: EventDefaults = {
  PaymentInitiated: {
    ...base,
    tenantId: 'tenant_1',
    amount: '1000',
    reference: 'order-1',
    providerPaymentId: null,
    provider: 'acme',
    captureMode: 'manual',
    authorizationExpiresAt: at(60),
    initiatedAt: at(0),
  },
  PaymentAuthorized: {
    ...base,
    amount: '1000',
    authorizationId: 'auth_1',
    captureExpiresAt: at(7 * 24 * 60),
    authorizedAt: at(1),
  },
  PaymentCaptured: { ...base, captureId: 'cap_1', amount: '1000', capturedAt: at(2) },
  PaymentVoided: { paymentId: PAYMENT_ID, reason: null, voidedAt: at(3) },
  PaymentFailed: { paymentId: PAYMENT_ID, reason: 'card_declined', failedAt: at(3) },
  PaymentExpired: { paymentId: PAYMENT_ID, expiredAt: at(61) },
  PaymentSettled: {
    ...base,
    settlementId: 'set_1',
    amount: '1000',
    fee: '30',
    net: '970',
    settledAt: at(4),
  },
  RefundRequested: { ...base, refundId: 'ref_1', amount: '400', reason: null, requestedAt: at(5) },
  RefundSucceeded: { ...base, refundId: 'ref_1', amount: '400', succeededAt: at(6) },
  RefundFailed: { ...base, refundId: 'ref_1', amount: '400', reason: null, failedAt: at(6) },
  DisputeOpened: { ...base, disputeId: 'dis_1', amount: '300', reason: null, openedAt: at(5) },
  DisputeWon: { ...base, disputeId: 'dis_1', amount: '300', resolvedAt: at(6) },
  DisputeLost: { ...base, disputeId: 'dis_1', amount: '300', resolvedAt: at(6) },
};

/** An event of the catalog with sensible defaults, overridden where a spec cares. */
export function event<Type extends PaymentEventType>(
  type: Type,
  overrides: Partial<PaymentEventOf<Type>['data']> = {},
): PaymentEvent {
  return { type, data: { ...DEFAULTS[type], ...overrides } } as PaymentEvent;
}

export const initiated = (overrides = {}) => event('PaymentInitiated', overrides);
export const authorized = (overrides = {}) => event('PaymentAuthorized', overrides);
export const captured = (overrides = {}) => event('PaymentCaptured', overrides);

/** Decides `when` against the state folded from `given`. */
export function decideAfter(given: PaymentEvent[], when: PaymentCommand): Decision<PaymentEvent> {
  return decide(when, fold(given));
}

export function stateAfter(given: PaymentEvent[]): PaymentState {
  const state = fold(given);
  if (state === undefined) throw new Error('test setup: empty history');
  return state;
}
