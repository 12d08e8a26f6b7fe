import { jsonbSafe } from './jsonb-safe';

describe(jsonbSafe.name, () => {
  it('should replace NUL characters in strings and keys, at any depth, and keep everything else', () => {
    const input = { 'a\u0000b': ['x\u0000', 1, null, true, { text: '\u0000\u0000' }], plain: 'ok' };
    expect(jsonbSafe(input)).toEqual({ 'a\uFFFDb': ['x\uFFFD', 1, null, true, { text: '\uFFFD\uFFFD' }], plain: 'ok' });
  });

  it('should replace unpaired surrogates in strings and keys, and keep surrogate pairs', () => {
    const input = { 'key\ud800': ['cut \ud83d', 'whole \ud83d\ude00'], text: '\udc00 alone' };
    expect(jsonbSafe(input)).toEqual({
      'key\uFFFD': ['cut \uFFFD', 'whole \ud83d\ude00'],
      text: '\uFFFD alone',
    });
  });

  it('should return values without NUL as they are', () => {
    const date = new Date('2026-12-01T00:00:00Z');
    expect(jsonbSafe('hello')).toBe('hello');
    expect(jsonbSafe(date)).toBe(date);
    expect(jsonbSafe(42)).toBe(42);
  });
});
