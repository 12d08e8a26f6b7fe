import { PhoneNumberSet } from './phone-number-set';

describe(PhoneNumberSet.name, () => {
  it('should hold every number added across growth, and nothing else', () => {
    const set = new PhoneNumberSet();
    // 15-digit numbers (the longest E.164) and short ones, in runs that differ only in their last digits.
    const added = Array.from({ length: 100_000 }, (_, i) =>
      i % 2 === 0 ? 999_999_999_000_000 - i : 14_155_550_000 + i,
    );
    expect(added.filter((digits) => set.add(digits)).length).toBe(added.length);
    expect(set.size).toBe(added.length);
    expect(added.filter((digits) => set.has(digits)).length).toBe(added.length);
    expect(added.filter((digits) => set.add(digits)).length).toBe(0);
    expect(set.size).toBe(added.length);
    expect(set.has(14_155_550_000 + 1_000_001)).toBe(false);
    expect(set.has(999_999_999_000_000 - 1)).toBe(false);
  });

  it('should hold a few numbers in its first small tables, and keep them through their growth', () => {
    const set = new PhoneNumberSet();
    const added = Array.from({ length: 2_000 }, (_, i) => 447_400_000_000 + i * 7);
    for (const [index, digits] of added.entries()) {
      expect(set.add(digits)).toBe(true);
      // Every number added so far is still there after each table's growth, and none twice.
      if (index === 2 || index === 300 || index === 1_999) {
        expect(added.slice(0, index + 1).every((earlier) => set.has(earlier) && !set.add(earlier))).toBe(true);
        expect(set.size).toBe(index + 1);
      }
    }
    expect(set.has(447_400_000_000 + 1)).toBe(false);
    expect(set.has(447_400_000_000 + 7 * 2_000)).toBe(false);
  });

  it('should refuse what is not the digits of a number', () => {
    const set = new PhoneNumberSet();
    expect(() => set.add(0)).toThrow(RangeError);
    expect(() => set.has(1.5)).toThrow(RangeError);
    expect(() => set.add(2 ** 53)).toThrow(RangeError);
  });
});
