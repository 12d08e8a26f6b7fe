import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { NewDeliveryReport } from '../persistence/delivery-report.repository';
import { ReceiptWindowRepository } from '../persistence/receipt-window.repository';
import { SmsGateway } from '../sms-gateway/sms-gateway';
import { ProviderMessageRecord } from '../sms-gateway/sms-gateway.types';
import { ProviderApiBudget } from '../messaging/provider-api-budget';
import { DeliveryReportApplier } from './delivery-report-applier.service';
import { DeliveryReportIntake } from './delivery-report-intake.service';
import { DeliveryReportMetrics } from './delivery-report.metrics';
import { deliveryReportDedupeKey } from './plivo-callback';

/** Lookups per pass and in parallel: modest next to Plivo's 300 requests / 5 s, shared with sending. */
export class OverduePollOptions {
  maxLookupsPerPass = 200;
  concurrency = 2;
}

/**
 * Recovers reports lost after Plivo's last callback retry: messages still waiting long after
 * submission are looked up at the provider (`getMessage`), and each record becomes a report
 * (payload Source=poll) appended and applied through the same path as webhooks.
 */
@Injectable()
export class OverdueReportPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OverdueReportPoller.name);
  private readonly options = new OverduePollOptions();
  // Looked up recently: skipped for a few intervals so one pass's budget reaches other messages.
  private readonly recentMessages = new Map<string, number>();
  private readonly recentBatches = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private polling = false;

  constructor(
    private readonly receipts: ReceiptWindowRepository,
    private readonly gateway: SmsGateway,
    private readonly intake: DeliveryReportIntake,
    private readonly applier: DeliveryReportApplier,
    private readonly config: AppConfig,
    private readonly metrics: DeliveryReportMetrics,
    private readonly budget: ProviderApiBudget,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // A pass slower than the interval is not queued behind: the next tick after it starts one.
      if (this.polling) {
        return;
      }
      this.polling = true;
      this.poll()
        .catch((error: unknown) => this.logger.error(`Overdue poll failed: ${String(error)}`))
        .finally(() => (this.polling = false));
    }, this.config.deliveryReports.overduePollIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.chain.catch(() => undefined);
  }

  configure(options: Partial<OverduePollOptions>): void {
    Object.assign(this.options, options);
  }

  /** One poll pass; returns how many provider records were turned into reports. */
  poll(): Promise<number> {
    const next = this.chain.then(() => this.pollOnce());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async pollOnce(): Promise<number> {
    const { overdueAfterMs, overduePollIntervalMs, noReceiptCountries } = this.config.deliveryReports;
    const now = Date.now();
    const forgetBefore = now - 4 * overduePollIntervalMs;
    prune(this.recentMessages, forgetBefore);
    prune(this.recentBatches, forgetBefore);

    let budget = this.options.maxLookupsPerPass;
    const lookups: Array<{ uuid: string; batchId: string | null }> = [];
    const messages = await this.receipts.findOverdueMessages(
      overdueAfterMs,
      [...noReceiptCountries],
      [...this.recentMessages.keys()],
      budget,
    );
    for (const message of messages) {
      this.recentMessages.set(message.id, now);
      lookups.push({ uuid: message.providerMessageId, batchId: null });
    }
    budget -= lookups.length;
    if (budget > 0) {
      const batches = await this.receipts.findOverdueBatches(overdueAfterMs, [...this.recentBatches.keys()], budget);
      for (const batch of batches) {
        this.recentBatches.set(batch.batchId, now);
        for (const uuid of batch.unmatchedUuids.slice(0, budget - (lookups.length - messages.length))) {
          lookups.push({ uuid, batchId: batch.batchId });
        }
      }
    }
    if (lookups.length === 0) {
      return 0;
    }
    const records = await this.lookUp(lookups);
    const reports = records.map(({ record, batchId }) => toPolledReport(record, batchId));
    await this.intake.appendMany(reports);
    if (reports.length > 0) {
      await this.applier.applyAll();
      this.logger.log(
        `Recovered ${reports.length} delivery states by polling the provider (${lookups.length} lookups)`,
      );
    }
    return reports.length;
  }

  private async lookUp(
    lookups: Array<{ uuid: string; batchId: string | null }>,
  ): Promise<Array<{ record: ProviderMessageRecord; batchId: string | null }>> {
    const found: Array<{ record: ProviderMessageRecord; batchId: string | null }> = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < lookups.length) {
        const { uuid, batchId } = lookups[next++];
        try {
          await this.budget.beforeRead('get');
          const record = await this.gateway.getMessage(uuid);
          this.metrics.polled.inc({ result: record ? 'found' : 'not_found' });
          if (record) {
            found.push({ record, batchId });
          }
        } catch (error) {
          this.metrics.polled.inc({ result: 'error' });
          this.logger.warn(`Provider lookup of ${uuid} failed: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, lookups.length) }, worker));
    return found;
  }
}

/** A provider record as a report: same fields as a callback, `Source: poll`, no Sequence. */
export function toPolledReport(record: ProviderMessageRecord, batchId: string | null): NewDeliveryReport {
  const status = record.status.toLowerCase();
  const time = record.messageTime?.toISOString().replace('T', ' ').replace('Z', '') ?? null;
  const payload: Record<string, unknown> = {
    Source: 'poll',
    MessageUUID: record.messageUuid,
    To: record.to,
    From: record.from,
    Status: status,
    ErrorCode: record.errorCode,
    Units: record.units,
    TotalAmount: record.totalAmount,
    TotalRate: record.totalRate,
    MessageTime: time,
    // The record has no send time; the message time is the closest we know.
    SentTime: status === 'queued' || status === 'failed' ? null : time,
  };
  return {
    dedupeKey: deliveryReportDedupeKey(record.messageUuid, `poll:${status}`, null, record.errorCode),
    messageUuid: record.messageUuid,
    batchId,
    to: record.to || null,
    status,
    sequence: null,
    errorCode: record.errorCode,
    units: record.units,
    totalAmount: record.totalAmount,
    totalRate: record.totalRate,
    payload,
  };
}

function prune(map: Map<string, number>, before: number): void {
  for (const [key, at] of map) {
    if (at < before) {
      map.delete(key);
    }
  }
}
