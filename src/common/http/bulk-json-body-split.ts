import { isUtf8 } from 'node:buffer';
import { isStorableText } from '../text/storable-text';
import { yieldToIo } from '../async/yield-to-io';

/** A large JSON body's bytes, moved to a worker thread, and how many recipients a request may carry. */
export interface BulkJsonBodyRequest {
  bytes: Uint8Array;
  maxRecipients: number;
}

/**
 * A list of recipients as one text, recipient i ending at `ends[i]` (in UTF-16 code units). The text is
 * Latin-1 bytes when every character fits in one, which is every list of phone numbers: a buffer is moved
 * between threads, where a string of 12 MB (a million numbers) was copied on arrival, in one turn of the
 * event loop of ~45 ms here, most of it the kernel faulting in the copy's fresh pages. Otherwise a string.
 */
export interface PackedRecipients {
  text: Uint8Array | string;
  ends: Uint32Array;
}

/**
 * `split`: the body parsed, its `variables.input.recipients` taken out and packed (`recipients`), the body
 * keeping an empty list in their place.
 * `fallback`: the body is not such a request (or not JSON at all); its bytes come back to be parsed
 * the usual way, so that every error reads as it always has.
 */
export type BulkJsonBodyResult =
  | { kind: 'split'; body: BulkJsonBody; byteLength: number; recipients: PackedRecipients }
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
  if (!isUtf8(request.bytes)) {
    // Not UTF-8: body-parser's pass refuses it, naming the body.
    return fallback;
  }
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
  const packed = latin1Bytes(recipients as string[], end) ?? (recipients as string[]).join('');
  (body as BulkJsonBody).variables.input.recipients = [];
  return {
    kind: 'split',
    body: body as BulkJsonBody,
    byteLength: request.bytes.byteLength,
    recipients: { text: packed, ends },
  };
}

/**
 * The strings one after another as Latin-1 bytes, in a buffer of their own (to be moved), or undefined when
 * a character is past U+00FF. Written code unit by code unit: joining a million strings first took
 * 160-300 ms here, this loop ~40 ms.
 */
function latin1Bytes(strings: readonly string[], length: number): Uint8Array | undefined {
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const text of strings) {
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit > 0xff) {
        return undefined;
      }
      bytes[at++] = unit;
    }
  }
  return bytes;
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
 * Latin-1 bytes are decoded a slice at a time too: the whole list as one string would be a copy of 12 MB
 * at 1,000,000, in fresh pages, which took 7-46 ms in one go here.
 */
export async function unpackRecipients({ text, ends }: PackedRecipients, sliceSize = 5_000): Promise<string[]> {
  // Making an array of a million takes V8 25-30 ms: a turn of its own, after the one the list arrived in.
  await yieldToIo();
  const recipients = new Array<string>(ends.length);
  const bytes = typeof text === 'string' ? undefined : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  for (let start = 0; start < ends.length; start += sliceSize) {
    await yieldToIo();
    const stop = Math.min(ends.length, start + sliceSize);
    const sliceStart = start === 0 ? 0 : ends[start - 1];
    const sliceText = bytes ? bytes.toString('latin1', sliceStart, ends[stop - 1]) : (text as string);
    const offset = bytes ? sliceStart : 0;
    let from = sliceStart;
    for (let i = start; i < stop; i++) {
      recipients[i] = sliceText.slice(from - offset, ends[i] - offset);
      from = ends[i];
    }
  }
  return recipients;
}
