import type { CountryCode } from 'libphonenumber-js/core';

// What the validation workers and their pool exchange. Kept apart from the worker, whose import registers it as
// a message handler (a module importing the pool must not become a validation worker).

export const SAME_AS_INPUT = '=';

export interface ParseChunkRequest {
  chunk: number;
  inputs: string[];
  defaultCountry?: CountryCode;
}

/**
 * Cheap to clone: e164[i] is '' for a rejected input, SAME_AS_INPUT when the input already was the E.164 form
 * (so the caller keeps its own string instead of a copy), and tagNames[tags[i]] is the reason or the country.
 * The tags travel as indexes: a cloned array of strings arrives as one new string per item, and a million
 * copies of "GB" would stay on the heap for as long as the recipients they describe.
 */
export interface ParseChunkResponse {
  chunk: number;
  e164: string[];
  tagNames: string[];
  tags: Uint16Array;
}
