import { UserInputError } from '../common/errors/domain-error';
import { isStorableText } from '../common/text/storable-text';

// Header names that obviously hold the phone number (compared lower-case, without spaces, dashes and underscores).
const PHONE_HEADERS = new Set([
  'phone',
  'phonenumber',
  'phoneno',
  'mobile',
  'mobilenumber',
  'mobilephone',
  'cell',
  'cellphone',
  'msisdn',
  'number',
  'tel',
  'telephone',
  'to',
  'recipient',
  'e164',
]);

const normalize = (name: string): string => name.toLowerCase().replace(/[\s_-]+/g, '');

/**
 * The index of the phone column in `header`: the `requested` name, else its 1-based number; without a
 * request, the one column whose name obviously says phone, or the only column. Anything else is a
 * BAD_USER_INPUT on `phoneColumn` listing the columns.
 */
export function resolvePhoneColumn(header: readonly string[], requested?: string): number {
  const columns = header.map((h, i) => `"${h}" (${i + 1})`).join(', ');
  if (requested !== undefined && requested !== '') {
    const byName = header.indexOf(requested);
    if (byName >= 0) {
      return byName;
    }
    if (/^\d+$/.test(requested)) {
      const number = Number(requested);
      if (number >= 1 && number <= header.length) {
        return number - 1;
      }
    }
    throw new UserInputError('phoneColumn', `no column "${requested}"; the columns are ${columns}`);
  }
  const obvious = header.flatMap((h, i) => (PHONE_HEADERS.has(normalize(h)) ? [i] : []));
  if (obvious.length === 1) {
    return obvious[0];
  }
  if (header.length === 1) {
    return 0;
  }
  throw new UserInputError(
    'phoneColumn',
    obvious.length > 1
      ? `several columns could hold the phone number; choose one with ?phoneColumn= (name or number): ${columns}`
      : `no column is obviously the phone number; choose one with ?phoneColumn= (name or number): ${columns}`,
  );
}

/** Field names a template can use: the header's names, which must be distinct and not empty. */
export function checkHeader(header: readonly string[]): void {
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name.trim() === '') {
      throw new UserInputError('header', `column ${i + 1} has no name; every column needs a header`);
    }
    if (!isStorableText(name)) {
      throw new UserInputError('header', `column ${i + 1}'s name contains a NUL byte or an unpaired surrogate`);
    }
    if (seen.has(name)) {
      throw new UserInputError('header', `column "${name}" appears twice`);
    }
    seen.add(name);
  });
}
