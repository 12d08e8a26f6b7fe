import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { CampaignEvents } from '../domain/campaign-events';
import { CampaignRepository } from '../persistence/campaign.repository';
import { ReceiptWindowRepository, ReceiptWindows } from '../persistence/receipt-window.repository';
import { withDbRetry } from '../persistence/db-retry';
import { DeliveryReportMetrics } from './delivery-report.metrics';

const SWEEP_BATCH = 5000;
const MIN_SWEEP_INTERVAL_MS = 100;
const MAX_SWEEP_INTERVAL_MS = 60_000;

/**
 * Finishes campaigns despite missing receipts: a message still SENT after its receipt window
 * (NO_RECEIPT_WINDOW for US/CA, RECEIPT_WINDOW elsewhere) becomes UNCONFIRMED; so does one still
 * SUBMITTED/QUEUED, but only once the overdue poller has had its chance. A late final report still
 * wins (UNCONFIRMED ranks below the final statuses).
 */
@Injectable()
export class ReceiptWindowService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReceiptWindowService.name);
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private sweeping = false;

  constructor(
    private readonly receipts: ReceiptWindowRepository,
    private readonly campaigns: CampaignRepository,
    private readonly events: CampaignEvents,
    private readonly config: AppConfig,
    private readonly metrics: DeliveryReportMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const { noReceiptWindowMs, receiptWindowMs } = this.config.deliveryReports;
    const every = clamp(
      Math.min(noReceiptWindowMs, receiptWindowMs) / 10,
      MIN_SWEEP_INTERVAL_MS,
      MAX_SWEEP_INTERVAL_MS,
    );
    this.timer = setInterval(() => {
      // A sweep slower than the interval (a slow or unreachable database) is not queued behind.
      if (this.sweeping) {
        return;
      }
      this.sweeping = true;
      this.sweep()
        .catch((error: unknown) => this.logger.error(`Receipt window sweep failed: ${String(error)}`))
        .finally(() => (this.sweeping = false));
    }, every);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.chain.catch(() => undefined);
  }

  get windows(): ReceiptWindows {
    const d = this.config.deliveryReports;
    // Unsent messages wait at least until the overdue poller has looked them up once.
    const pollChance = d.overdueAfterMs + d.overduePollIntervalMs;
    return {
      noReceiptCountries: [...d.noReceiptCountries],
      sentMs: d.receiptWindowMs,
      sentNoReceiptMs: d.noReceiptWindowMs,
      unsentMs: Math.max(d.receiptWindowMs, pollChance),
      unsentNoReceiptMs: Math.max(d.noReceiptWindowMs, pollChance),
    };
  }

  /** Marks every overdue message UNCONFIRMED; returns how many. Sweeps of one instance never overlap. */
  sweep(): Promise<number> {
    const next = this.chain.then(() => this.sweepOnce());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async sweepOnce(): Promise<number> {
    const windows = this.windows;
    const changed = new Set<string>();
    let total = 0;
    for (;;) {
      const campaignIds = await withDbRetry(() => this.receipts.markUnconfirmed(windows, SWEEP_BATCH));
      total += campaignIds.length;
      campaignIds.forEach((id) => changed.add(id));
      if (campaignIds.length < SWEEP_BATCH) {
        break;
      }
    }
    if (changed.size > 0) {
      const ids = [...changed];
      this.metrics.unconfirmed.inc(total);
      await this.campaigns.completeFinished(ids);
      this.events.campaignsChanged(ids);
      this.logger.log(`${total} messages without a receipt marked UNCONFIRMED in ${ids.length} campaigns`);
    }
    return total;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
