import { PhoneNumberSet } from './phone-number-set';

// Numbers of up to 15 digits (E.164's maximum) are below 2^53, where every integer is an exact double.
const MAX_NUMERIC_DIGITS = 15;

/**
 * The E.164 numbers seen so far, for finding duplicates among up to a million recipients: each number's
 * digits as one integer in a PhoneNumberSet (flat tables outside the garbage-collected heap, a probe or two
 * per number). The Sets of strings it replaces held a million heap entries that every garbage collection
 * traced, and each lookup read the hash tables and the strings scattered over the heap (in a CPU profile, a
 * million-recipient quote spent about 1.5 s of its 14 s there, against 0.1 s of 1.6 s at 100,000). Numbers of
 * more than 15 digits (libphonenumber accepts national numbers of up to 17) go to a plain Set of strings, so
 * equal strings remain the only duplicates.
 */
export class E164NumberSet {
  private readonly numbers = new PhoneNumberSet();
  private readonly longNumbers = new Set<string>();

  /** Adds `e164` (a + and its digits); false when it was already there. */
  add(e164: string): boolean {
    const digits = digitsOf(e164);
    if (digits !== undefined) {
      return this.numbers.add(digits);
    }
    if (this.longNumbers.has(e164)) {
      return false;
    }
    this.longNumbers.add(e164);
    return true;
  }
}

/** The digits after the + as one integer; undefined unless they are 1 to 15 digits without a leading 0. */
function digitsOf(e164: string): number | undefined {
  const length = e164.length;
  if (length < 2 || length > MAX_NUMERIC_DIGITS + 1 || e164.charCodeAt(0) !== 43 /* + */) {
    return undefined;
  }
  let value = 0;
  for (let i = 1; i < length; i++) {
    const digit = e164.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9 || (digit === 0 && i === 1)) {
      return undefined;
    }
    value = value * 10 + digit;
  }
  return value;
}
