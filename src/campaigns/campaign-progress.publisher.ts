import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { PubSubEngine } from 'graphql-subscriptions';
import { PUB_SUB } from '../common/pubsub/pubsub.constants';
import { AppConfig } from '../config/app-config.service';
import { CampaignEvents } from '../domain/campaign-events';

/** The PubSub trigger every instance listens to; its payload is a CampaignsChangedEvent. */
export const CAMPAIGNS_CHANGED = 'campaigns.changed';

export interface CampaignsChangedEvent {
  campaignIds: string[];
}

// 150 UUIDs are about 6 KB of JSON: under PostgreSQL's 8000-byte NOTIFY limit.
const IDS_PER_MESSAGE = 150;

/**
 * CampaignEvents for every instance: collects the ids the dispatcher and the report applier say
 * changed, and publishes them at most progressUpdatesPerSecond times a second (ids only; each
 * instance reads the snapshots its own subscribers need). A burst of 10,000 reports on one
 * campaign is one message per flush, not 10,000.
 */
@Injectable()
export class CampaignProgressPublisher extends CampaignEvents implements OnModuleDestroy {
  private readonly logger = new Logger(CampaignProgressPublisher.name);
  private readonly intervalMs: number;
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private flushing = false;
  private stopped = false;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    @Inject(PUB_SUB) private readonly pubSub: PubSubEngine,
    config: AppConfig,
  ) {
    super();
    this.intervalMs = 1000 / config.progressUpdatesPerSecond;
  }

  campaignsChanged(campaignIds: Iterable<string>): void {
    for (const id of campaignIds) {
      this.pending.add(id);
    }
    this.schedule();
  }

  /** Publishes what is pending now; also called at shutdown so the last changes still go out. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) {
      return;
    }
    this.flushing = true;
    this.lastFlushAt = Date.now();
    const ids = [...this.pending];
    this.pending.clear();
    try {
      for (let i = 0; i < ids.length; i += IDS_PER_MESSAGE) {
        const event: CampaignsChangedEvent = { campaignIds: ids.slice(i, i + IDS_PER_MESSAGE) };
        await this.pubSub.publish(CAMPAIGNS_CHANGED, event);
      }
    } catch (error) {
      // Progress is best effort: subscribers catch up on the next change or the periodic refresh.
      this.logger.warn(
        `Publishing progress of ${ids.length} campaigns failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  // Leading edge when idle (a lone change goes out at once), then at most once per interval.
  private schedule(): void {
    if (this.stopped || this.timer || this.flushing || this.pending.size === 0) {
      return;
    }
    const delay = Math.max(0, this.lastFlushAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
    this.timer.unref();
  }
}
