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
 * Parallel arrays (cheap to clone): e164[i] is '' for a rejected input, SAME_AS_INPUT when the input already was
 * the E.164 form (so the caller keeps its own string instead of a copy), and tags[i] is the reason or the country.
 */
export interface ParseChunkResponse {
  chunk: number;
  e164: string[];
  tags: string[];
}
