import { Webhook } from 'standardwebhooks';
import { errorMeaning } from '../domain/message-error-code';
import { ClaimedDelivery } from '../persistence/webhook.repository';

/**
 * The Standard Webhooks body: `{ type, timestamp, data }`. message.final rows gain the meaning of
 * their error code here (the database stores the code only).
 */
export function webhookBody(delivery: Pick<ClaimedDelivery, 'type' | 'payload' | 'eventCreatedAt'>): string {
  let data = delivery.payload as Record<string, unknown>;
  if (delivery.type === 'message.final' && Array.isArray(data.messages)) {
    data = {
      ...data,
      messages: (data.messages as Array<Record<string, unknown>>).map((message) => ({
        ...message,
        errorMeaning: errorMeaning(message.errorCode as string | null),
      })),
    };
  }
  return JSON.stringify({ type: delivery.type, timestamp: delivery.eventCreatedAt.toISOString(), data });
}

/** `webhook-id` (the event id: the same on every retry, for the receiver's deduplication), timestamp and signature. */
export function signedHeaders(signer: Webhook, eventId: string, body: string, now: Date): Record<string, string> {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': Math.floor(now.getTime() / 1000).toString(),
    'webhook-signature': signer.sign(eventId, now, body),
  };
}
