import { storablePrefix } from '../common/text/storable-text';

const MAX_STRING = 200;
const MAX_DEPTH = 4;
const MAX_KEYS = 30;
// Anything that could be a phone number: 6+ digits, optionally with +, spaces, dots, dashes, brackets.
const PHONE_LIKE = /\+?\d[\d\s().-]{4,}\d/g;
const PHONE_TEST = new RegExp(PHONE_LIKE.source);
const SECRET_FIELD = /token|secret|password|key$/i;
// Whole values kept as they are: ids and timestamps are digit runs too, but never phone numbers.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * What the audit log keeps of a call's arguments: ids, names and flags as given; secrets as
 * "[redacted]"; lists as their length; every digit run that could be a phone number masked to its
 * last two digits ("***23"), wherever it appears (a recipient, a name, free text). The audit log
 * must never hold a phone number in clear, and must stay small.
 */
export function auditDetails(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'number') {
    return value ?? null;
  }
  if (typeof value === 'string') {
    if (UUID.test(value) || ISO_TIME.test(value)) {
      return value;
    }
    const masked = value.replace(PHONE_LIKE, (match) => `***${match.replace(/\D/g, '').slice(-2)}`);
    return masked.length > MAX_STRING ? `${storablePrefix(masked, MAX_STRING)}…` : masked;
  }
  if (value instanceof Date) {
    // An unparseable time (`scheduledAt: "not-a-date"`) is refused by the call's validation, and the
    // refusal audited: toISOString() would throw there and lose the entry.
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  }
  if (Array.isArray(value)) {
    // Lists of short scalars (scopes, sender ids) are kept; anything longer is only counted.
    const smallScalars =
      value.length <= 10 && value.every((item) => typeof item === 'string' && !PHONE_TEST.test(item));
    return smallScalars ? value.map((item) => auditDetails(item, depth + 1)) : { count: value.length };
  }
  if (typeof value === 'object') {
    if (depth >= MAX_DEPTH) {
      return '[nested]';
    }
    const entries = Object.entries(value as Record<string, unknown>).slice(0, MAX_KEYS);
    return Object.fromEntries(
      entries.map(([field, item]) => [
        field,
        SECRET_FIELD.test(field) && item !== null && item !== undefined ? '[redacted]' : auditDetails(item, depth + 1),
      ]),
    );
  }
  // bigint, symbol, function: nothing an argument carries; kept as its type only.
  return `[${typeof value}]`;
}
