import type { Decision, DomainError, Refusal } from '../errors.ts';
import { domainError } from '../errors.ts';
import type { CurrencyCode, Money, SignPolicy } from '../money/index.ts';
import { checkMinorUnits, isCurrencyCode } from '../money/index.ts';
import { isInstant } from '../time.ts';
import type { PaymentEvent } from './events.ts';

/**
 * Checks shared by the payment deciders. Each returns the problem or undefined, so a decider
 * lists its checks in order and refuses with the first problem found.
 */
export type Check = DomainError | undefined;

export function firstProblem(...checks: Check[]): DomainError | undefined {
  return checks.find((check) => check !== undefined);
}

export function refusal(error: DomainError): Refusal {
  return { ok: false, error };
}

export function accept(...events: PaymentEvent[]): Decision<PaymentEvent> {
  return { ok: true, events };
}

/** The decision is already reflected in the state: nothing to append, and that is a success. */
export function alreadyDone(): Decision<PaymentEvent> {
  return { ok: true, events: [] };
}

export function checkIdentifier(value: unknown, field: string): Check {
  if (typeof value === 'string' && value.trim().length > 0) return undefined;
  return domainError('INVALID_COMMAND', `${field} must be a non-empty string`, [field]);
}

export function checkInstant(value: unknown, field: string): Check {
  if (isInstant(value)) return undefined;
  return domainError('INVALID_COMMAND', `${field} must be an ISO-8601 instant`, [field]);
}

export function checkOptionalInstant(value: unknown, field: string): Check {
  return value === undefined || value === null ? undefined : checkInstant(value, field);
}

export function checkOptionalText(value: unknown, field: string): Check {
  if (value === undefined || value === null || typeof value === 'string') return undefined;
  return domainError('INVALID_COMMAND', `${field} must be a string`, [field]);
}

/** A well-formed amount in the payment's currency (currencies never mix). */
export function checkMoney(
  value: Money,
  field: string,
  currency: CurrencyCode | undefined,
  sign: SignPolicy = 'positive',
): Check {
  if (typeof value !== 'object' || value === null || typeof value.amount !== 'bigint') {
    return domainError('INVALID_AMOUNT', `${field} must be bigint minor units`, [field]);
  }
  if (!isCurrencyCode(value.currency)) {
    return domainError('UNKNOWN_CURRENCY', `unknown currency ${String(value.currency)}`, [field]);
  }
  if (currency !== undefined && value.currency !== currency) {
    const message = `${field} is in ${value.currency}, the payment is in ${currency}`;
    return domainError('CURRENCY_MISMATCH', message, [field]);
  }
  const checked = checkMinorUnits(value.amount, sign);
  return checked.ok ? undefined : { ...checked.error, field: [field] };
}

export function optional<Value>(value: Value | null | undefined): Value | null {
  return value ?? null;
}
