import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { IdleBackoff } from '../common/loops/idle-backoff';
import { AppConfig } from '../config/app-config.service';
import { CampaignEvents } from '../domain/campaign-events';
import { CampaignRepository } from '../persistence/campaign.repository';
import { DispatchRepository } from '../persistence/dispatch.repository';
import { AmbiguousBatchReconciler } from './ambiguous-batch-reconciler';
import { BatchClaimer, Claim } from './batch-claimer';
import { BatchSubmitter } from './batch-submitter';
import { DispatcherWakeup } from './dispatcher-wakeup';

const LIFECYCLE_INTERVAL_MS = 1_000;
// On the first lifecycle tick (a restarted process at once completes what the stopped one left open)
// and every this many after it, campaigns left open with every message final are completed.
const FINISHED_SWEEP_TICKS = 10;
const ERROR_BACKOFF_MS = 1_000;
// Polls that found nothing due for this long before the poller slows to DISPATCH_IDLE_POLL_MS.
const IDLE_AFTER_MS = 1_000;
// Of an instance's workers, at most this share checks ambiguous batches at a time (at least one): a check
// waits for the account's list budget (20 a minute, shared by every instance) for minutes, and nine
// checks once held all of them, so that no new campaign was sent for as long.
const RECONCILING_SHARE = 1 / 4;

/**
 * The durable dispatcher: DISPATCH_CONCURRENCY workers per instance claim due batches from
 * PostgreSQL (leased, SKIP LOCKED, paced in shared rows), submit them and record the outcome.
 * Any number of instances can run against one database; a crashed instance's batches come back
 * when their lease expires and are reconciled, never blindly resent.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DispatcherService.name);
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private running = false;
  private workers: Array<Promise<void>> = [];
  private lifecycleTimer?: NodeJS.Timeout;
  private stopping?: Promise<void>;
  private sleepers = new Set<() => void>();
  // Workers with nothing to claim yet wait here, without a timer, while another one (the poller) looks
  // again when the next claim can succeed.
  private parked = new Set<() => void>();
  private poller: { index: number; dueAt: number } | null = null;
  private ticks = 0;
  private readonly idle: IdleBackoff;
  private reconciling = 0;
  private readonly maxReconciling: number;
  // Aborted on stop: a check waiting for the list budget ends at once instead of holding the shutdown.
  private readonly stopSignal = new AbortController();

  constructor(
    private readonly dispatch: DispatchRepository,
    private readonly campaigns: CampaignRepository,
    private readonly submitter: BatchSubmitter,
    private readonly reconciler: AmbiguousBatchReconciler,
    private readonly claimer: BatchClaimer,
    private readonly config: AppConfig,
    private readonly events: CampaignEvents,
    wakeup: DispatcherWakeup,
  ) {
    wakeup.onWake(() => this.wakeOne());
    const { pollMs, idlePollMs } = config.dispatch;
    this.maxReconciling = Math.max(1, Math.floor(config.dispatch.concurrency * RECONCILING_SHARE));
    this.idle = new IdleBackoff({
      busyIntervalMs: pollMs,
      idleIntervalMs: idlePollMs,
      idleAfterMs: IDLE_AFTER_MS,
    });
  }

  onApplicationBootstrap(): void {
    this.running = true;
    const { concurrency } = this.config.dispatch;
    this.workers = Array.from({ length: concurrency }, (_, index) => this.work(index));
    this.lifecycleTimer = setInterval(() => void this.lifecycleTick(), LIFECYCLE_INTERVAL_MS);
    this.lifecycleTimer.unref();
    this.logger.log(`Dispatcher ${this.owner} started with ${concurrency} workers`);
  }

  /**
   * Stop claiming, let in-flight submissions finish and record their outcome, release leases. Every call
   * waits for the same stop: a second one (a forced close, then close()) that returned at once let the
   * database disconnect under a step still running, whose transaction then started during Prisma's
   * disconnect, was left open on its connection, and held PGlite's one backend for ever.
   */
  onModuleDestroy(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    if (!this.running) {
      return;
    }
    this.running = false;
    clearInterval(this.lifecycleTimer);
    this.stopSignal.abort(new Error('the dispatcher is stopping'));
    this.wakeAll();
    await Promise.all(this.workers);
    await this.dispatch.releaseLeases(this.owner).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'Could not release leases; they will expire');
    });
    this.logger.log(`Dispatcher ${this.owner} stopped`);
  }

  private async work(index: number): Promise<void> {
    while (this.running) {
      let claim: Claim;
      // A check slot is reserved before the claim (workers claim side by side) and given back unless used.
      const mayReconcile = this.reconciling < this.maxReconciling;
      if (mayReconcile) {
        this.reconciling++;
      }
      try {
        claim = await this.claimer.claimNext(this.owner, { reconcile: mayReconcile });
      } catch (error) {
        this.reconciling -= mayReconcile ? 1 : 0;
        this.logger.error({ err: error, worker: index }, 'Dispatch step failed');
        await this.sleep(ERROR_BACKOFF_MS);
        continue;
      }
      if (mayReconcile && claim.kind !== 'reconcile') {
        this.reconciling--;
      }
      // Nothing due at all counts towards idleness; anything else (a pacing wait included) ends it.
      this.idle.passFound(claim.kind === 'idle' ? 0 : 1);
      if (claim.kind === 'idle') {
        await this.waitForWork(index, this.idle.intervalMs());
        continue;
      }
      if (claim.kind === 'wait') {
        await this.waitForWork(index, Math.min(this.config.dispatch.pollMs, Math.max(0, claim.untilMs - Date.now())));
        continue;
      }
      // Work was found: a waiting worker comes to claim the next one, and so on, so that every worker
      // takes part while there is work that can be claimed now.
      this.handOn(index);
      try {
        await this.process(claim);
      } catch (error) {
        this.logger.error({ err: error, worker: index }, 'Dispatch step failed');
        await this.sleep(ERROR_BACKOFF_MS);
      }
    }
  }

  /**
   * Nothing can be claimed before `ms` (nothing due, or the pacing's next turn): one worker, the
   * poller, claims again then; the others wait until it finds work, or work is stored here. A paced
   * campaign costs an instance one claim per turn (two with the hand-on), not one per worker, each
   * a transaction queued on the account's pacing row (on the embedded PGlite, on the whole database).
   */
  private async waitForWork(index: number, ms: number): Promise<void> {
    const dueAt = Date.now() + ms;
    if (this.poller === null || this.poller.index === index || dueAt < this.poller.dueAt) {
      this.poller = { index, dueAt };
      await this.sleep(ms);
      return;
    }
    await this.sleep();
  }

  private handOn(index: number): void {
    if (this.poller?.index === index) {
      this.poller = null;
    }
    const [first] = this.parked;
    first?.();
  }

  private async process(claim: Exclude<Claim, { kind: 'idle' | 'wait' }>): Promise<void> {
    switch (claim.kind) {
      case 'submit': {
        // Every batch of the claim is SUBMITTING already: their requests go out side by side, and all
        // have settled (recorded, or left to their lease) before the worker goes on or stops.
        const outcomes = await Promise.allSettled(
          claim.batches.map(({ batch, recipients }) =>
            this.submitter.submit(this.owner, batch, recipients, claim.pacingKeys),
          ),
        );
        this.events.campaignsChanged([claim.batches[0].batch.campaignId]);
        const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        if (failed) {
          throw failed.reason;
        }
        return;
      }
      case 'reconcile':
        try {
          await this.reconciler.reconcile(this.owner, claim.batch, this.stopSignal.signal);
        } finally {
          this.reconciling--;
        }
        this.events.campaignsChanged([claim.batch.campaignId]);
        return;
      case 'paused':
        this.logger.warn({ campaignId: claim.campaignId, reason: claim.reason }, 'Campaign paused');
        this.events.campaignsChanged([claim.campaignId]);
        return;
    }
  }

  private async lifecycleTick(): Promise<void> {
    try {
      const started = await this.dispatch.startScheduledCampaigns();
      if (started.length > 0) {
        this.logger.log({ campaignIds: started }, 'Scheduled campaigns started');
        this.events.campaignsChanged(started);
        this.wakeAll();
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not start scheduled campaigns');
    }
    if (this.ticks++ % FINISHED_SWEEP_TICKS === 0) {
      await this.completeLeftOpen();
    }
  }

  /** The completion a stopped process or a failed follow-up did not make (docs/sending.md). */
  private async completeLeftOpen(): Promise<void> {
    try {
      const completed = await this.campaigns.completeAllFinished();
      if (completed.length > 0) {
        this.logger.warn({ campaignIds: completed }, 'Completed campaigns left open with every message final');
        this.events.campaignsChanged(completed);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not complete finished campaigns');
    }
  }

  /** Until `ms` has passed or the workers are woken; without `ms`, parked until woken. */
  private sleep(ms?: number): Promise<void> {
    if (!this.running) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        this.parked.delete(wake);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(wake, ms);
      this.sleepers.add(wake);
      if (ms === undefined) {
        this.parked.add(wake);
      }
    });
  }

  /**
   * Work was stored here: one worker comes to claim it, and hands on to the next while it finds work
   * (`work`). Waking all of them made each sendBulk cost a `hasDue` per worker (DISPATCH_CONCURRENCY, 8),
   * most finding nothing: 8 statements a sendBulk, now 1.2 (151 scheduled sendBulks of one recipient).
   */
  private wakeOne(): void {
    const [first] = this.parked.size > 0 ? this.parked : this.sleepers;
    first?.();
  }

  private wakeAll(): void {
    for (const wake of [...this.sleepers]) {
      wake();
    }
  }
}
