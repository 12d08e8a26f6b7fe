import { jsonDepthWithin } from './json-depth';

describe(jsonDepthWithin.name, () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) {
      value = i % 2 === 0 ? [value] : { v: value };
    }
    return value;
  };

  it('should count arrays and objects as levels, scalars as none', () => {
    expect(jsonDepthWithin('text', 0)).toBe(true);
    expect(jsonDepthWithin(null, 0)).toBe(true);
    expect(jsonDepthWithin([], 0)).toBe(false);
    expect(jsonDepthWithin(nested(3), 3)).toBe(true);
    expect(jsonDepthWithin(nested(4), 3)).toBe(false);
    expect(jsonDepthWithin({ a: 1, b: [1, { c: 2 }] }, 3)).toBe(true);
    expect(jsonDepthWithin({ a: 1, b: [1, { c: [] }] }, 3)).toBe(false);
  });

  it('should walk a value nested far deeper than the stack allows without overflowing it', () => {
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)) as unknown;
    expect(jsonDepthWithin(deep, 32)).toBe(false);
  });
});
