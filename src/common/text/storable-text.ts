// PostgreSQL's text and jsonb cannot hold a NUL character, and half of a surrogate pair is not a
// character at all: jsonb refuses its escape, text would get U+FFFD, the provider would send U+FFFD.
const SURROGATE = /[\ud800-\udfff]/;
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNPAIRED_SURROGATES = new RegExp(UNPAIRED_SURROGATE.source, 'g');
const REPLACEMENT = '\uFFFD';

/** True when the string holds neither a NUL character nor an unpaired surrogate. */
export function isStorableText(value: string): boolean {
  // Most strings hold no surrogate at all, and that cheap test is all a million recipients pay.
  return !value.includes('\u0000') && (!SURROGATE.test(value) || !UNPAIRED_SURROGATE.test(value));
}

/**
 * The string with each NUL character and each unpaired surrogate replaced by U+FFFD, the replacement
 * character: for what is kept as a record of bad input (a rejected row, an audit entry), where the rest
 * must be stored and the substitution stay visible. The same string when there is nothing to replace.
 */
export function toStorableText(value: string): string {
  if (isStorableText(value)) {
    return value;
  }
  return value.replaceAll('\u0000', REPLACEMENT).replace(UNPAIRED_SURROGATES, REPLACEMENT);
}

/** The first `maxLength` UTF-16 units of `text`, one fewer when the cut would keep half of a surrogate pair. */
export function storablePrefix(text: string, maxLength: number): string {
  if (text.length <= maxLength) {
    return text;
  }
  const last = text.charCodeAt(maxLength - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? maxLength - 1 : maxLength);
}
