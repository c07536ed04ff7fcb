import type { DomainError } from '../../domain/errors.ts';
import { parseCurrencyCode, parseMinorUnits, type Money } from '../../domain/money/index.ts';

/** Money as clients send it: minor units as a decimal integer string, and an ISO 4217 code. */
export interface MoneyInput {
  amount: string;
  currency: string;
}

export type Parsed<Value> = { ok: true; value: Value } | { ok: false; error: DomainError };

export function parseMoneyInput(input: MoneyInput, field: string[]): Parsed<Money> {
  const currency = parseCurrencyCode(
    typeof input.currency === 'string' ? input.currency.toUpperCase() : input.currency,
  );
  if (!currency.ok)
    return { ok: false, error: { ...currency.error, field: [...field, 'currency'] } };
  const amount = parseMinorUnits(input.amount, 'positive');
  if (!amount.ok) return { ok: false, error: { ...amount.error, field: [...field, 'amount'] } };
  return { ok: true, value: { amount: amount.value, currency: currency.value } };
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f]/;

/** Free text from clients (references, reasons): bounded, printable, trimmed. */
export function parseText(
  value: string | null | undefined,
  field: string[],
  lengthMax: number,
): Parsed<string | null> {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value !== 'string' || value.length > lengthMax || controlCharacters.test(value)) {
    return {
      ok: false,
      error: {
        code: 'INVALID_COMMAND',
        message: `${field.at(-1)} must be printable text of at most ${lengthMax} characters`,
        field,
      },
    };
  }
  const trimmed = value.trim();
  return { ok: true, value: trimmed.length === 0 ? null : trimmed };
}

const identifierPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Ids and keys given by clients: bounded printable ASCII, safe inside a stream name. */
export function parseIdentifier(value: unknown, field: string[]): Parsed<string> {
  if (typeof value !== 'string' || !identifierPattern.test(value)) {
    return {
      ok: false,
      error: {
        code: 'INVALID_COMMAND',
        message: `${field.at(-1)} must be 1-128 characters of letters, digits, '.', '_', ':' or '-'`,
        field,
      },
    };
  }
  return { ok: true, value };
}

/** Idempotency keys may be any printable text up to 255 characters; only their hash is stored. */
export function parseIdempotencyKey(value: unknown, field: string[]): Parsed<string> {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 255 ||
    controlCharacters.test(value)
  ) {
    return {
      ok: false,
      error: {
        code: 'INVALID_COMMAND',
        message: 'idempotencyKey must be 1-255 printable characters',
        field,
      },
    };
  }
  return { ok: true, value };
}
