import {
  CountryCode,
  ParseError,
  isSupportedCountry as isKnownCountry,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/core';
// Max metadata: the only flavour whose isValid() checks the digits per number type, not just the length.
import metadata from 'libphonenumber-js/metadata.max.json';
import { DirectParseOptions, loadDirectParse } from './libphonenumber-direct-parse';
import { installLibphonenumberPatternCache } from './libphonenumber-pattern-cache';

// Every thread that parses numbers loads this module: each gets its compiled patterns kept.
installLibphonenumberPatternCache();
const directParse = loadDirectParse();
// The options of each default country, made once (the direct parse takes them as they are).
const parseOptions = new Map<CountryCode | undefined, DirectParseOptions>();

export const RecipientRejection = {
  EMPTY: 'empty',
  INVALID: 'not a valid phone number',
  TOO_SHORT: 'not a valid phone number (too short)',
  TOO_LONG: 'not a valid phone number (too long)',
  UNKNOWN_CALLING_CODE: 'not a valid phone number (unknown country calling code)',
  EXTENSION: 'not a valid phone number (extensions cannot receive SMS)',
  NON_GEOGRAPHIC: 'not a valid phone number (non-geographic number)',
  MISSING_COUNTRY_CODE: 'missing country code (set defaultCountry)',
  DUPLICATE: 'duplicate',
} as const;

export type RecipientNumber = { ok: true; e164: string; country: string } | { ok: false; reason: string };

// libphonenumber refuses more anyway; checking first skips its regexes on junk.
const MAX_INPUT_LENGTH = 250;

/** True for ISO 3166-1 alpha-2 codes libphonenumber knows (case-insensitive), e.g. "US", "gb". */
export function isSupportedCountry(country: string): boolean {
  return isKnownCountry(country.trim().toUpperCase() as CountryCode, metadata);
}

/** Upper-cased country code; throws RangeError when unsupported (check with isSupportedCountry first). */
export function normalizeCountry(country: string): CountryCode {
  const code = country.trim().toUpperCase();
  if (!isKnownCountry(code as CountryCode, metadata)) {
    throw new RangeError(`defaultCountry: unsupported country code "${country}"`);
  }
  return code as CountryCode;
}

/** Normalises one input to E.164 and its country; `defaultCountry` must be normalised already. */
export function parseRecipientNumber(input: string, defaultCountry?: CountryCode): RecipientNumber {
  const text = input.trim();
  if (text === '') {
    return { ok: false, reason: RecipientRejection.EMPTY };
  }
  if (text.length > MAX_INPUT_LENGTH) {
    return { ok: false, reason: RecipientRejection.TOO_LONG };
  }
  try {
    const phone = directParse
      ? directParse(text, optionsFor(defaultCountry), metadata)
      : parsePhoneNumberWithError(text, { defaultCountry, extract: false }, metadata);
    if (phone.ext !== undefined) {
      return { ok: false, reason: RecipientRejection.EXTENSION };
    }
    if (!phone.isValid()) {
      return { ok: false, reason: RecipientRejection.INVALID };
    }
    if (phone.country === undefined) {
      return { ok: false, reason: RecipientRejection.NON_GEOGRAPHIC };
    }
    // Reuse the caller's string when it already is the E.164 form: one string fewer per recipient.
    return { ok: true, e164: phone.number === text ? text : phone.number, country: phone.country };
  } catch (error) {
    return { ok: false, reason: reasonFor(error, text, defaultCountry) };
  }
}

function optionsFor(defaultCountry: CountryCode | undefined): DirectParseOptions {
  let options = parseOptions.get(defaultCountry);
  if (options === undefined) {
    options = { defaultCountry, extract: false, v2: true };
    parseOptions.set(defaultCountry, options);
  }
  return options;
}

function reasonFor(error: unknown, text: string, defaultCountry: CountryCode | undefined): string {
  if (!(error instanceof ParseError)) {
    throw error;
  }
  switch (error.message) {
    case 'INVALID_COUNTRY':
      return defaultCountry === undefined && !/^[+＋]/.test(text)
        ? RecipientRejection.MISSING_COUNTRY_CODE
        : RecipientRejection.UNKNOWN_CALLING_CODE;
    case 'TOO_SHORT':
      return RecipientRejection.TOO_SHORT;
    case 'TOO_LONG':
      return RecipientRejection.TOO_LONG;
    default:
      return RecipientRejection.INVALID;
  }
}
