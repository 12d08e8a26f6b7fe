import { toStorableText } from '../common/text/storable-text';

/**
 * PostgreSQL's jsonb cannot hold the NUL character (`\u0000`) nor half of a surrogate pair (JSON's
 * `\ud800` escape): a value carrying one (say, a GraphQL argument an attacker filled with it, or a
 * long text cut inside an emoji) would make the whole insert fail. Each one in a string or key
 * becomes U+FFFD, the replacement character, so the rest is kept and the substitution stays visible.
 */
export function jsonbSafe(value: unknown): unknown {
  if (typeof value === 'string') {
    return toStorableText(value);
  }
  if (Array.isArray(value)) {
    return value.map(jsonbSafe);
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [jsonbSafe(key), jsonbSafe(inner)]));
  }
  return value;
}
