import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../domain/money/index.ts';
import { CurrencyTable } from '../../infra/reconciliation/decimal-amount.ts';

const CODES = ['USD', 'JPY', 'KWD', 'EUR', 'BHD', 'CLP'];

const decimalText = fc.oneof(
  // What reports hold, around the quick path's 15-digit limit.
  fc.stringMatching(/^-?(0|[1-9][0-9]{0,16})(\.[0-9]{1,4})?$/),
  fc.stringMatching(/^-?[0-9]{1,21}(\.[0-9]{0,5})?$/),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map((value) => value.toString()),
  fc.string({ maxLength: 8 }),
);

describe("the report's decimal readers", () => {
  it('agree with the domain parseDecimal on every input', () => {
    const table = new CurrencyTable();
    fc.assert(
      fc.property(fc.constantFrom(...CODES), decimalText, (code, text) => {
        const currency = table.currency(code.toLowerCase());
        if (!currency.ok) throw new Error(code);
        const fast = table.reader(currency.value)(text);
        const domain = parseDecimal(text, code, 'any');
        expect(fast.ok).toBe(domain.ok);
        if (fast.ok && domain.ok) expect(fast.value).toBe(domain.value.amount);
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads per exponent: USD 2, JPY 0, KWD 3', () => {
    const table = new CurrencyTable();
    const read = (code: string, text: string) => {
      const currency = table.currency(code);
      return currency.ok ? table.reader(currency.value)(text) : currency;
    };
    expect(read('usd', '10.50')).toEqual({ ok: true, value: 1050n });
    expect(read('jpy', '1050')).toEqual({ ok: true, value: 1050n });
    expect(read('kwd', '10.5')).toEqual({ ok: true, value: 10500n });
    expect(read('jpy', '10.5')).toMatchObject({ ok: false });
    expect(read('xau', '1')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CURRENCY' } });
  });
});
