import Decimal from 'decimal.js';
import { CampaignStatus } from './campaign-status.enum';
import { Encoding } from './encoding.enum';

export interface RejectedRecipient {
  input: string;
  reason: string;
}

/** Per-status message counts of a campaign, as stored beside it. */
export interface CampaignCounters {
  total: number;
  pending: number;
  submitted: number;
  queued: number;
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
  rejected: number;
  unconfirmed: number;
  suppressed: number;
  cancelled: number;
}

export interface CampaignRecord extends CampaignCounters {
  id: string;
  accountId: string;
  name: string | null;
  status: CampaignStatus;
  statusReason: string | null;
  text: string;
  senderId: string;
  encoding: Encoding;
  segmentsPerMessage: number;
  idempotencyKey: string | null;
  currency: string;
  estimatedCost: Decimal;
  maxCost: Decimal | null;
  actualCost: Decimal;
  /** Every rejected input; the first REJECTED_RECIPIENTS_KEPT are stored apart, a page at a time. */
  rejectedCount: number;
  /** Fingerprint of the sendBulk request, null for campaigns stored before it existed. */
  requestHash: string | null;
  scheduledAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  /** Share of the account's MPS against other sending campaigns (1 to 10). */
  priority: number;
  /** Recipients whose time zone was assumed for their send window (src/quiet-hours). */
  assumedZoneRecipients?: number;
  /** resumeCampaign(ignoreBrake: true) was used: the brake no longer trips. */
  brakeIgnored?: boolean;
  /** The uploaded list a personalized campaign was sent from (its batches carry their own texts). */
  recipientListId?: string | null;
  createdAt: Date;
  updatedAt: Date;
}
