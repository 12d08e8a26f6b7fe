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
