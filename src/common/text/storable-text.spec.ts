import { isStorableText, storablePrefix, toStorableText } from './storable-text';

describe('storable text', () => {
  it.each([
    ['plain text', 'hello', true],
    ['a surrogate pair (an emoji)', 'hi \ud83d\ude00', true],
    ['a NUL character', 'a\u0000b', false],
    ['a lone high surrogate at the end', 'hi \ud83d', false],
    ['a lone low surrogate', '\ude00 hi', false],
    ['two high surrogates in a row', '\ud83d\ud83d\ude00', false],
  ])('should tell whether %s can be stored', (_case, value, storable) => {
    expect(isStorableText(value)).toBe(storable);
  });

  it('should replace each NUL character and unpaired surrogate with U+FFFD and keep pairs', () => {
    expect(toStorableText('a\u0000b\ud800c\ud83d\ude00\udc00')).toBe('a\uFFFDb\uFFFDc\ud83d\ude00\uFFFD');
    expect(toStorableText('\ud83d\ud83d\ude00')).toBe('\uFFFD\ud83d\ude00');
  });

  it('should give back the same string when there is nothing to replace', () => {
    const value = 'spring sale \ud83c\udf38';
    expect(toStorableText(value)).toBe(value);
  });

  it('should cut before a surrogate pair the bound would split, and keep shorter text whole', () => {
    expect(storablePrefix('ab😀c', 3)).toBe('ab');
    expect(storablePrefix('ab😀c', 4)).toBe('ab😀');
    expect(storablePrefix('abc', 3)).toBe('abc');
  });
});
