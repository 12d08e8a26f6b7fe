/**
 * Distinct valid US numbers (checked with libphonenumber): +1 415 NXX XXXX. Spread over the range
 * (37 is coprime to its size), distinct for distinct `offset + i` below 7,999,999.
 */
export function usNumbers(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+1415${2000000 + (((offset + i) * 37) % 7_999_999)}`);
}

/**
 * Distinct valid GB mobile numbers: +44 74xx xxx xxx.
 *
 * The files one Jest worker runs share its database, and an inbound reply is attributed to every
 * account that messaged the number: give each file its own `offset` range (brake.e2e once shared
 * 41,000-41,099 with opt-out.e2e's 40,000-41,999, and three STOP confirmations went to its account).
 */
export function gbNumbers(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+4474${String(10000000 + (offset + i) * 1234).slice(0, 8)}`);
}

// Kept here too: many tests import it from this module.
export { waitFor } from './wait-for';
