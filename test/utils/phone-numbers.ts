/**
 * Distinct valid US numbers (checked with libphonenumber): +1 415 NXX XXXX. Spread over the range
 * (37 is coprime to its size), distinct for distinct `offset + i` below 7,999,999.
 */
export function usNumbers(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+1415${2000000 + (((offset + i) * 37) % 7_999_999)}`);
}

/**
 * Distinct valid GB mobile numbers: +44 74xx xxx xxx, distinct for distinct `offset + i` below 45,000,000
 * (1,234 times it, modulo the 90,000,000 eight-digit subscriber numbers from 10,000,000; the factor's odd
 * part is coprime to the modulus). Below 72,934 the product never wraps.
 *
 * The files one Jest worker runs share its database, and an inbound reply is attributed to every
 * account that messaged the number: give each file its own `offset` range (brake.e2e once shared
 * 41,000-41,099 with opt-out.e2e's 40,000-41,999, and three STOP confirmations went to its account).
 */
export function gbNumbers(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+4474${10_000_000 + (((offset + i) * 1234) % 90_000_000)}`);
}

// Kept here too: many tests import it from this module.
export { waitFor } from './wait-for';
