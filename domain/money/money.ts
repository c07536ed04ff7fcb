import type { Result } from '../errors.ts';
import { refuse, success } from '../errors.ts';
import type { CurrencyCode } from './currency.ts';

/** An amount of integer minor units (cents, yen, fils) with its currency; never a float. */
export type Money = { readonly amount: bigint; readonly currency: CurrencyCode };

export function money(amount: bigint, currency: CurrencyCode): Money {
  return { amount, currency };
}

export function sameCurrency(left: Money, right: Money): boolean {
  return left.currency === right.currency;
}

function mismatch(left: Money, right: Money) {
  return refuse('CURRENCY_MISMATCH', `cannot combine ${left.currency} with ${right.currency}`);
}

export function addMoney(left: Money, right: Money): Result<Money> {
  if (!sameCurrency(left, right)) return mismatch(left, right);
  return success(money(left.amount + right.amount, left.currency));
}

export function subtractMoney(left: Money, right: Money): Result<Money> {
  if (!sameCurrency(left, right)) return mismatch(left, right);
  return success(money(left.amount - right.amount, left.currency));
}

/** -1, 0 or 1, as Array.prototype.sort expects; refused across currencies. */
export function compareMoney(left: Money, right: Money): Result<-1 | 0 | 1> {
  if (!sameCurrency(left, right)) return mismatch(left, right);
  if (left.amount === right.amount) return success(0);
  return success(left.amount < right.amount ? -1 : 1);
}
