import { createHash } from 'node:crypto';
import { yieldToIo } from '../../common/async/yield-to-io';
import { SendBulkInput } from './send-bulk.input';

// Recipients are hashed in slices, so a million of them never become one 17 MB string, and the
// event loop gets a turn every few slices (a million take ~80 ms of hashing in all).
const RECIPIENTS_PER_UPDATE = 10_000;
const UPDATES_PER_TURN = 10;

/**
 * What makes two sendBulk requests the same, for an idempotency key: every field but the key, with
 * an absent optional field equal to null and an absent smartEncoding equal to false. Recipients
 * count in order, as sent.
 */
export async function sendBulkFingerprint(input: SendBulkInput): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(fingerprintFields(input)));
  for (let start = 0, updates = 0; start < input.recipients.length; start += RECIPIENTS_PER_UPDATE) {
    hash.update(JSON.stringify(input.recipients.slice(start, start + RECIPIENTS_PER_UPDATE)));
    if (++updates % UPDATES_PER_TURN === 0) {
      await yieldToIo();
    }
  }
  return hash.digest('hex');
}

/** Every field of the input but the recipients and the key, normalized (see sendBulkFingerprint). */
export function fingerprintFields(input: SendBulkInput): Record<string, unknown> {
  return {
    text: input.text,
    senderId: input.senderId ?? null,
    name: input.name ?? null,
    defaultCountry: input.defaultCountry?.toUpperCase() ?? null,
    smartEncoding: input.smartEncoding ?? false,
    maxCost: input.maxCost ?? null,
    scheduledAt: input.scheduledAt?.toISOString() ?? null,
    recipientCount: input.recipients.length,
    // Only when given, so campaigns fingerprinted before send windows existed still match.
    ...(input.sendWindow
      ? { sendWindow: [input.sendWindow.start, input.sendWindow.end, input.sendWindow.days ?? null] }
      : {}),
    // Only when given, so fingerprints of campaigns without a list stay as they were.
    ...(input.recipientListId ? { recipientListId: input.recipientListId } : {}),
  };
}
