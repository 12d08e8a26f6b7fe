import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../common/metrics/metrics.service';
import { AppConfig } from '../config/app-config.service';
import { CampaignEvents } from '../domain/campaign-events';
import {
  CampaignStallRepository,
  STALLED_REASON_PREFIX,
  StalledCampaign,
} from '../persistence/campaign-stall.repository';

const MAX_MARKS_PER_TICK = 500;

/**
 * Says so when a campaign stops moving: a SENDING campaign none of whose messages changed state for
 * STALL_AFTER_SECONDS gets a `stalled: …` statusReason (in queries, live progress and the CLI), a
 * warning in the log and a count in bulk_sms_campaigns_stalled; the mark goes as soon as a message
 * moves again. The overdue poller meanwhile looks up the messages whose reports are missing.
 */
@Injectable()
export class CampaignStallMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CampaignStallMonitor.name);
  private readonly stalledGauge: Gauge;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly stalls: CampaignStallRepository,
    private readonly events: CampaignEvents,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.stalledGauge = new Gauge({
      name: 'bulk_sms_campaigns_stalled',
      help: 'SENDING campaigns none of whose messages changed state for STALL_AFTER_SECONDS',
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    const every = Math.min(60_000, Math.max(1_000, this.config.stallAfterMs / 5));
    this.timer = setInterval(() => {
      if (this.checking) {
        return;
      }
      this.checking = true;
      this.check()
        .catch((error: unknown) => this.logger.warn(`Stall check failed: ${String(error)}`))
        .finally(() => (this.checking = false));
    }, every);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One check; returns the ids newly marked stalled. */
  async check(): Promise<string[]> {
    const stallMs = this.config.stallAfterMs;
    const recovered = await this.stalls.clearRecovered(stallMs);
    const candidates = await this.stalls.findNewlyStalled(stallMs, MAX_MARKS_PER_TICK);
    const marked = await this.stalls.markStalled(
      candidates.map((c) => ({ id: c.id, lastChangeAt: c.lastChangeAt, reason: this.reasonFor(c) })),
    );
    for (const campaign of candidates.filter((c) => marked.includes(c.id))) {
      this.logger.warn(
        { campaignId: campaign.id, accountId: campaign.accountId, unfinished: campaign.unfinished },
        `Campaign stalled: ${this.reasonFor(campaign)}`,
      );
    }
    this.stalledGauge.set(await this.stalls.countStalled());
    const changed = [...recovered, ...marked];
    if (changed.length > 0) {
      this.events.campaignsChanged(changed);
    }
    return marked;
  }

  private reasonFor(campaign: StalledCampaign): string {
    const waitingForReports = campaign.unfinished - campaign.pending;
    const parts = [`no message changed state for ${formatDuration(Date.now() - campaign.lastChangeAt.getTime())}`];
    if (campaign.pending > 0) {
      parts.push(`${campaign.pending} not yet sent`);
    }
    if (waitingForReports > 0) {
      const overdueAfter = formatDuration(this.config.deliveryReports.overdueAfterMs);
      parts.push(`${waitingForReports} waiting for delivery reports (looked up at the provider after ${overdueAfter})`);
    }
    return STALLED_REASON_PREFIX + parts.join('; ');
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}
