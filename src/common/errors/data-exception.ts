import { sqlstateOf } from './sqlstate';

/**
 * The SQLSTATE of a PostgreSQL data exception (class 22: a NUL byte in text, a number or date out of
 * range…) behind an error from Prisma, its driver adapter or the pg driver; null for anything else.
 * Such an error means a value from the request could not be stored: a client error, not a crash.
 */
export function dataExceptionCode(error: unknown): string | null {
  const code = sqlstateOf(error);
  return code?.startsWith('22') ? code : null;
}
