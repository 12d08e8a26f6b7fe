import { CountryCode, parsePhoneNumberWithError } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/metadata.max.json';
import { loadDirectParse } from './libphonenumber-direct-parse';

const INPUTS = [
  '+14155550100',
  '(212) 555-0199',
  '07400 123456',
  '+447400123456 ext. 12',
  '+4915112345678',
  '+80012345678',
  '+12345',
  '+999123456789',
  '12',
  'not a number',
  '+1 415 555 0100 0000 0000 0000',
];

/** What a parse answers, or the error it throws, in a comparable form. */
function outcome(parse: () => { number: string; country?: string; ext?: string; isValid(): boolean }): unknown {
  try {
    const phone = parse();
    return { number: phone.number, country: phone.country, ext: phone.ext, valid: phone.isValid() };
  } catch (error) {
    return { error: (error as Error).constructor.name, message: (error as Error).message };
  }
}

describe(loadDirectParse.name, () => {
  it("should find libphonenumber-js's parse in this version of the library", () => {
    expect(loadDirectParse()).toBeDefined();
  });

  it.each([undefined, 'US', 'GB'] as Array<CountryCode | undefined>)(
    'should answer exactly as parsePhoneNumberWithError, errors included (default country %s)',
    (defaultCountry) => {
      const parse = loadDirectParse()!;
      for (const input of INPUTS) {
        const direct = outcome(() => parse(input, { defaultCountry, extract: false, v2: true }, metadata));
        const publicOne = outcome(() => parsePhoneNumberWithError(input, { defaultCountry, extract: false }, metadata));
        expect({ input, result: direct }).toEqual({ input, result: publicOne });
      }
    },
  );
});
