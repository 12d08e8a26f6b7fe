import { createHash } from 'node:crypto';
import { SendBulkInput } from './send-bulk.input';

/**
 * What makes two sendBulk requests the same, for an idempotency key: every field but the key, with
 * an absent optional field equal to null and an absent smartEncoding equal to false. Recipients
 * count in order, as sent.
 */
export function sendBulkFingerprint(input: SendBulkInput): string {
  const canonical = {
    recipients: input.recipients,
    text: input.text,
    senderId: input.senderId ?? null,
    name: input.name ?? null,
    defaultCountry: input.defaultCountry?.toUpperCase() ?? null,
    smartEncoding: input.smartEncoding ?? false,
    maxCost: input.maxCost ?? null,
    scheduledAt: input.scheduledAt?.toISOString() ?? null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
