import { toMoney } from '../common/graphql/money-view';
import { CampaignRecord } from '../domain/campaign.record';
import type { SendingHoldsService } from '../quiet-hours/sending-holds.service';
import { FINAL_CAMPAIGN_STATUSES } from '../domain/campaign-status.enum';
import { MessageRecord } from '../domain/message.record';
import { CampaignProgress } from './models/campaign-progress.model';
import { Campaign } from './models/campaign.model';
import { Message } from './models/message.model';

/** A Campaign as GraphQL sees it, carrying its record for the field resolvers. */
export class CampaignView extends Campaign {
  record!: CampaignRecord;
}

export function toCampaignView(record: CampaignRecord): CampaignView {
  return Object.assign(new CampaignView(), {
    id: record.id,
    name: record.name,
    status: record.status,
    statusReason: record.statusReason,
    text: record.text,
    senderId: record.senderId,
    encoding: record.encoding,
    segmentsPerMessage: record.segmentsPerMessage,
    createdAt: record.createdAt,
    scheduledAt: record.scheduledAt,
    completedAt: record.completedAt,
    rejectedRecipientCount: record.rejectedCount,
    estimatedCost: toMoney(record.estimatedCost, record.currency),
    maxCost: record.maxCost ? toMoney(record.maxCost, record.currency) : null,
    record,
  });
}

export function toCampaignProgress(
  record: CampaignRecord,
  estimatedCompletionAt: Date | null,
  holds: { waitingForWindow: number; heldByBrake: number } = { waitingForWindow: 0, heldByBrake: 0 },
): CampaignProgress {
  return {
    campaignId: record.id,
    status: record.status,
    statusReason: record.statusReason,
    total: record.total,
    pending: record.pending,
    submitted: record.submitted,
    queued: record.queued,
    sent: record.sent,
    delivered: record.delivered,
    undelivered: record.undelivered,
    failed: record.failed,
    rejected: record.rejected,
    unconfirmed: record.unconfirmed,
    suppressed: record.suppressed,
    cancelled: record.cancelled,
    waitingForWindow: FINAL_CAMPAIGN_STATUSES.has(record.status) ? 0 : holds.waitingForWindow,
    heldByBrake: FINAL_CAMPAIGN_STATUSES.has(record.status) ? 0 : holds.heldByBrake,
    cost: toMoney(record.actualCost, record.currency),
    estimatedCompletionAt: FINAL_CAMPAIGN_STATUSES.has(record.status) ? null : estimatedCompletionAt,
    updatedAt: record.updatedAt,
  };
}

export function toMessage(record: MessageRecord, currency: string, campaignText?: string): Message {
  return {
    text: record.inBatch === false ? null : (record.renderedText ?? campaignText ?? null),
    id: record.id,
    to: record.to,
    country: record.country,
    status: record.status,
    providerMessageId: record.providerMessageId,
    errorCode: record.errorCode,
    units: record.units,
    cost: record.amount ? toMoney(record.amount, currency) : null,
    updatedAt: record.updatedAt,
  };
}

/** Waiting messages held by closed send windows or a tripped brake (none for a final campaign). */
export async function holdsOf(
  holds: SendingHoldsService | undefined,
  record: CampaignRecord,
): Promise<{ waitingForWindow: number; heldByBrake: number }> {
  if (!holds || FINAL_CAMPAIGN_STATUSES.has(record.status) || record.pending === 0) {
    return { waitingForWindow: 0, heldByBrake: 0 };
  }
  const { waitingForWindow, heldByBrake } = await holds.of(record.id);
  return { waitingForWindow, heldByBrake };
}
