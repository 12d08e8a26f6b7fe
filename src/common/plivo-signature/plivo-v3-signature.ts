import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';

export type PlivoSignatureMethod = 'GET' | 'POST';
export type PlivoSignatureParams = Record<string, string | string[]>;

export interface VerifyPlivoV3Input {
  method: PlivoSignatureMethod;
  /** The exact public URL Plivo called (scheme, host, port, path and query). */
  url: string;
  nonce: string;
  /** `X-Plivo-Signature-V3` or `X-Plivo-Signature-Ma-V3`; may hold several comma-separated signatures. */
  signatureHeader: string;
  /** Every secret currently accepted (rotation: old and new). */
  secrets: readonly string[];
  /** Form fields (POST) or callback query params (GET), as strings. */
  params: PlivoSignatureParams;
}

/** Computes the V3 signature exactly as `plivo.validateV3Signature` (plivo-node 4.79) recomputes it. */
export function signPlivoV3(
  method: PlivoSignatureMethod,
  url: string,
  nonce: string,
  secret: string,
  params: PlivoSignatureParams = {},
): string {
  return createHmac('sha256', secret)
    .update(`${plivoV3SignedString(method, url, params)}.${nonce}`)
    .digest('base64');
}

/** The string the HMAC covers (before `.nonce`): see docs plivo.md §C. */
export function plivoV3SignedString(method: PlivoSignatureMethod, url: string, params: PlivoSignatureParams): string {
  const { base, query } = splitUrl(url);
  let signed = base;
  if (method === 'GET') {
    for (const [key, value] of Object.entries(params)) {
      query[key] = (query[key] ?? []).concat(value);
    }
    const qs = sortedPairs(query, '=', '&');
    return qs ? `${signed}?${qs}` : signed;
  }
  const qs = sortedPairs(query, '=', '&');
  const hasBody = Object.keys(params).length > 0;
  if (qs || hasBody) {
    signed += `?${qs}`;
  }
  if (qs && hasBody) {
    signed += '.';
  }
  return signed + sortedPairs(params, '', '');
}

/** Constant-time check of a V3 (or Ma-V3) header against every secret; no V2 fallback. */
export function verifyPlivoV3(input: VerifyPlivoV3Input): boolean {
  const candidates = input.signatureHeader
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => Buffer.from(part, 'utf8'));
  if (candidates.length === 0 || input.secrets.length === 0) {
    return false;
  }
  let matched = false;
  for (const secret of input.secrets) {
    if (!secret) {
      continue;
    }
    const expected = Buffer.from(signPlivoV3(input.method, input.url, input.nonce, secret, input.params), 'utf8');
    for (const candidate of candidates) {
      // No early exit: every pair is compared so timing does not reveal which one matched.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
        matched = true;
      }
    }
  }
  return matched;
}

/**
 * `key<kv>value` pairs, keys sorted and each key's values sorted, joined by `pairSeparator`. Built in
 * one string, not with flatMap/concat/join: on the webhook's path this ran per report, and the
 * intermediate arrays made it 6 times dearer (12 µs against 2 µs for a delivery report's 19 fields).
 */
function sortedPairs(map: PlivoSignatureParams, keyValueSeparator: string, pairSeparator: string): string {
  let signed = '';
  let first = true;
  for (const key of Object.keys(map).sort()) {
    const value = map[key];
    const values = typeof value === 'string' ? [value] : value.map(String).sort();
    for (const item of values) {
      signed += (first ? '' : pairSeparator) + key + keyValueSeparator + item;
      first = false;
    }
  }
  return signed;
}

// Mirrors the SDK's uri-parser + build-url: host case and an explicit port are kept, user info is dropped.
const URL_PATTERN = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?/i;

function splitUrl(url: string): { base: string; query: Record<string, string[]> } {
  const match = URL_PATTERN.exec(url);
  if (!match) {
    throw new TypeError(`Not an absolute URL: ${url}`);
  }
  const [, scheme, authority, path, rawQuery = ''] = match;
  const query: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parseQuery(rawQuery))) {
    if (value !== undefined) {
      query[key] = ([] as string[]).concat(value);
    }
  }
  return { base: `${scheme}://${authority}${path}`, query };
}
