export type { CurrencyCode } from './currency.ts';
export { currencyExponent, isCurrencyCode, parseCurrencyCode } from './currency.ts';
export type { Money } from './money.ts';
export { addMoney, compareMoney, money, sameCurrency, subtractMoney } from './money.ts';
export type { SignPolicy } from './amount.ts';
export {
  checkMinorUnits,
  formatDecimal,
  formatMinorUnits,
  MINOR_UNITS_MAX,
  MINOR_UNITS_MIN,
  parseDecimal,
  parseMinorUnits,
} from './amount.ts';
