import { Injectable, Optional } from '@nestjs/common';
import { Clock } from '../common/time/clock';
import { CampaignEta } from '../domain/campaign-eta';
import { CampaignRecord } from '../domain/campaign.record';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { DispatchRepository } from '../persistence/dispatch.repository';
import { SendingHoldsService } from '../quiet-hours/sending-holds.service';
import { windowedFinishMs } from '../quiet-hours/windowed-finish';
import { fairShareFinishMs } from './fair-share';
import { PacingPlan } from './pacing-plan';

/**
 * When the provider will have sent a campaign's last message, in the just-in-time model: what is
 * queued at the provider drains first (at most DISPATCH_LEAD_SECONDS), then the campaign's waiting
 * messages go at its fair share of its lane's MPS beside the other sending campaigns. Never in the
 * past; null while paused. Recipients whose send window is closed are scheduled from its opening
 * (src/quiet-hours); those held by a tripped brake are left out. Delivery receipts can come later than this.
 */
@Injectable()
export class PacingCampaignEta extends CampaignEta {
  constructor(
    private readonly dispatch: DispatchRepository,
    private readonly pacing: PacingPlan,
    private readonly clock: Clock,
    @Optional() private readonly holds?: SendingHoldsService,
  ) {
    super();
  }

  async estimateCompletion(campaign: CampaignRecord): Promise<Date | null> {
    if (campaign.status === CampaignStatus.PAUSED) {
      return null;
    }
    const now = this.clock.now().getTime();
    const scheduled = campaign.status === CampaignStatus.SCHEDULED && campaign.scheduledAt !== null;
    const start = scheduled ? Math.max(now, campaign.scheduledAt!.getTime()) : now;
    const queuedUntil = (await this.dispatch.queueDrainsAt(this.pacing.accountKey))?.getTime() ?? start;
    // A scheduled campaign's competitors at its start are unknown: it is estimated alone.
    const others = scheduled
      ? []
      : (await this.dispatch.sendingCampaignsLoad())
          .filter((c) => c.id !== campaign.id)
          .map((c) => ({ remaining: c.pending, priority: c.priority }));
    const sending = fairShareFinishMs(
      { remaining: campaign.pending, priority: campaign.priority },
      others,
      this.pacing.laneMps(campaign.senderId),
    );
    const from = Math.max(start, queuedUntil);
    if (!this.holds) {
      return new Date(from + sending);
    }
    // Quiet hours and the brake: only what is not held is scheduled, each group inside its window.
    const { sendable, heldByBrake } = await this.holds.of(campaign.id);
    if (heldByBrake > 0 && sendable.length === 0) {
      return null;
    }
    const msPerMessage = campaign.pending > 0 ? sending / campaign.pending : 0;
    const shift = this.holds.windowShiftMs(now);
    return new Date(windowedFinishMs(sendable, from + shift, msPerMessage) - shift);
  }
}
