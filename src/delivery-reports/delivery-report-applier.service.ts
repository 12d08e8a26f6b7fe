import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { IdleBackoff } from '../common/loops/idle-backoff';
import { WakeableLoop } from '../common/loops/wakeable-loop';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { ApplyOutcome, ClaimedReport, DeliveryReportRepository } from '../persistence/delivery-report.repository';
import { isOptOutErrorCode } from '../sms-gateway/plivo-status.mapper';
import { AppliedReportsFollowUp } from './applied-reports-follow-up.service';
import { withDbRetry } from '../persistence/db-retry';
import { DeliveryReportIntake } from './delivery-report-intake.service';
import { DeliveryReportMetrics } from './delivery-report.metrics';
import { OPT_OUT_SUPPRESSION_REASON, planReportApply, ReportApplyPlan } from './report-apply-plan';

/** An unmatched report is retried for this long (its message may not be committed yet), then given up. */
export const UNMATCHED_RETRY_MAX_AGE_MS = 24 * 3600 * 1000;
const UNMATCHED_FIRST_RETRY_MS = 250;
const UNMATCHED_MAX_RETRY_MS = 30_000;
const ERROR_PAUSE_MS = 1000;
// How long passes claim nothing before the loop slows to REPORT_APPLY_IDLE_INTERVAL_MS: at a steady 50 ms
// an idle service ran 20 claim transactions a second, a third of its idle CPU.
const IDLE_AFTER_MS = 1_000;

interface ApplyPassResult extends ApplyOutcome {
  claimed: ClaimedReport[];
  plan: ReportApplyPlan;
}

interface Deferred {
  nextAt: number;
  attempts: number;
}

export interface ApplyPassSummary {
  claimed: number;
  applied: number;
  unmatched: number;
  campaignIds: string[];
}

/**
 * Applies the stored reports the intake could not apply as they came in (message not found yet, e.g.
 * a report ahead of its batch's acceptance; unknown status; reports of an earlier version), in batches: one transaction per pass (claim with SKIP LOCKED,
 * one UPDATE for the whole batch, mark applied), then completes finished campaigns and tells
 * live-progress subscribers. Runs every REPORT_APPLY_INTERVAL_MS, and at once when reports arrive.
 */
@Injectable()
export class DeliveryReportApplier implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryReportApplier.name);
  private readonly deferred = new Map<string, Deferred>();
  private readonly loop: WakeableLoop;
  private readonly idle: IdleBackoff;
  private passChain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly reports: DeliveryReportRepository,
    private readonly followUp: AppliedReportsFollowUp,
    private readonly intake: DeliveryReportIntake,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: DeliveryReportMetrics,
  ) {
    const { applyBatchSize, applyIntervalMs, applyIdleIntervalMs } = config.deliveryReports;
    // REPORT_APPLY_INTERVAL_MS while there is work, REPORT_APPLY_IDLE_INTERVAL_MS once passes find none: the
    // intake wakes the loop when it stores a report it could not apply, so idle polling only finds reports
    // stored by another instance, and retries of unmatched ones (which back off from 250 ms to 30 s).
    this.idle = new IdleBackoff({
      busyIntervalMs: applyIntervalMs,
      idleIntervalMs: applyIdleIntervalMs,
      idleAfterMs: IDLE_AFTER_MS,
    });
    this.loop = new WakeableLoop({
      pass: async () => (await this.applyOnce()).claimed >= applyBatchSize,
      intervalMs: () => this.idle.intervalMs(),
      errorPauseMs: ERROR_PAUSE_MS,
      onError: (error) => this.logger.error(`Apply pass failed: ${String(error)}`),
    });
    this.intake.onLeftUnapplied(() => this.notify());
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    this.loop.start();
  }

  /** Stops the loop, and waits for passes started outside it (applyAll) too. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.passChain.catch(() => undefined);
  }

  /** New reports were stored: run a pass now rather than at the next interval. */
  notify(): void {
    this.loop.wake();
  }

  /**
   * Applies until nothing due is left, then runs the follow-ups the intake gathered; returns the total
   * (tests and the receipt window use it).
   */
  async applyAll(): Promise<ApplyPassSummary> {
    const total: ApplyPassSummary = { claimed: 0, applied: 0, unmatched: 0, campaignIds: [] };
    const campaigns = new Set<string>();
    for (;;) {
      const pass = await this.applyOnce();
      total.claimed += pass.claimed;
      total.applied += pass.applied;
      total.unmatched += pass.unmatched;
      pass.campaignIds.forEach((id) => campaigns.add(id));
      if (pass.claimed < this.config.deliveryReports.applyBatchSize) {
        break;
      }
    }
    total.campaignIds = [...campaigns];
    // What the intake applied meanwhile is followed up too (campaigns completed, subscribers told).
    await this.followUp.flush();
    return total;
  }

  /** One pass; passes of this instance never overlap. */
  applyOnce(): Promise<ApplyPassSummary> {
    const next = this.passChain.then(() => this.pass());
    this.passChain = next.catch(() => undefined);
    return next;
  }

  private async pass(): Promise<ApplyPassSummary> {
    const started = performance.now();
    const now = this.clock.now();
    const exclude = this.dueExclusions(now.getTime());
    // One transaction: claim, plan (forward-only rule, in report-apply-plan.ts), apply in one statement.
    const result = await withDbRetry(() =>
      this.reports.inApplyTransaction(async (tx): Promise<ApplyPassResult | null> => {
        const claimed = await tx.claimUnapplied(this.config.deliveryReports.applyBatchSize, exclude);
        if (claimed.length === 0) {
          return null;
        }
        const plan = planReportApply(claimed, now, UNMATCHED_RETRY_MAX_AGE_MS);
        const updates = plan.updates.map((update) => ({ ...update, optOut: isOptOutErrorCode(update.errorCode) }));
        const outcome = await tx.applyPlan(updates, plan.reports, OPT_OUT_SUPPRESSION_REASON);
        return { claimed, plan, ...outcome };
      }),
    );
    this.idle.passFound(result?.claimed.length ?? 0);
    if (!result) {
      return { claimed: 0, applied: 0, unmatched: 0, campaignIds: [] };
    }
    const unmatched = this.trackUnmatched(result, now.getTime());
    this.record(result, unmatched, performance.now() - started);
    await this.followUp.run(result.campaignIds);
    return { claimed: result.claimed.length, applied: result.applied, unmatched, campaignIds: result.campaignIds };
  }

  /** Unmatched reports stay unapplied; this instance retries them with backoff. */
  private trackUnmatched(result: ApplyPassResult, now: number): number {
    const forced = new Set(result.plan.reports.filter((r) => r.force).map((r) => r.id));
    let unmatched = 0;
    for (const report of result.claimed) {
      if (forced.has(report.id) || result.matchedUuids.has(report.messageUuid)) {
        this.deferred.delete(report.id);
        continue;
      }
      unmatched++;
      const attempts = (this.deferred.get(report.id)?.attempts ?? 0) + 1;
      const delay = Math.min(UNMATCHED_FIRST_RETRY_MS * 2 ** (attempts - 1), UNMATCHED_MAX_RETRY_MS);
      this.deferred.set(report.id, { nextAt: now + delay, attempts });
    }
    for (const report of result.plan.givenUp) {
      if (!result.matchedUuids.has(report.messageUuid)) {
        this.metrics.applied.inc({ result: 'given_up' });
        this.logger.warn(
          `Gave up on delivery report ${report.id} (MessageUUID ${report.messageUuid}, batch ${report.batchId ?? 'none'}): no matching message after 24 h`,
        );
      }
    }
    this.metrics.deferred.set(this.deferred.size);
    return unmatched;
  }

  private dueExclusions(now: number): string[] {
    const exclude: string[] = [];
    for (const [id, entry] of this.deferred) {
      if (entry.nextAt > now) {
        exclude.push(id);
      } else if (entry.attempts > 64) {
        // Another instance may have applied it; forget it (it is claimed again if still unapplied).
        this.deferred.delete(id);
      }
    }
    return exclude;
  }

  private record(result: ApplyPassResult, unmatched: number, elapsedMs: number): void {
    const plan = result.plan;
    const known = result.claimed.length - plan.unknownStatus.length;
    this.metrics.applySeconds.observe(elapsedMs / 1000);
    this.metrics.applied.inc({ result: 'applied' }, result.applied);
    this.metrics.applied.inc({ result: 'stale' }, Math.max(0, known - unmatched - result.applied));
    this.metrics.applied.inc({ result: 'unknown_status' }, plan.unknownStatus.length);
    this.metrics.suppressed.inc(result.suppressed);
    for (const report of plan.unknownStatus) {
      this.logger.warn(`Ignored delivery report ${report.id} with unknown status "${report.status}"`);
    }
  }
}
