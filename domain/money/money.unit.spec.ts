import { describe, expect, it } from 'vitest';
import type { CurrencyCode } from './index.ts';
import {
  addMoney,
  compareMoney,
  currencyExponent,
  formatDecimal,
  money,
  parseCurrencyCode,
  parseDecimal,
  parseMinorUnits,
  subtractMoney,
} from './index.ts';

function currency(code: string): CurrencyCode {
  const parsed = parseCurrencyCode(code);
  if (!parsed.ok) throw new Error(`test setup: ${code}`);
  return parsed.value;
}

const USD = currency('USD');
const JPY = currency('JPY');
const KWD = currency('KWD');

describe('currencies', () => {
  it('reads the exponent from ISO 4217', () => {
    expect(currencyExponent(JPY)).toBe(0);
    expect(currencyExponent(USD)).toBe(2);
    expect(currencyExponent(KWD)).toBe(3);
  });

  it.each(['XAU', 'XAG', 'XXX', 'XTS', 'XDR', 'CLF', 'BOV', 'ABC', 'usd', 'US', '', 'USDX'])(
    'refuses %j',
    (code) => {
      expect(parseCurrencyCode(code)).toMatchObject({
        ok: false,
        error: { code: 'UNKNOWN_CURRENCY' },
      });
    },
  );

  it('refuses a value that is not a string', () => {
    expect(parseCurrencyCode(840)).toMatchObject({ ok: false });
  });

  it('throws when a cast bypassed the parser, since the brand was a lie', () => {
    expect(() => currencyExponent('XAU' as CurrencyCode)).toThrow(/unknown currency/);
  });
});

describe('parseMinorUnits', () => {
  it.each([
    ['1', 1n],
    ['1050', 1050n],
    ['9223372036854775807', 9_223_372_036_854_775_807n],
  ])('reads %j', (text, expected) => {
    expect(parseMinorUnits(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    '0',
    '-1',
    '+1',
    '01',
    '1.0',
    '1e3',
    '1E3',
    '0x10',
    ' 1',
    '1 ',
    '',
    '1_000',
    '١٢',
    '9223372036854775808',
    '10000000000000000000',
    'NaN',
    'Infinity',
    '-0',
  ])('refuses %j as a positive amount', (text) => {
    expect(parseMinorUnits(text)).toMatchObject({ ok: false, error: { code: 'INVALID_AMOUNT' } });
  });

  it('refuses numbers, even integral ones, because they may already have lost precision', () => {
    expect(parseMinorUnits(1050)).toMatchObject({ ok: false });
    expect(parseMinorUnits(1050n)).toMatchObject({ ok: false });
  });

  it('accepts zero only when asked for non-negative amounts', () => {
    expect(parseMinorUnits('0', 'nonNegative')).toEqual({ ok: true, value: 0n });
    expect(parseMinorUnits('-1', 'nonNegative')).toMatchObject({ ok: false });
  });

  it('accepts a sign only when allowed, down to the signed 64-bit minimum', () => {
    expect(parseMinorUnits('-9223372036854775808', 'any')).toEqual({
      ok: true,
      value: -9_223_372_036_854_775_808n,
    });
    expect(parseMinorUnits('-9223372036854775809', 'any')).toMatchObject({ ok: false });
    expect(parseMinorUnits('-0', 'any')).toMatchObject({ ok: false });
  });
});

describe('parseDecimal', () => {
  it.each([
    ['10.50', 'USD', 1050n],
    ['10.5', 'USD', 1050n],
    ['10', 'USD', 1000n],
    ['0.01', 'USD', 1n],
    ['1050', 'JPY', 1050n],
    ['1.005', 'KWD', 1005n],
    ['0.5', 'KWD', 500n],
  ])('reads %j %s', (text, code, expected) => {
    expect(parseDecimal(text, code)).toEqual({
      ok: true,
      value: { amount: expected, currency: code },
    });
  });

  it.each([
    ['10.505', 'USD'],
    ['10.0', 'JPY'],
    ['1.0005', 'KWD'],
    ['10.', 'USD'],
    ['.5', 'USD'],
    ['1e2', 'USD'],
    ['1,50', 'USD'],
    ['+1.00', 'USD'],
    ['-1.00', 'USD'],
    ['0.00', 'USD'],
    ['92233720368547758.08', 'USD'],
    ['abc', 'USD'],
  ])('refuses %j %s', (text, code) => {
    expect(parseDecimal(text, code)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_AMOUNT' },
    });
  });

  it('refuses an unknown currency before looking at the amount', () => {
    expect(parseDecimal('1', 'XAU')).toMatchObject({ error: { code: 'UNKNOWN_CURRENCY' } });
  });

  it('accepts a negative amount where signs are allowed', () => {
    expect(parseDecimal('-0.05', 'USD', 'any')).toEqual({
      ok: true,
      value: { amount: -5n, currency: USD },
    });
  });

  it('refuses a float value', () => {
    expect(parseDecimal(10.5, 'USD')).toMatchObject({ ok: false });
  });
});

describe('formatDecimal', () => {
  it.each([
    [1050n, USD, '10.50'],
    [5n, USD, '0.05'],
    [0n, USD, '0.00'],
    [-5n, USD, '-0.05'],
    [1050n, JPY, '1050'],
    [1005n, KWD, '1.005'],
    [9_223_372_036_854_775_807n, USD, '92233720368547758.07'],
  ])('formats %s %s as %j', (amount, code, expected) => {
    expect(formatDecimal(money(amount, code))).toBe(expected);
  });

  it('round-trips with parseDecimal', () => {
    for (const [text, code] of [
      ['10.50', USD],
      ['7', JPY],
      ['0.125', KWD],
    ] as const) {
      const parsed = parseDecimal(text, code);
      expect(parsed.ok && formatDecimal(parsed.value)).toBe(text);
    }
  });
});

describe('arithmetic', () => {
  it('adds, subtracts and compares in one currency', () => {
    expect(addMoney(money(1n, USD), money(2n, USD))).toEqual({ ok: true, value: money(3n, USD) });
    expect(subtractMoney(money(1n, USD), money(2n, USD))).toEqual({
      ok: true,
      value: money(-1n, USD),
    });
    expect(compareMoney(money(1n, USD), money(2n, USD))).toEqual({ ok: true, value: -1 });
    expect(compareMoney(money(2n, USD), money(2n, USD))).toEqual({ ok: true, value: 0 });
    expect(compareMoney(money(3n, USD), money(2n, USD))).toEqual({ ok: true, value: 1 });
  });

  it('refuses to mix currencies', () => {
    const mismatch = { ok: false, error: { code: 'CURRENCY_MISMATCH' } };
    expect(addMoney(money(1n, USD), money(1n, JPY))).toMatchObject(mismatch);
    expect(subtractMoney(money(1n, USD), money(1n, JPY))).toMatchObject(mismatch);
    expect(compareMoney(money(1n, USD), money(1n, JPY))).toMatchObject(mismatch);
  });
});
