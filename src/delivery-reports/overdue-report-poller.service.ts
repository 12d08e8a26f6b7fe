import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { AccountPlivoCredentials, AccountSettingsRepository } from '../persistence/account-settings.repository';
import { NewDeliveryReport } from '../persistence/delivery-report.repository';
import { OverdueBatch, ReceiptWindowRepository } from '../persistence/receipt-window.repository';
import { SmsGateway } from '../sms-gateway/sms-gateway';
import { ProviderMessageRecord } from '../sms-gateway/sms-gateway.types';
import { AccountSmsGateways } from '../messaging/account-sms-gateways';
import { ProviderApiBudget } from '../messaging/provider-api-budget';
import { DeliveryReportApplier } from './delivery-report-applier.service';
import { DeliveryReportIntake } from './delivery-report-intake.service';
import { DeliveryReportMetrics } from './delivery-report.metrics';
import { deliveryReportDedupeKey } from './plivo-callback';

// How many poll intervals a message or batch looked up waits before it can be looked up again.
const REPOLL_AFTER_INTERVALS = 4;

// Tolerance between our clock and the provider's when looking a number up around a submission.
const CLOCK_SKEW_MS = 15_000;

/** One question to the provider: a message by its UUID, or a batch's number around its submission. */
type Lookup =
  | { kind: 'uuid'; uuid: string; batchId: string | null; messageId?: string }
  | { kind: 'number'; to: string; batchId: string; since: Date; until: Date };

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
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private polling = false;

  constructor(
    private readonly receipts: ReceiptWindowRepository,
    private readonly gateways: AccountSmsGateways,
    private readonly settings: AccountSettingsRepository,
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
    // A message or batch looked up is left alone for a few intervals, so one pass's budget reaches others.
    const repollAfterMs = REPOLL_AFTER_INTERVALS * overduePollIntervalMs;
    const now = Date.now();

    // Batches whose messages never learnt their UUID get half the pass first, then messages that know
    // theirs, then batches again with what is left: a backlog of either never starves the other.
    const perPass = this.options.maxLookupsPerPass;
    const lookups = await this.claimBatchLookups(Math.ceil(perPass / 2), overdueAfterMs, repollAfterMs, now);
    const messages = await this.receipts.claimOverdueMessages(
      overdueAfterMs,
      repollAfterMs,
      [...noReceiptCountries],
      perPass - lookups.length,
    );
    for (const message of messages) {
      lookups.push({ kind: 'uuid', uuid: message.providerMessageId, batchId: null, messageId: message.id });
    }
    if (lookups.length < perPass) {
      lookups.push(...(await this.claimBatchLookups(perPass - lookups.length, overdueAfterMs, repollAfterMs, now)));
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

  /**
   * Up to `budget` lookups for overdue batches whose messages never learnt their UUID. One batch at a
   * time: a batch can need more lookups than are left, and a batch claimed but not looked up would
   * wait a whole re-poll gap. Each claimed batch takes at least one lookup.
   */
  private async claimBatchLookups(
    budget: number,
    overdueAfterMs: number,
    repollAfterMs: number,
    now: number,
  ): Promise<Lookup[]> {
    const lookups: Lookup[] = [];
    while (lookups.length < budget) {
      const [batch] = await this.receipts.claimOverdueBatches(overdueAfterMs, repollAfterMs, 1);
      if (!batch) {
        break;
      }
      lookups.push(...batchLookups(batch, this.config.plivoTimeoutMs, now).slice(0, budget - lookups.length));
    }
    return lookups;
  }

  /**
   * Each lookup's gateway: a message of an account with its own Plivo sub-account is only visible
   * with that sub-account's credentials. Two queries per pass, not one per lookup.
   */
  private async gatewaysOf(lookups: Lookup[]): Promise<Array<() => SmsGateway>> {
    const batchIds = new Set<string>();
    const messageIds: string[] = [];
    for (const lookup of lookups) {
      if (lookup.kind === 'uuid' && lookup.messageId !== undefined) {
        messageIds.push(lookup.messageId);
      } else if (lookup.batchId !== null) {
        batchIds.add(lookup.batchId);
      }
    }
    const [byBatch, byMessage] = await Promise.all([
      this.settings.credentialsOfBatches([...batchIds]),
      this.settings.credentialsOfMessages(messageIds),
    ]);
    return lookups.map((lookup) => {
      const credentials: AccountPlivoCredentials | undefined =
        lookup.kind === 'uuid' && lookup.messageId !== undefined
          ? byMessage.get(lookup.messageId)
          : lookup.batchId !== null
            ? byBatch.get(lookup.batchId)
            : undefined;
      return () => this.gateways.forAccount(credentials);
    });
  }

  private async lookUp(lookups: Lookup[]): Promise<Array<{ record: ProviderMessageRecord; batchId: string | null }>> {
    const found: Array<{ record: ProviderMessageRecord; batchId: string | null }> = [];
    const byNumber: Array<{ candidates: ProviderMessageRecord[]; batchId: string }> = [];
    const gateways = await this.gatewaysOf(lookups);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < lookups.length) {
        const index = next++;
        const lookup = lookups[index];
        try {
          const gateway = gateways[index]();
          if (lookup.kind === 'uuid') {
            await this.budget.beforeRead('get');
            const record = await gateway.getMessage(lookup.uuid);
            this.metrics.polled.inc({ result: record ? 'found' : 'not_found' });
            if (record) {
              found.push({ record, batchId: lookup.batchId });
            }
          } else {
            await this.budget.beforeRead('list');
            const candidates = await gateway.listMessages({
              toNumber: lookup.to,
              since: lookup.since,
              until: lookup.until,
              limit: 20,
            });
            this.metrics.polled.inc({ result: candidates.length > 0 ? 'found' : 'not_found' });
            byNumber.push({ candidates, batchId: lookup.batchId });
          }
        } catch (error) {
          this.metrics.polled.inc({ result: 'error' });
          const what = lookup.kind === 'uuid' ? lookup.uuid : `a number of batch ${lookup.batchId}`;
          this.logger.warn(`Provider lookup of ${what} failed: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, lookups.length) }, worker));
    return [...found, ...(await this.unclaimedRecords(byNumber))];
  }

  /**
   * A number may have had other messages around the same time (another campaign): a record whose
   * UUID a message already carries is someone else's, so each number takes its first record that
   * no message carries yet.
   */
  private async unclaimedRecords(
    byNumber: Array<{ candidates: ProviderMessageRecord[]; batchId: string }>,
  ): Promise<Array<{ record: ProviderMessageRecord; batchId: string }>> {
    const uuids = byNumber.flatMap(({ candidates }) => candidates.map((record) => record.messageUuid));
    if (uuids.length === 0) {
      return [];
    }
    const carried = new Set(await this.receipts.carriedProviderIds(uuids));
    return byNumber.flatMap(({ candidates, batchId }) => {
      const record = candidates.find((candidate) => !carried.has(candidate.messageUuid));
      return record ? [{ record, batchId }] : [];
    });
  }
}

/**
 * What to ask the provider about an overdue batch: the UUIDs it returned that no message carries
 * yet, or, when it returned none (its answer was lost and reconciliation proved the batch was
 * accepted), each waiting number around the submission, as the reconciler lists them.
 */
export function batchLookups(batch: OverdueBatch, plivoTimeoutMs: number, now: number): Lookup[] {
  if (batch.unmatchedUuids.length > 0) {
    return batch.unmatchedUuids.map((uuid) => ({ kind: 'uuid', uuid, batchId: batch.batchId }));
  }
  const attemptedAt = batch.attemptedAt.getTime();
  const since = new Date(attemptedAt - CLOCK_SKEW_MS);
  const until = new Date(Math.min(now, attemptedAt + plivoTimeoutMs) + CLOCK_SKEW_MS);
  return batch.uuidlessNumbers.map((to) => ({ kind: 'number', to, batchId: batch.batchId, since, until }));
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
