/**
 * Opaque cursors for keyset pagination: base64url of "sortKey|id". A cursor that does not decode
 * is a client error, reported by the caller as BAD_USER_INPUT on `after`.
 */
export function encodeCursor(sortKey: string, id: string): string {
  return Buffer.from(`${sortKey}|${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { sortKey: string; id: string } {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const separator = decoded.lastIndexOf('|');
  if (separator <= 0 || separator === decoded.length - 1) {
    throw new InvalidCursorError(cursor);
  }
  return { sortKey: decoded.slice(0, separator), id: decoded.slice(separator + 1) };
}

export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super('after: not a cursor returned by this API');
    this.name = 'InvalidCursorError';
  }
}
