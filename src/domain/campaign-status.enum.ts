import { registerEnumType } from '@nestjs/graphql';

export enum CampaignStatus {
  SCHEDULED = 'SCHEDULED',
  QUEUED = 'QUEUED',
  SENDING = 'SENDING',
  PAUSED = 'PAUSED',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
  FAILED = 'FAILED',
}

export const FINAL_CAMPAIGN_STATUSES: ReadonlySet<CampaignStatus> = new Set([
  CampaignStatus.COMPLETED,
  CampaignStatus.CANCELLED,
  CampaignStatus.FAILED,
]);

registerEnumType(CampaignStatus, {
  name: 'CampaignStatus',
  description: 'Lifecycle of a campaign; COMPLETED, CANCELLED and FAILED are final.',
});
