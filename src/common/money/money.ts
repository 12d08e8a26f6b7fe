import DecimalJs from 'decimal.js';

// A private clone: 40 significant digits (rates have 5 decimals, totals reach billions) and half-up
// rounding, unaffected by anyone calling Decimal.set() on the shared constructor.
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = DecimalJs;
export type DecimalInput = string | number | DecimalJs;

export interface Money {
  amount: Decimal;
  currency: string;
}

/** Plivo quotes rates with 5 decimals; we display and store amounts with the same precision. */
export const MONEY_DECIMALS = 5;

/** Exact conversion; numbers go through their shortest string form, so 0.1 stays 0.1. */
export function toDecimal(value: DecimalInput): Decimal {
  let decimal: Decimal;
  try {
    decimal = new Decimal(value);
  } catch {
    throw new RangeError(`not a decimal amount: ${String(value)}`);
  }
  if (!decimal.isFinite()) {
    throw new RangeError(`not a finite amount: ${String(value)}`);
  }
  return decimal;
}

/** rate × units × recipients, exactly (e.g. price per segment × segments per message × recipients). */
export function multiplyRate(rate: DecimalInput, units: number, recipients: number): Decimal {
  assertCount('units', units);
  assertCount('recipients', recipients);
  return toDecimal(rate).times(units).times(recipients);
}

export function sumDecimals(values: Iterable<DecimalInput>): Decimal {
  let total = new Decimal(0);
  for (const value of values) {
    total = total.plus(toDecimal(value));
  }
  return total;
}

/** Rounds half-up to 5 decimals, once, at the edge (GraphQL Float): never compute with the result. */
export function roundForDisplay(value: DecimalInput): number {
  return toDecimal(value).toDecimalPlaces(MONEY_DECIMALS, Decimal.ROUND_HALF_UP).toNumber() + 0;
}

/** "0.03850": always 5 decimals, half-up, never "-0.00000". */
export function formatAmount(value: DecimalInput): string {
  const rounded = toDecimal(value).toDecimalPlaces(MONEY_DECIMALS, Decimal.ROUND_HALF_UP);
  return (rounded.isZero() ? rounded.abs() : rounded).toFixed(MONEY_DECIMALS);
}

/**
 * "0.04660", "0.046599": at least 5 decimals and every further digit the amount has, never rounded, so two
 * different amounts never print alike. For messages comparing amounts (an estimate that exceeds maxCost).
 */
export function formatExactAmount(value: DecimalInput): string {
  const decimal = toDecimal(value);
  return (decimal.isZero() ? decimal.abs() : decimal).toFixed(Math.max(MONEY_DECIMALS, decimal.decimalPlaces()));
}

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}
