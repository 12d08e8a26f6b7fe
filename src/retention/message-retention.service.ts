import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { WakeableLoop } from '../common/loops/wakeable-loop';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { withDbRetry } from '../persistence/db-retry';
import { RetentionRepository } from '../persistence/retention.repository';
import { hashNumber } from './number-hasher';

const DAY_MS = 24 * 3600 * 1000;
// The first run waits a little after start, so a restart storm does not pile it on boot work.
const FIRST_RUN_DELAY_MS = 60_000;
const NUMBERS_PER_BATCH = 5000;
const CAMPAIGNS_PER_PASS = 100;

export interface RetentionSummary {
  campaigns: number;
  numbers: number;
}

/**
 * MESSAGE_RETENTION_DAYS: once a campaign has been finished that long, its numbers become keyed
 * hashes and its text and other personal content are removed; counters and costs stay. Runs daily,
 * in batches of NUMBERS_PER_BATCH rows (one short transaction each), on finished campaigns only. Each
 * transaction is run again on a deadlock or serialization failure (an erasure or a late report beside it):
 * a failed pass waits a day for the next.
 */
@Injectable()
export class MessageRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MessageRetentionService.name);
  private readonly loop = new WakeableLoop({
    pass: () => this.runAndLog(),
    firstPassAfterMs: FIRST_RUN_DELAY_MS,
    intervalMs: DAY_MS,
    errorPauseMs: DAY_MS,
    onError: (error) => this.logger.error(`Retention pass failed: ${String(error)}`),
  });
  private running: Promise<RetentionSummary> | undefined;
  private stopped = false;

  constructor(
    private readonly repository: RetentionRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.retention.days !== undefined) {
      this.loop.start();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    await this.running?.catch(() => undefined);
  }

  /** One full pass (tests and the daily timer); passes never overlap. */
  runOnce(): Promise<RetentionSummary> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  // The loop's pass: false, as nothing waits for it before the next day.
  private async runAndLog(): Promise<boolean> {
    const summary = await this.runOnce();
    if (summary.campaigns > 0) {
      this.logger.log(
        `Retention: content of ${summary.campaigns} campaigns removed (${summary.numbers} numbers hashed)`,
      );
    }
    return false;
  }

  private async pass(): Promise<RetentionSummary> {
    const { days, hashKey } = this.config.retention;
    const summary: RetentionSummary = { campaigns: 0, numbers: 0 };
    if (days === undefined || hashKey === undefined) {
      return summary;
    }
    const cutoff = new Date(this.clock.now().getTime() - days * DAY_MS);
    for (;;) {
      const campaigns = await this.repository.campaignsDue(cutoff, CAMPAIGNS_PER_PASS);
      for (const campaignId of campaigns) {
        if (this.stopped) {
          return summary;
        }
        summary.numbers += await this.hashNumbers(campaignId, hashKey);
        await withDbRetry(() => this.repository.removeCampaignContent(campaignId));
        summary.campaigns++;
      }
      if (campaigns.length < CAMPAIGNS_PER_PASS) {
        return summary;
      }
    }
  }

  private async hashNumbers(campaignId: string, key: string): Promise<number> {
    let afterId = '0';
    let hashed = 0;
    for (;;) {
      const rows = await this.repository.numbersInClear(campaignId, afterId, NUMBERS_PER_BATCH);
      if (rows.length === 0 || this.stopped) {
        return hashed;
      }
      const replacements = rows.map((row) => ({ id: row.id, hash: hashNumber(key, row.to) }));
      hashed += await withDbRetry(() => this.repository.replaceNumbers(campaignId, replacements));
      afterId = rows[rows.length - 1].id;
    }
  }
}
