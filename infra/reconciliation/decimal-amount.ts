import type { Result } from '../../domain/errors.ts';
import { refuse, success } from '../../domain/errors.ts';
import type { CurrencyCode } from '../../domain/money/index.ts';
import { checkMinorUnits, currencyExponent, parseCurrencyCode } from '../../domain/money/index.ts';

/**
 * The domain's parseDecimal looks the currency up in the ISO 4217 table on every call; a report
 * has millions of amounts in a handful of currencies. These readers do the lookup once per
 * currency and otherwise follow parseDecimal's rules exactly (same pattern, refusing rather
 * than rounding extra digits, the same 64-bit check); a property test holds them to it.
 */
const DECIMAL_PATTERN = /^(-?)(0|[1-9][0-9]{0,18})(?:\.([0-9]{1,18}))?$/;

export type DecimalReader = (text: string) => Result<bigint>;

/**
 * The common case without BigInt arithmetic: at most 15 significant digits once scaled, which a
 * double holds exactly. Undefined sends the text to the careful reader, which also words any
 * refusal, so both paths accept and refuse exactly the same texts.
 */
function quickMinorUnits(text: string, exponent: number): number | undefined {
  const length = text.length;
  const negative = text.charCodeAt(0) === 45; // '-'
  let index = negative ? 1 : 0;
  const wholeStart = index;
  let value = 0;
  for (; index < length; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  const wholeDigits = index - wholeStart;
  if (wholeDigits === 0 || wholeDigits + exponent > 15) return undefined;
  if (wholeDigits > 1 && text.charCodeAt(wholeStart) === 48) return undefined;
  let fractionDigits = 0;
  if (index < length) {
    if (text.charCodeAt(index) !== 46) return undefined; // '.'
    for (index += 1; index < length; index += 1) {
      const digit = text.charCodeAt(index) - 48;
      if (digit < 0 || digit > 9) return undefined;
      value = value * 10 + digit;
      fractionDigits += 1;
    }
    if (fractionDigits === 0 || fractionDigits > exponent) return undefined;
  }
  for (let pad = fractionDigits; pad < exponent; pad += 1) value *= 10;
  return negative ? -value : value;
}

function readerFor(currency: CurrencyCode): DecimalReader {
  const exponent = currencyExponent(currency);
  const scale = 10n ** BigInt(exponent);
  const careful: DecimalReader = (text) => {
    const match = DECIMAL_PATTERN.exec(text);
    if (match === null)
      return refuse('INVALID_AMOUNT', 'amount must be a plain decimal such as 10.50');
    const [, minus = '', whole = '0', fraction = ''] = match;
    if (fraction.length > exponent) {
      return refuse('INVALID_AMOUNT', `${currency} has ${exponent} fraction digits at most`);
    }
    const magnitude = BigInt(whole) * scale + BigInt(fraction.padEnd(exponent, '0') || '0');
    const checked = checkMinorUnits(minus === '-' ? -magnitude : magnitude, 'any');
    return checked.ok ? success(checked.value) : checked;
  };
  return (text) => {
    const quick = quickMinorUnits(text, exponent);
    return quick === undefined ? careful(text) : success(BigInt(quick));
  };
}

/** Currency codes and their readers, looked up once per distinct spelling in a report. */
export class CurrencyTable {
  private readonly codes = new Map<string, Result<CurrencyCode>>();
  private readonly readers = new Map<CurrencyCode, DecimalReader>();

  /** Upper-cases first: Stripe writes currencies in lower case. */
  currency(text: string): Result<CurrencyCode> {
    let parsed = this.codes.get(text);
    if (parsed === undefined) {
      parsed = parseCurrencyCode(text.toUpperCase());
      // Bounded: a broken file could hold a new spelling on every row.
      if (this.codes.size < 1_000) this.codes.set(text, parsed);
    }
    return parsed;
  }

  reader(currency: CurrencyCode): DecimalReader {
    let reader = this.readers.get(currency);
    if (reader === undefined) {
      reader = readerFor(currency);
      this.readers.set(currency, reader);
    }
    return reader;
  }
}
