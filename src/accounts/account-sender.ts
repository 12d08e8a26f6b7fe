import { UserInputError } from '../common/errors/domain-error';

/**
 * A campaign's sender: one of the account's own sender IDs when it has any (the first by default),
 * else one of the service's (PLIVO_SENDER_ID first, then SENDER_IDS). Anything else is refused,
 * naming the field.
 */
export function chooseSender(
  requested: string | null | undefined,
  accountSenderIds: readonly string[],
  serviceSenderIds: readonly string[],
): string {
  const own = accountSenderIds.length > 0;
  const allowed = own ? accountSenderIds : serviceSenderIds;
  if (!requested) {
    return allowed[0];
  }
  if (!allowed.includes(requested)) {
    throw new UserInputError(
      'senderId',
      `unknown sender ${requested}; ${own ? "this account's" : 'configured'} senders: ${allowed.join(', ')}`,
    );
  }
  return requested;
}
