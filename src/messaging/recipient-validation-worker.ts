import { parentPort } from 'node:worker_threads';
import type { CountryCode } from 'libphonenumber-js/core';
import { parseRecipientNumber } from './recipient-number-parser';

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

parentPort?.on('message', ({ chunk, inputs, defaultCountry }: ParseChunkRequest) => {
  const e164: string[] = new Array<string>(inputs.length);
  const tags: string[] = new Array<string>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const parsed = parseRecipientNumber(inputs[i], defaultCountry);
    e164[i] = !parsed.ok ? '' : parsed.e164 === inputs[i] ? SAME_AS_INPUT : parsed.e164;
    tags[i] = parsed.ok ? parsed.country : parsed.reason;
  }
  parentPort?.postMessage({ chunk, e164, tags } satisfies ParseChunkResponse);
});
