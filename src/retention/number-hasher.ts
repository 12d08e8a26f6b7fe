import { createHmac } from 'node:crypto';
import { HASHED_NUMBER_PREFIX } from '../persistence/retention.repository';

/**
 * The keyed hash that replaces a removed number: HMAC-SHA256 under MESSAGE_HASH_KEY, so a number can
 * still be matched (hash it with the same key: e.g. "did we ever text this number?" or a suppression
 * check) but not recovered by guessing, as a plain hash of a phone number could be.
 */
export function hashNumber(key: string, phone: string): string {
  return HASHED_NUMBER_PREFIX + createHmac('sha256', key).update(phone).digest('hex');
}
