import { isStorableText } from '../text/storable-text';
import { yieldToIo } from '../async/yield-to-io';

/** A large JSON body's bytes, moved to a worker thread, and how many recipients a request may carry. */
export interface BulkJsonBodyRequest {
  bytes: Uint8Array;
  maxRecipients: number;
}

/**
 * `split`: the body parsed, its `variables.input.recipients` taken out and packed into one string
 * (`text`, each recipient ending at `ends[i]`), the body keeping an empty list in its place.
 * `fallback`: the body is not such a request (or not JSON at all); its bytes come back to be parsed
 * the usual way, so that every error reads as it always has.
 */
export type BulkJsonBodyResult =
  | { kind: 'split'; body: BulkJsonBody; byteLength: number; text: string; ends: Uint32Array }
  | { kind: 'fallback'; bytes: Uint8Array };

export interface BulkJsonBody {
  query?: unknown;
  variables: { input: { recipients: string[] } & Record<string, unknown> } & Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Runs on a worker thread (bulk-json-body.worker.ts). Decodes as body-parser does (UTF-8, a leading
 * BOM dropped), parses, and packs the recipients when each one is a string that the service could
 * store and there are at most `maxRecipients`, i.e. when GraphQL and the input's validation would
 * accept the list as it is. Anything else falls back.
 */
export function splitBulkJsonBody(request: BulkJsonBodyRequest): BulkJsonBodyResult {
  const fallback: BulkJsonBodyResult = { kind: 'fallback', bytes: request.bytes };
  const text = new TextDecoder('utf-8').decode(request.bytes);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return fallback;
  }
  const recipients = inputRecipients(body);
  if (!recipients || recipients.length === 0 || recipients.length > request.maxRecipients) {
    return fallback;
  }
  const ends = new Uint32Array(recipients.length);
  let end = 0;
  for (let i = 0; i < recipients.length; i++) {
    const recipient = recipients[i];
    if (typeof recipient !== 'string' || !isStorableText(recipient)) {
      return fallback;
    }
    end += recipient.length;
    ends[i] = end;
  }
  const packed = recipients.join('');
  (body as BulkJsonBody).variables.input.recipients = [];
  return { kind: 'split', body: body as BulkJsonBody, byteLength: request.bytes.byteLength, text: packed, ends };
}

function inputRecipients(body: unknown): unknown[] | undefined {
  if (!isPlainObject(body) || !isPlainObject(body.variables) || !isPlainObject(body.variables.input)) {
    return undefined;
  }
  const recipients = body.variables.input.recipients;
  return Array.isArray(recipients) ? (recipients as unknown[]) : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The packed recipients as strings again, a slice at a time, the event loop free between slices. Every
 * string made here lives on (the list is validated next), so each young-generation collection in the
 * loop copies them: slices of 20,000 held the event loop for up to ~100 ms at 1,000,000, of 5,000 ~30 ms.
 */
export async function unpackRecipients(text: string, ends: Uint32Array, sliceSize = 5_000): Promise<string[]> {
  // Making an array of a million takes V8 25-30 ms: a turn of its own, too.
  const recipients = new Array<string>(ends.length);
  for (let start = 0; start < ends.length; start += sliceSize) {
    await yieldToIo();
    const stop = Math.min(ends.length, start + sliceSize);
    let from = start === 0 ? 0 : ends[start - 1];
    for (let i = start; i < stop; i++) {
      recipients[i] = text.slice(from, ends[i]);
      from = ends[i];
    }
  }
  return recipients;
}
