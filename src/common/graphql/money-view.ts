import Decimal from 'decimal.js';
import type { Money } from './money.model';

/** The one place amounts are rounded for clients: 5 decimals, half up. */
export function toMoney(amount: Decimal, currency: string): Money {
  return { amount: amount.toDecimalPlaces(5, Decimal.ROUND_HALF_UP).toNumber(), currency };
}
