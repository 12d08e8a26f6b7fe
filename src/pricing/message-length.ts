import type { SegmentCount } from './segment-counter';

export type MessageLengthCheck = { ok: true } | { ok: false; limit: string };

export const MAX_GSM7_CHARACTERS = 1_600;
export const MAX_UCS2_CHARACTERS = 737;
export const MAX_SEGMENTS = 11;
// We follow Plivo's documented limits only. An earlier UTF-8 byte bound (737 bytes) rested on one unconfirmed
// report (plivo-python#298) and capped Cyrillic at 368 and CJK at 245 characters; the lead dropped it. Counting
// UTF-16 units rather than graphemes is the conservative part we keep: an emoji is two of Plivo's characters.

const BLANK = /^[\s\p{Cf}]*$/u;

/** Conservative local check of Plivo's length limits on the text that will be sent (`count.text`). */
export function checkMessageLength(count: SegmentCount): MessageLengthCheck {
  const fail = (limit: string): MessageLengthCheck => ({ ok: false, limit });
  if (BLANK.test(count.text)) {
    return fail('text is empty or only whitespace');
  }
  if (count.encoding === 'GSM7') {
    if (count.characters > MAX_GSM7_CHARACTERS) {
      return fail(
        `text is ${n(count.characters)} GSM-7 characters; Plivo's limit is ${n(MAX_GSM7_CHARACTERS)} GSM-7 characters (${MAX_UCS2_CHARACTERS} for UCS-2)`,
      );
    }
  } else {
    // UTF-16 units, not graphemes: an emoji takes two of Plivo's "unicode characters".
    const units = Math.max(count.text.length, count.characters);
    if (units > MAX_UCS2_CHARACTERS) {
      return fail(
        `text is ${n(units)} UCS-2 characters; Plivo's limit is ${MAX_UCS2_CHARACTERS} UCS-2 characters (${n(MAX_GSM7_CHARACTERS)} for GSM-7)`,
      );
    }
  }
  if (count.segments > MAX_SEGMENTS) {
    return fail(
      `text needs ${count.segments} segments; Plivo's limit is ${MAX_SEGMENTS} segments (${n(MAX_GSM7_CHARACTERS)} GSM-7 or ${MAX_UCS2_CHARACTERS} UCS-2 characters)`,
    );
  }
  return { ok: true };
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}
