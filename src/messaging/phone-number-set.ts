const EMPTY = 0;
// Tables, each growing on its own: a growth rehashes 1/64 of the numbers (about 16,000 of a million, a
// fraction of a millisecond), where one table would rehash half a million at once (tens of milliseconds).
// The hash spreads numbers evenly, so tables that grew at the same fill would all grow within the same
// segment: each grows at a fill of its own, between MIN_LOAD and MAX_LOAD, which spreads the growths over
// list sizes almost twice apart.
const TABLES = 64;
// Each table starts with 8 slots, 64 bytes, which V8 keeps on its own heap: a typed array any larger gets
// a backing store outside it, and allocating 64 of those took 150–300 µs of CPU, the most of what a quote
// or a sendBulk of a few recipients spent on its duplicates. A table's first growth goes straight to
// GROWN_CAPACITY, so a large list pays those allocations once per table, as it always did.
const SMALL_CAPACITY = 8;
const GROWN_CAPACITY = 1 << 10;
const MIN_LOAD = 0.4;
const MAX_LOAD = 0.7;

/**
 * The numbers of a list seen so far, for duplicates: E.164 digits as doubles (at most 15 digits, so exact)
 * in open-addressing tables of Float64Array. A million numbers take 16–32 MB outside the JavaScript heap
 * and no garbage collection walks them; a Set of a million strings held ~80 MB on the heap, and every full
 * collection marked it all.
 */
export class PhoneNumberSet {
  private readonly tables: Float64Array[] = Array.from({ length: TABLES }, () => new Float64Array(SMALL_CAPACITY));
  private readonly counts = new Array<number>(TABLES).fill(0);
  size = 0;

  has(digits: number): boolean {
    const h = hash(digits);
    const table = this.tables[h % TABLES];
    return table[find(table, digits, h)] === digits;
  }

  /** False when it was there already. */
  add(digits: number): boolean {
    const h = hash(digits);
    const t = h % TABLES;
    const table = this.tables[t];
    const at = find(table, digits, h);
    if (table[at] === digits) {
      return false;
    }
    table[at] = digits;
    this.size++;
    // At most 70 % full: probes stay short.
    if (++this.counts[t] > table.length * (MIN_LOAD + ((MAX_LOAD - MIN_LOAD) * t) / TABLES)) {
      this.tables[t] = grown(table);
    }
    return true;
  }
}

/** The slot holding `digits`, or the empty one where it belongs (linear probing from the hash's high bits). */
function find(table: Float64Array, digits: number, h: number): number {
  const mask = table.length - 1;
  let at = Math.floor(h / TABLES) & mask;
  for (let slot = table[at]; slot !== EMPTY && slot !== digits; slot = table[at]) {
    at = (at + 1) & mask;
  }
  return at;
}

function grown(table: Float64Array): Float64Array {
  const bigger = new Float64Array(Math.max(table.length * 2, GROWN_CAPACITY));
  for (let i = 0; i < table.length; i++) {
    const digits = table[i];
    if (digits !== EMPTY) {
      bigger[find(bigger, digits, hash(digits))] = digits;
    }
  }
  return bigger;
}

/** Mixes both 32-bit halves (numbers of one range differ only in their last digits); unsigned. */
function hash(digits: number): number {
  if (!(digits > EMPTY && Number.isSafeInteger(digits))) {
    throw new RangeError(`not the digits of an E.164 number: ${digits}`);
  }
  const low = digits % 0x1_0000_0000;
  const high = (digits - low) / 0x1_0000_0000;
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}
