import { parse as parseQuery } from 'node:querystring';
import { jsonDepthWithin, MAX_JSON_FIELD_DEPTH } from '../common/text/json-depth';
import { toStorableText } from '../common/text/storable-text';
import type { PlivoSignatureParams } from '../common/plivo-signature/plivo-v3-signature';
import type { CallbackParams } from './plivo-callback';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `64kb` → 65536 (the WEBHOOK_BODY_LIMIT format: digits then b, kb or mb). */
export function parseByteSize(value: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(value.trim());
  if (!match) {
    throw new Error(`Not a byte size: ${value}`);
  }
  return Number(match[1]) * UNITS[match[2].toLowerCase()];
}

export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && /[/+]json\b/i.test(contentType);
}

/**
 * The parameters the V3 signature covers for a POST, read from the raw body: form fields as
 * received, or JSON fields as strings.
 */
export function signedBodyParams(rawBody: Buffer | undefined, contentType: string | undefined): PlivoSignatureParams {
  if (!rawBody || rawBody.length === 0) {
    return {};
  }
  const text = rawBody.toString('utf8');
  if (!isJsonContentType(contentType)) {
    return stripUndefined(parseQuery(text));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  // A field nested deeper than any report's is not Plivo's: read as no fields, which no signature matches
  // (403), as unparseable JSON is; stringifying it for the signature could overflow the stack (500).
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    !jsonDepthWithin(parsed, MAX_JSON_FIELD_DEPTH + 1)
  ) {
    return {};
  }
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    params[key] = jsonFieldAsString(value);
  }
  return params;
}

/** Query parameters of a request URL (path?query), as received. */
export function queryParams(originalUrl: string): PlivoSignatureParams {
  const index = originalUrl.indexOf('?');
  return index < 0 ? {} : stripUndefined(parseQuery(originalUrl.slice(index + 1)));
}

/**
 * One value per field (the first when a field is repeated), for what is stored once the signature has
 * been checked over the fields as received: a NUL byte or half of a surrogate pair in a name or value
 * becomes U+FFFD, so the callback is stored (PostgreSQL's text and jsonb refuse both) instead of
 * failing, with Plivo retrying it for ever and the reports written in the same statement failing too.
 */
export function flattenParams(params: PlivoSignatureParams): CallbackParams {
  const flat: CallbackParams = {};
  for (const [key, value] of Object.entries(params)) {
    flat[toStorableText(key)] = toStorableText(Array.isArray(value) ? (value[0] ?? '') : value);
  }
  return flat;
}

function jsonFieldAsString(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value);
}

function stripUndefined(parsed: Record<string, string | string[] | undefined>): PlivoSignatureParams {
  const params: PlivoSignatureParams = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value !== undefined) {
      params[key] = value;
    }
  }
  return params;
}
