/*
 * Floor for the quote: the one piece of work no quote can skip, done the plainest way. Every number is parsed
 * and checked with libphonenumber-js (the service's own parser, max metadata) in this thread, in one synchronous
 * loop, and nothing is kept: no deduplication, no per-country counts, no prices, no yielding to the event loop.
 * Not on worker threads: two fresh workers (as sendBulk's floor uses them) took 1.9–2.2 s for 100,000 numbers
 * at load 3.5 on the 2-core VM, this loop 1.0–1.1 s in a warm process, because each worker first loads the
 * metadata and warms up its own JIT.
 */
import type { CountryCode } from 'libphonenumber-js/core';
import { parseRecipientNumber } from '../../src/messaging/recipient-number-parser';

/** How many of `inputs` are valid numbers (duplicates included). */
export function parseEveryNumber(inputs: readonly string[], defaultCountry: CountryCode): number {
  let valid = 0;
  for (const input of inputs) {
    if (parseRecipientNumber(input, defaultCountry).ok) {
      valid++;
    }
  }
  return valid;
}
