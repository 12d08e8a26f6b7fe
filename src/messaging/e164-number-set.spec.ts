import { E164NumberSet } from './e164-number-set';

describe('E164NumberSet', () => {
  it('should add a number once and report it as present after that', () => {
    const seen = new E164NumberSet();

    expect(seen.add('+14155550101')).toBe(true);
    expect(seen.add('+14155550102')).toBe(true);
    expect(seen.add('+14155550101')).toBe(false);
    expect(seen.add('+14155550102')).toBe(false);
  });

  it('should tell apart numbers whose digits differ only by their count of trailing zeros', () => {
    const seen = new E164NumberSet();

    expect(seen.add('+4474001234')).toBe(true);
    expect(seen.add('+44740012340')).toBe(true);
    expect(seen.add('+447400123400')).toBe(true);
    expect(seen.add('+44740012340')).toBe(false);
  });

  it('should keep the longest E.164 numbers (15 digits) exactly', () => {
    const seen = new E164NumberSet();

    // Neighbours near 10^15: a double rounding away the last digit would make them equal.
    expect(seen.add('+999999999999998')).toBe(true);
    expect(seen.add('+999999999999999')).toBe(true);
    expect(seen.add('+999999999999998')).toBe(false);
  });

  it('should compare numbers of more than 15 digits as strings', () => {
    const seen = new E164NumberSet();

    expect(seen.add('+62812345678901234')).toBe(true);
    expect(seen.add('+62812345678901235')).toBe(true);
    expect(seen.add('+62812345678901234')).toBe(false);
    // The same leading 15 digits as a shorter number are a different number.
    expect(seen.add('+628123456789012')).toBe(true);
  });

  it('should compare anything that is not a + and digits as a string', () => {
    const seen = new E164NumberSet();

    expect(seen.add('+0123')).toBe(true);
    expect(seen.add('+123')).toBe(true);
    expect(seen.add('+0123')).toBe(false);
    expect(seen.add('123')).toBe(true);
    expect(seen.add('123')).toBe(false);
  });

  it('should give the same answers as a Set of strings beyond its expected size', () => {
    // Expecting 10 and adding 20,000 makes it grow several times; the numbers share prefixes and
    // repeat, as campaign lists do.
    const seen = new E164NumberSet();
    const reference = new Set<string>();
    let state = 12_345;
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      const bits = state >>> 8;
      const e164 = `+${['1201555', '4474001', '4915123'][(bits >>> 16) % 3]}${String(bits % 10_000).padStart(4, '0')}`;
      const expected = !reference.has(e164);
      reference.add(e164);
      if (seen.add(e164) !== expected) {
        mismatches.push(e164);
      }
    }

    expect(mismatches).toEqual([]);
    // Both answers were exercised: thousands of new numbers, thousands of repeats.
    expect(reference.size).toBeGreaterThan(10_000);
    expect(reference.size).toBeLessThan(19_000);
  });
});
