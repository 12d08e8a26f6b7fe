import { Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { BrakeService } from '../brake/brake.service';
import { CampaignEvents } from '../domain/campaign-events';
import { CampaignRepository } from '../persistence/campaign.repository';

/** The intake's follow-ups are gathered and run at most this often (each is a few statements). */
export const FOLLOW_UP_INTERVAL_MS = 100;

/**
 * What follows reports that moved a campaign's messages: the campaigns whose messages are all final
 * complete, their brakes are checked, live-progress subscribers are told. The applier runs it after
 * each pass (`run`); the intake, which applies a few reports per statement, hands its campaigns to
 * `schedule`, which gathers them and runs at most every FOLLOW_UP_INTERVAL_MS.
 */
@Injectable()
export class AppliedReportsFollowUp implements OnModuleDestroy {
  private readonly logger = new Logger(AppliedReportsFollowUp.name);
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastRunAt = 0;
  // Set at shutdown: no timer is armed after it (a retry loop of a failing run would outlive the app).
  private stopped = false;

  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly events: CampaignEvents,
    @Optional() private readonly brake?: BrakeService,
  ) {}

  /**
   * Runs the follow-ups of everything gathered so far, so none is lost at shutdown; from then on
   * `schedule` only gathers, for a `flush` (the intake's, after its last writes) to run.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  /** Runs now what `schedule` gathered, and waits for it (and for a run under way). */
  async flush(): Promise<void> {
    await this.running;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size > 0) {
      await this.runPending();
    }
  }

  /** Completes the finished ones of these campaigns, checks their brakes and tells subscribers. */
  async run(campaignIds: string[]): Promise<void> {
    if (campaignIds.length === 0) {
      return;
    }
    await this.campaigns.completeFinished(campaignIds);
    try {
      await this.brake?.afterReports(campaignIds);
    } catch (error) {
      // Checked again with the next reports of the campaign.
      this.logger.warn(`Brake check failed: ${String(error)}`);
    }
    this.events.campaignsChanged(campaignIds);
  }

  /** Runs `run` for these campaigns soon, together with the others gathered meanwhile. */
  schedule(campaignIds: Iterable<string>): void {
    for (const id of campaignIds) {
      this.pending.add(id);
    }
    if (this.stopped || this.timer || this.running || this.pending.size === 0) {
      return;
    }
    const wait = Math.max(0, this.lastRunAt + FOLLOW_UP_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runPending().finally(() => {
        this.running = undefined;
        this.schedule([]);
      });
    }, wait);
  }

  private async runPending(): Promise<void> {
    this.lastRunAt = Date.now();
    const ids = [...this.pending];
    this.pending.clear();
    try {
      await this.run(ids);
    } catch (error) {
      // Kept for the next run: a campaign whose last report was applied must still complete.
      ids.forEach((id) => this.pending.add(id));
      this.lastRunAt = Date.now() + 1000;
      this.logger.error(`Could not complete finished campaigns: ${String(error)}`);
    }
  }
}
