/** Every event a customer endpoint can subscribe to (docs/results.md describes their payloads). */
export const WEBHOOK_EVENT_TYPES = [
  'campaign.started',
  'campaign.paused',
  'campaign.resumed',
  'campaign.completed',
  'campaign.cancelled',
  'campaign.failed',
  'campaign.settled',
  'message.final',
  'recipient.opted_out',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
