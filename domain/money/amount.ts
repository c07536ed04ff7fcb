import type { Result } from '../errors.ts';
import { refuse, success } from '../errors.ts';
import { currencyExponent, parseCurrencyCode } from './currency.ts';
import type { Money } from './money.ts';

/** Amounts travel as signed 64-bit integers of minor units (Postgres int8, most providers). */
export const MINOR_UNITS_MAX = 9_223_372_036_854_775_807n;
export const MINOR_UNITS_MIN = -9_223_372_036_854_775_808n;

/** Which signs an amount may have where it is parsed; most amounts must be strictly positive. */
export type SignPolicy = 'positive' | 'nonNegative' | 'any';

// No '+', no leading zeros, at most 19 digits: one canonical spelling per value.
const MINOR_UNITS_PATTERN = /^-?(?:0|[1-9][0-9]{0,18})$/;
const DECIMAL_PATTERN = /^(-?)(0|[1-9][0-9]{0,18})(?:\.([0-9]{1,18}))?$/;

export function checkMinorUnits(value: bigint, sign: SignPolicy): Result<bigint> {
  if (value > MINOR_UNITS_MAX || value < MINOR_UNITS_MIN) {
    return refuse('INVALID_AMOUNT', 'amount does not fit a signed 64-bit integer');
  }
  if (sign === 'positive' && value <= 0n) {
    return refuse('INVALID_AMOUNT', 'amount must be greater than zero');
  }
  if (sign === 'nonNegative' && value < 0n) {
    return refuse('INVALID_AMOUNT', 'amount must not be negative');
  }
  return success(value);
}

/** "1050" → 1050n. Strict: an integer string only, never a number or a float spelling. */
export function parseMinorUnits(text: unknown, sign: SignPolicy = 'positive'): Result<bigint> {
  if (typeof text !== 'string' || !MINOR_UNITS_PATTERN.test(text) || text === '-0') {
    return refuse('INVALID_AMOUNT', 'amount must be an integer string of minor units');
  }
  if (text.startsWith('-') && sign !== 'any') {
    return refuse('INVALID_AMOUNT', 'amount must not be negative');
  }
  return checkMinorUnits(BigInt(text), sign);
}

/** "10.50" USD → 1050n. More fraction digits than the currency has is refused, not rounded. */
export function parseDecimal(
  text: unknown,
  currencyText: string,
  sign: SignPolicy = 'positive',
): Result<Money> {
  const currency = parseCurrencyCode(currencyText);
  if (!currency.ok) return currency;
  const match = typeof text === 'string' ? DECIMAL_PATTERN.exec(text) : null;
  if (match === null) {
    return refuse('INVALID_AMOUNT', 'amount must be a plain decimal such as 10.50');
  }
  const [, minus = '', whole = '0', fraction = ''] = match;
  const exponent = currencyExponent(currency.value);
  if (fraction.length > exponent) {
    return refuse('INVALID_AMOUNT', `${currency.value} has ${exponent} fraction digits at most`);
  }
  if (minus === '-' && sign !== 'any') {
    return refuse('INVALID_AMOUNT', 'amount must not be negative');
  }
  const magnitude =
    BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  const checked = checkMinorUnits(minus === '-' ? -magnitude : magnitude, sign);
  if (!checked.ok) return checked;
  return success({ amount: checked.value, currency: currency.value });
}

/** 1050n USD → "10.50"; 1050n JPY → "1050"; -5n KWD → "-0.005". */
export function formatDecimal(money: Money): string {
  const exponent = currencyExponent(money.currency);
  const negative = money.amount < 0n;
  const digits = (negative ? -money.amount : money.amount).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/** The event payload spelling of an amount: the minor-unit integer as a string. */
export function formatMinorUnits(amount: bigint): string {
  return amount.toString();
}
