import { Injectable } from '@nestjs/common';
import { Clock } from '../common/time/clock';
import { CampaignEta } from '../domain/campaign-eta';
import { CampaignRecord } from '../domain/campaign.record';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { DispatchRepository } from '../persistence/dispatch.repository';
import { drainEstimate } from './pacing';
import { PacingPlan } from './pacing-plan';

/**
 * When the provider will have sent a campaign's last message: its waiting messages at the
 * account's MPS, after what is already queued at the provider (or after its schedule).
 * A paused campaign has no estimate. Delivery receipts can come later than this.
 */
@Injectable()
export class PacingCampaignEta extends CampaignEta {
  constructor(
    private readonly dispatch: DispatchRepository,
    private readonly pacing: PacingPlan,
    private readonly clock: Clock,
  ) {
    super();
  }

  async estimateCompletion(campaign: CampaignRecord): Promise<Date | null> {
    if (campaign.status === CampaignStatus.PAUSED) {
      return null;
    }
    const now = this.clock.now().getTime();
    const start =
      campaign.status === CampaignStatus.SCHEDULED && campaign.scheduledAt ? campaign.scheduledAt.getTime() : now;
    const queuedUntil = (await this.dispatch.queueDrainsAt(this.pacing.accountKey))?.getTime() ?? start;
    return new Date(drainEstimate(Math.max(queuedUntil, start), this.pacing.accountMps, campaign.pending, now));
  }
}
