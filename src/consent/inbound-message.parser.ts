import type { NewInboundMessage } from '../persistence/inbound-message.repository';

// Plivo sends one SMS per callback; its text is at most 1,600 characters (10 concatenated parts).
const MAX_TEXT = 1600;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\+?[1-9]\d{5,14}$/;

export class MalformedInboundError extends Error {}

/**
 * Plivo's inbound message fields (From, To, Text, Type, MessageUUID; see docs/consent.md) as we store
 * them: numbers in E.164 with '+', the text as received. Any other field is kept in the payload.
 */
export function toInboundMessage(params: Record<string, string>): NewInboundMessage {
  const messageUuid = (params.MessageUUID ?? '').trim();
  if (!UUID.test(messageUuid)) {
    throw new MalformedInboundError('MessageUUID: missing or not a UUID');
  }
  const from = (params.From ?? '').trim();
  if (!NUMBER.test(from)) {
    throw new MalformedInboundError('From: missing or not a phone number');
  }
  const to = (params.To ?? '').trim();
  if (to === '' || to.length > 32) {
    throw new MalformedInboundError('To: missing or too long');
  }
  const text = params.Text ?? '';
  if (text.length > MAX_TEXT) {
    throw new MalformedInboundError(`Text: longer than ${MAX_TEXT} characters`);
  }
  return {
    messageUuid: messageUuid.toLowerCase(),
    from: from.startsWith('+') ? from : `+${from}`,
    to,
    text,
    type: (params.Type ?? 'sms').trim().toLowerCase() || 'sms',
    payload: params,
  };
}
