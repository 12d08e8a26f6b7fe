/**
 * PostgreSQL's jsonb cannot hold the NUL character (`\u0000`): a value carrying one (say, a GraphQL
 * argument an attacker filled with it) would make the whole insert fail. Each NUL in a string or key
 * becomes U+FFFD, the replacement character, so the rest is kept and the substitution stays visible.
 */
export function jsonbSafe(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
  }
  if (Array.isArray(value)) {
    return value.map(jsonbSafe);
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [jsonbSafe(key), jsonbSafe(inner)]));
  }
  return value;
}
