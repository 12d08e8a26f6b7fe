import { validateSync } from 'class-validator';
import { isStorableText } from '../../common/text/storable-text';
import { IsStorableTextArray } from './is-storable-text.decorator';

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

class Recipients {
  @IsStorableTextArray()
  recipients: unknown;

  constructor(recipients: unknown) {
    this.recipients = recipients;
  }
}

function messages(recipients: unknown): string[] {
  return validateSync(new Recipients(recipients)).flatMap((error) => Object.values(error.constraints ?? {}));
}

describe(IsStorableTextArray.name, () => {
  it('should accept an array of storable strings, and an empty one', () => {
    expect(messages(['+14155552671', 'hi 😀'])).toEqual([]);
    expect(messages([])).toEqual([]);
  });

  it('should name the first item that is not storable', () => {
    expect(messages(['+14155552671', '+1415\u0000', '\ud83d'])).toEqual([
      'recipients[1] must not contain NUL bytes or unpaired surrogates',
    ]);
  });

  it('should name an item that is not a string', () => {
    expect(messages(['+14155552671', 42])).toEqual(['recipients[1] must be a string']);
  });

  it('should refuse what is not an array', () => {
    expect(messages('+14155552671')).toEqual(['recipients must be an array of strings']);
  });
});
