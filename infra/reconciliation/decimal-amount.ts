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

function readerFor(currency: CurrencyCode): DecimalReader {
  const exponent = currencyExponent(currency);
  const scale = 10n ** BigInt(exponent);
  return (text) => {
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
