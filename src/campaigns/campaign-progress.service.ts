import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { PubSubEngine } from 'graphql-subscriptions';
import { NotFoundError } from '../common/errors/domain-error';
import { PUB_SUB } from '../common/pubsub/pubsub.constants';
import { AppConfig } from '../config/app-config.service';
import { CampaignEta, estimatedCompletionOf } from '../domain/campaign-eta';
import { FINAL_CAMPAIGN_STATUSES } from '../domain/campaign-status.enum';
import { CampaignRepository } from '../persistence/campaign.repository';
import { SendingHoldsService } from '../quiet-hours/sending-holds.service';
import { holdsOf, toCampaignProgress } from './campaign.mapper';
import { CAMPAIGNS_CHANGED, CampaignsChangedEvent } from './campaign-progress.publisher';
import { CampaignProgress } from './models/campaign-progress.model';

// Notifications can be lost (a PubSub connection drops, an instance restarts mid-flush): every
// campaign someone watches is re-read this often anyway, so a subscriber never waits forever.
export const SAFETY_REFRESH_MS = 15_000;
const RETRY_AFTER_ERROR_MS = 1000;

interface Snapshot {
  /** Order in which the read started: a read that started later saw at least as much. */
  seq: number;
  progress: CampaignProgress;
}

/**
 * Live progress per campaign. One feed per watched campaign on this instance: a change signalled
 * through PUB_SUB marks it dirty, and it is re-read at most progressUpdatesPerSecond times a second,
 * once for all its subscribers. Each subscriber keeps only the newest snapshot it has not taken yet,
 * so a slow client gets the latest state, never a growing queue.
 */
@Injectable()
export class CampaignProgressService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CampaignProgressService.name);
  private readonly feeds = new Map<string, CampaignFeed>();
  private readonly intervalMs: number;
  private readSeq = 0;
  private subscriptionId?: number;
  private safetyTimer?: NodeJS.Timeout;

  constructor(
    private readonly campaigns: CampaignRepository,
    @Inject(PUB_SUB) private readonly pubSub: PubSubEngine,
    config: AppConfig,
    @Optional() private readonly eta?: CampaignEta,
    @Optional() private readonly holds?: SendingHoldsService,
  ) {
    this.intervalMs = 1000 / config.progressUpdatesPerSecond;
  }

  async onModuleInit(): Promise<void> {
    this.subscriptionId = await this.pubSub.subscribe(
      CAMPAIGNS_CHANGED,
      (event: CampaignsChangedEvent) => this.onChanged(event),
      {},
    );
    this.safetyTimer = setInterval(() => this.feeds.forEach((feed) => this.markDirty(feed)), SAFETY_REFRESH_MS);
    this.safetyTimer.unref();
  }

  // Idempotent: a forced shutdown (test/utils/test-app.ts) can run it while app.close() still will.
  onModuleDestroy(): void {
    if (this.subscriptionId !== undefined) {
      this.pubSub.unsubscribe(this.subscriptionId);
      this.subscriptionId = undefined;
    }
    clearInterval(this.safetyTimer);
    for (const feed of [...this.feeds.values()]) {
      [...feed.sinks].forEach((sink) => sink.close());
    }
  }

  /**
   * The campaign's progress now, then each change, ending once it is settled (isSettled). Another account's
   * campaign, or an unknown id, is NOT_FOUND.
   */
  async subscribe(accountId: string, campaignId: string): Promise<ProgressSink> {
    const feed = this.feedFor(campaignId);
    const sink = new ProgressSink(() => this.detach(feed, sink));
    // Attached before the first read, so a change committed during that read is not missed.
    feed.sinks.add(sink);
    try {
      const snapshot = await this.read(accountId, campaignId);
      if (!snapshot) {
        throw new NotFoundError(`Campaign ${campaignId}`);
      }
      feed.accountId = accountId;
      sink.offer(snapshot.seq, snapshot.progress);
      return sink;
    } catch (error) {
      sink.close();
      throw error;
    }
  }

  /** Campaigns with at least one subscriber on this instance (for metrics and tests). */
  get watchedCampaigns(): number {
    return this.feeds.size;
  }

  private onChanged(event: CampaignsChangedEvent): void {
    for (const id of event?.campaignIds ?? []) {
      const feed = this.feeds.get(id);
      if (feed) {
        this.markDirty(feed);
      }
    }
  }

  private feedFor(campaignId: string): CampaignFeed {
    let feed = this.feeds.get(campaignId);
    if (!feed) {
      feed = { campaignId, sinks: new Set(), dirty: false, reading: false, nextReadAt: 0 };
      this.feeds.set(campaignId, feed);
    }
    return feed;
  }

  private detach(feed: CampaignFeed, sink: ProgressSink): void {
    feed.sinks.delete(sink);
    if (feed.sinks.size === 0 && this.feeds.get(feed.campaignId) === feed) {
      clearTimeout(feed.timer);
      this.feeds.delete(feed.campaignId);
    }
  }

  private markDirty(feed: CampaignFeed): void {
    feed.dirty = true;
    this.schedule(feed);
  }

  private schedule(feed: CampaignFeed): void {
    if (feed.timer || feed.reading || !feed.dirty || this.feeds.get(feed.campaignId) !== feed) {
      return;
    }
    feed.timer = setTimeout(
      () => {
        feed.timer = undefined;
        void this.refresh(feed);
      },
      Math.max(0, feed.nextReadAt - Date.now()),
    );
    feed.timer.unref();
  }

  // One read per feed per interval, shared by every subscriber of the campaign on this instance.
  private async refresh(feed: CampaignFeed): Promise<void> {
    if (!feed.accountId || this.feeds.get(feed.campaignId) !== feed) {
      return;
    }
    feed.dirty = false;
    feed.reading = true;
    feed.nextReadAt = Date.now() + this.intervalMs;
    try {
      const snapshot = await this.read(feed.accountId, feed.campaignId);
      if (snapshot) {
        feed.sinks.forEach((sink) => sink.offer(snapshot.seq, snapshot.progress));
      } else {
        // Deleted meanwhile: nothing more will come.
        [...feed.sinks].forEach((sink) => sink.close());
      }
    } catch (error) {
      this.logger.warn(
        `Reading progress of campaign ${feed.campaignId} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      feed.dirty = true;
      feed.nextReadAt = Date.now() + RETRY_AFTER_ERROR_MS;
    } finally {
      feed.reading = false;
      this.schedule(feed);
    }
  }

  private async read(accountId: string, campaignId: string): Promise<Snapshot | null> {
    const seq = ++this.readSeq;
    const record = await this.campaigns.findForAccount(accountId, campaignId);
    if (!record) {
      return null;
    }
    let eta: Date | null = null;
    try {
      eta = await estimatedCompletionOf(this.eta, record);
    } catch (error) {
      this.logger.warn(`Estimating completion of campaign ${campaignId} failed: ${String(error)}`);
    }
    return { seq, progress: toCampaignProgress(record, eta, await holdsOf(this.holds, record)) };
  }
}

interface CampaignFeed {
  campaignId: string;
  /** The owner, known after the first authorized read; feed reads are scoped to it. */
  accountId?: string;
  sinks: Set<ProgressSink>;
  dirty: boolean;
  reading: boolean;
  nextReadAt: number;
  timer?: NodeJS.Timeout;
}

/**
 * One subscriber's stream: holds the newest snapshot not yet taken (older ones are dropped, and
 * one equal to the last delivered is not sent again), and ends after delivering a settled one.
 */
export class ProgressSink implements AsyncIterableIterator<CampaignProgress> {
  private pending: CampaignProgress | null = null;
  private lastSeq = 0;
  private lastDeliveredKey?: string;
  private sawSettled = false;
  private closed = false;
  private waiting?: (result: IteratorResult<CampaignProgress>) => void;

  constructor(private readonly onClose: () => void) {}

  offer(seq: number, progress: CampaignProgress): void {
    if (this.closed || this.sawSettled || seq <= this.lastSeq) {
      return;
    }
    this.lastSeq = seq;
    const key = progressKey(progress);
    this.pending = key === this.lastDeliveredKey ? null : progress;
    this.sawSettled = isSettled(progress);
    this.wake();
  }

  next(): Promise<IteratorResult<CampaignProgress>> {
    const result = this.take();
    return result ? Promise.resolve(result) : new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<CampaignProgress>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<CampaignProgress>> {
    this.close();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.pending = null;
    this.onClose();
    this.wake();
  }

  /** The next result if one is ready: a snapshot, or the end. */
  private take(): IteratorResult<CampaignProgress> | undefined {
    if (this.pending) {
      const value = this.pending;
      this.pending = null;
      this.lastDeliveredKey = progressKey(value);
      return { value, done: false };
    }
    if (this.sawSettled && !this.closed) {
      this.close();
    }
    return this.closed ? { value: undefined, done: true } : undefined;
  }

  private wake(): void {
    const waiting = this.waiting;
    if (!waiting) {
      return;
    }
    this.waiting = undefined;
    const result = this.take();
    if (result) {
      waiting(result);
    } else {
      this.waiting = waiting;
    }
  }
}

/**
 * A final status with nothing left to report. A campaign cancelled (or failed) while messages were
 * at the provider has them report for a while after: their outcomes and costs are part of what
 * happened, so the stream goes on until none is waiting, submitted, queued or sent (what
 * completeFinished waits for before COMPLETED). Before, it ended at the cancel, short of them.
 */
export function isSettled(progress: CampaignProgress): boolean {
  return (
    FINAL_CAMPAIGN_STATUSES.has(progress.status) &&
    progress.pending + progress.submitted + progress.queued + progress.sent === 0
  );
}

// What makes two snapshots different for a client; the estimate alone moving does not.
function progressKey(progress: CampaignProgress): string {
  const { estimatedCompletionAt: _eta, ...rest } = progress;
  return JSON.stringify(rest);
}
