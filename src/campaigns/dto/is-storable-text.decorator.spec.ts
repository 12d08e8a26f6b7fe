import { isStorableText } from './is-storable-text.decorator';

describe(isStorableText.name, () => {
  it.each([
    ['plain text', 'Hello from the sandbox'],
    ['a phone number', '+14155552671'],
    ['an emoji (a surrogate pair)', 'hi 😀 there'],
    ['a ZWJ sequence', '👩‍💻'],
    ['the empty string', ''],
  ])('should accept %s', (_what, value) => {
    expect(isStorableText(value)).toBe(true);
  });

  it.each([
    ['a NUL byte', 'hello\u0000world'],
    ['a lone high surrogate at the end', 'hello \ud83d'],
    ['a lone low surrogate', 'a\ude00b'],
    ['two high surrogates', '\ud83d\ud83d\ude00'.slice(0, 2)],
    ['a reversed pair', '\ude00\ud83d'],
  ])('should refuse %s', (_what, value) => {
    expect(isStorableText(value)).toBe(false);
  });
});
