import SmartEncodingMap from 'sms-segments-calculator/dist/libs/SmartEncodingMap';
import { measureText } from './segment-packing';

export type SmsEncoding = 'GSM7' | 'UCS2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** User-perceived length for the encoding: GSM-7 septets (extension characters count 2), or UCS-2 graphemes. */
  characters: number;
  segments: number;
  /** The text that would be sent: smart-encoded when asked. */
  text: string;
  /** Distinct characters (graphemes) forcing UCS-2, in order of first appearance. */
  unicodeCharacters: string[];
  /** Segments saved by smart encoding (negative when it lengthens a message that stays UCS-2); 0 when not asked. */
  smartEncodingSavedSegments: number;
}

export interface CountSegmentsOptions {
  smartEncoding?: boolean;
}

// The calculator splits graphemes with an O(n²) concat (20k characters take ~0.4 s, 50k ~5 s), so we
// refuse to count anything far beyond Plivo's largest message (1,600 UTF-16 units at most) instead of
// letting a huge input block the event loop.
export const MAX_COUNTABLE_LENGTH = 5_000;

export class TextTooLongToCountError extends Error {
  constructor(readonly length: number) {
    super(
      `text is ${length.toLocaleString('en-US')} characters; Plivo's limit is 1,600 GSM-7 characters (737 for UCS-2)`,
    );
    this.name = 'TextTooLongToCountError';
  }
}

/**
 * Counts SMS segments as Twilio's open-source calculator (sms-segments-calculator 1.3.0) does, with our own
 * fast counter (segment-packing.ts; proven equal to the calculator in segment-counter.spec.ts). A calculator
 * behaviour we keep on purpose (see the spec): NBSP smart-encodes to two spaces. One we do not: a grapheme
 * longer than a segment (e.g. 'a' + 200 combining marks) is split at code units, as Plivo bills it.
 */
export function countSegments(text: string, options: CountSegmentsOptions = {}): SegmentCount {
  assertCountable(text.length);
  if (!options.smartEncoding) {
    return { ...measure(text), smartEncodingSavedSegments: 0 };
  }
  const encoded = smartEncode(text);
  assertCountable(encoded.length);
  const result = measure(encoded);
  const plain = encoded === text ? result : measure(text);
  return { ...result, smartEncodingSavedSegments: plain.segments - result.segments };
}

/** Replaces look-alike Unicode with GSM-7 equivalents, code point by code point, as the calculator does. */
export function smartEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const replacement = SmartEncodingMap[char];
    out += replacement === undefined ? char : replacement;
  }
  return out;
}

function measure(text: string): Omit<SegmentCount, 'smartEncodingSavedSegments'> {
  const { encoding, characters, segments, unicodeCharacters } = measureText(text);
  return { encoding, characters, segments, text, unicodeCharacters };
}

function assertCountable(length: number): void {
  if (length > MAX_COUNTABLE_LENGTH) {
    throw new TextTooLongToCountError(length);
  }
}
