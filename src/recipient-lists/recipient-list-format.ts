import { UserInputError } from '../common/errors/domain-error';

/** How an uploaded list is written: CSV with a header row, or one JSON object per line. */
export type RecipientListFormat = 'csv' | 'ndjson';

/** The body's format: `?format=` when given, else its Content-Type. */
export function formatOf(format: string | undefined, contentType: string | undefined): RecipientListFormat {
  const type = (format ?? contentType ?? '').split(';')[0].trim().toLowerCase();
  if (['csv', 'text/csv', 'application/csv', 'text/plain'].includes(type)) {
    return 'csv';
  }
  if (
    [
      'ndjson',
      'jsonl',
      'application/x-ndjson',
      'application/ndjson',
      'application/jsonl',
      'application/x-jsonlines',
    ].includes(type)
  ) {
    return 'ndjson';
  }
  throw new UserInputError(
    'Content-Type',
    `send text/csv or application/x-ndjson (or ?format=csv|ndjson), not "${type || 'nothing'}"`,
  );
}

/**
 * Uploads are read as they arrive, uncompressed: a gzip body used to be parsed as its compressed bytes
 * ("header: column 1's name contains a NUL byte"). Refused up front, saying what to send instead.
 */
export function assertUncompressed(contentEncoding: string | undefined): void {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    throw new UserInputError(
      'Content-Encoding',
      `send the file uncompressed: uploads do not read Content-Encoding "${encoding}"`,
    );
  }
}
