import { code as lookupIsoCurrency } from 'currency-codes';
import type { Result } from '../errors.ts';
import { InvariantViolationError, refuse, success } from '../errors.ts';

declare const currencyCodeBrand: unique symbol;

/** An ISO 4217 code that a customer can pay in; only parseCurrencyCode makes one. */
export type CurrencyCode = string & { readonly [currencyCodeBrand]: true };

/**
 * ISO 4217 also lists codes that are not tender: precious metals, bond-market and IMF units of
 * account, testing and "no currency" codes, and the funds codes (indexed or next-day units that
 * exist for accounting, not for card payments). The package does not flag them (it reports 0
 * digits for metals, where ISO says "N.A."), so they are named here.
 */
const NON_TENDER_CODES: ReadonlySet<string> = new Set([
  // precious metals
  'XAG',
  'XAU',
  'XPD',
  'XPT',
  // units of account, testing, no currency
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XDR',
  'XSU',
  'XUA',
  'XTS',
  'XXX',
  // funds codes and indexed units
  'BOV',
  'CHE',
  'CHW',
  'CLF',
  'COU',
  'MXV',
  'USN',
  'UYI',
  'UYW',
]);

const CODE_PATTERN = /^[A-Z]{3}$/;

export function isCurrencyCode(text: unknown): text is CurrencyCode {
  return (
    typeof text === 'string' &&
    CODE_PATTERN.test(text) &&
    !NON_TENDER_CODES.has(text) &&
    lookupIsoCurrency(text) !== undefined
  );
}

export function parseCurrencyCode(text: unknown): Result<CurrencyCode> {
  if (!isCurrencyCode(text)) {
    return refuse('UNKNOWN_CURRENCY', `not a tender ISO 4217 currency: ${String(text)}`);
  }
  return success(text);
}

/** Number of minor-unit digits (JPY 0, USD 2, KWD 3), from the ISO 4217 table. */
export function currencyExponent(code: CurrencyCode): number {
  const record = isCurrencyCode(code) ? lookupIsoCurrency(code) : undefined;
  if (record === undefined) {
    // The brand promises a known code; reaching here means a cast bypassed parseCurrencyCode.
    throw new InvariantViolationError(`unknown currency code behind the brand: ${code}`);
  }
  return record.digits;
}
