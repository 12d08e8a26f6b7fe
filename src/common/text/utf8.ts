import { isUtf8 } from 'node:buffer';

/**
 * The 1-based line of the first byte sequence that is not UTF-8, or null when every byte is. A line feed
 * never occurs inside a UTF-8 sequence, so each line is checked on its own; the whole is checked first, at
 * SIMD speed, and only invalid input is walked line by line.
 */
export function firstLineNotUtf8(bytes: Uint8Array): number | null {
  if (isUtf8(bytes)) {
    return null;
  }
  let line = 1;
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    if (!isUtf8(bytes.subarray(start, end === -1 ? bytes.length : end))) {
      return line;
    }
    // Unreachable with end === -1: the whole was not UTF-8, so some line is not.
    start = end + 1;
    line++;
  }
}

/**
 * Whether a URL's query string, its %XX escapes decoded, is UTF-8. Node's querystring (Express's parser)
 * turns bytes that are not into U+FFFD without a word: "text=a%FFb" would become "a\uFFFDb" and be sent.
 */
export function isUtf8QueryString(query: string): boolean {
  return !query.includes('%') || isUtf8(percentDecoded(query));
}

/** The bytes the %XX escapes stand for; other characters as themselves (one that is not ASCII as a space). */
function percentDecoded(query: string): Uint8Array {
  const bytes = new Uint8Array(query.length);
  let length = 0;
  for (let i = 0; i < query.length; i++) {
    const code = query.charCodeAt(i);
    const hex = code === 0x25 ? query.slice(i + 1, i + 3) : '';
    if (/^[0-9a-f]{2}$/i.test(hex)) {
      bytes[length++] = Number.parseInt(hex, 16);
      i += 2;
    } else {
      bytes[length++] = code < 0x80 ? code : 0x20;
    }
  }
  return bytes.subarray(0, length);
}
