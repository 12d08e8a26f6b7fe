import { Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
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
 * messages go at its fair share of its lane's MPS beside the other sending campaigns (and, when its
 * account has its own MPS cap, at most its share of that cap beside the account's other campaigns). Never in the
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
    @Optional() private readonly config?: AppConfig,
  ) {
    super();
  }

  /**
   * A personalized campaign sends one request per distinct text (and per 1,000 numbers): with many
   * distinct texts the shared API budget, not the MPS, bounds it.
   */
  private async requestsMs(campaign: CampaignRecord): Promise<number> {
    if (!campaign.recipientListId || !this.config || campaign.pending === 0) {
      return 0;
    }
    const requests = await this.dispatch.waitingBatchCount(campaign.id);
    return (requests * 5_000) / this.config.dispatch.apiRequestsPer5s;
  }

  async estimateCompletion(campaign: CampaignRecord): Promise<Date | null> {
    if (campaign.status === CampaignStatus.PAUSED) {
      return null;
    }
    const now = this.clock.now().getTime();
    const scheduled = campaign.status === CampaignStatus.SCHEDULED && campaign.scheduledAt !== null;
    const start = scheduled ? Math.max(now, campaign.scheduledAt!.getTime()) : now;
    const cap = { accountId: campaign.accountId, mps: await this.dispatch.accountMpsCap(campaign.accountId) };
    const capMps = this.pacing.accountCapMps(cap);
    const queuedUntil = Math.max(
      (await this.dispatch.queueDrainsAt(this.pacing.accountKey))?.getTime() ?? start,
      capMps === undefined
        ? start
        : ((await this.dispatch.queueDrainsAt(this.pacing.accountCapKey(cap.accountId)))?.getTime() ?? start),
    );
    // A scheduled campaign's competitors at its start are unknown: it is estimated alone.
    const others = scheduled ? [] : (await this.dispatch.sendingCampaignsLoad()).filter((c) => c.id !== campaign.id);
    const share = (c: { pending: number; priority: number }) => ({ remaining: c.pending, priority: c.priority });
    const target = share(campaign);
    // Its fair share of the service's MPS, and of its account's own cap beside the account's other campaigns.
    const byMps = Math.max(
      fairShareFinishMs(target, others.map(share), this.pacing.laneMps(campaign.senderId)),
      capMps === undefined
        ? 0
        : fairShareFinishMs(target, others.filter((c) => c.accountId === campaign.accountId).map(share), capMps),
    );
    // A personalized campaign may be bounded by its requests rather than by the MPS.
    const sending = Math.max(byMps, await this.requestsMs(campaign));
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
