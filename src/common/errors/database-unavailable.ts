import { sqlstateOf } from './sqlstate';

// Prisma's driver adapter's kinds for a database that cannot be reached or let go of the connection.
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TlsConnectionError',
]);
// Prisma's: can't reach (P1001), timed out (P1002), closed the connection (P1017), no pooled connection in time (P2024).
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024']);

/**
 * Whether an error says the database is not answering (unreachable, restarting, out of connections) rather
 * than that the request was wrong: the client should hear 503 and retry, not a 500 with an error id.
 * Raw socket codes (ECONNREFUSED) are left out: the SMS provider's connections fail with them too.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) {
    return false;
  }
  const record = error as Record<string, unknown>;
  if (typeof record.kind === 'string' && UNAVAILABLE_KINDS.has(record.kind)) {
    return true;
  }
  if (typeof record.code === 'string' && UNAVAILABLE_PRISMA_CODES.has(record.code)) {
    return true;
  }
  // Connection exceptions (08), admin or crash shutdown and "cannot connect now" (57P01-57P03), too many connections.
  const sqlstate = sqlstateOf(error);
  if (sqlstate !== null && (sqlstate.startsWith('08') || /^57P0[123]$/.test(sqlstate) || sqlstate === '53300')) {
    return true;
  }
  const meta = record.meta as Record<string, unknown> | undefined;
  return [record.cause, meta?.driverAdapterError].some((inner) => isDatabaseUnavailable(inner, depth + 1));
}

export const DATABASE_UNAVAILABLE_MESSAGE = 'the database is not answering; retry shortly';
/** The Retry-After of a 503. */
export const RETRY_UNAVAILABLE_AFTER_SECONDS = 5;
