import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import {
  AppendOutcome,
  AppendRequest,
  AppendResult,
  DeliveryReportRepository,
  NewDeliveryReport,
} from '../persistence/delivery-report.repository';
import { AppliedReportsFollowUp } from './applied-reports-follow-up.service';
import { withDbRetry } from '../persistence/db-retry';
import { DeliveryReportMetrics } from './delivery-report.metrics';
import { OPT_OUT_SUPPRESSION_REASON, applyUpdateOf } from './report-apply-plan';

interface Pending {
  request: AppendRequest;
  resolve: (outcome: AppendOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * The intake cannot commit this report in time (too many waiting, or the database is slow): the
 * webhook answers 503 and Plivo sends it again. Nothing is lost: a report that still gets written
 * makes the retry a duplicate.
 */
export class IntakeSaturatedError extends Error {
  constructor(readonly reason: 'queue_full' | 'answer_timeout') {
    super(
      reason === 'queue_full'
        ? 'Too many delivery reports waiting to be stored; retry later'
        : 'Delivery report not stored in time; retry later',
    );
  }
}

/** Group-commit tuning; the defaults keep p99 low and statements large under bursts. */
export class IntakeOptions {
  /** Most reports in one INSERT statement. */
  maxBatch = 1000;
  /**
   * Statements in flight at once (each holds a pool connection). One: the statements of one campaign
   * wait for each other on its counters row anyway, and one at a time gathers larger statements; at 64
   * connections this cut PostgreSQL's CPU per report by a quarter against two (bench/delivery-reports.ts).
   */
  maxInFlight = 1;
}

const NONCE_PURGE_INTERVAL_MS = 60_000;

/**
 * Durable-first intake with group commit: concurrent requests are gathered (everything that arrived
 * while the previous statements ran) and written in ONE multi-row statement with their nonces, which
 * also applies each stored report whose message is found; each request's promise resolves after the
 * commit, so the HTTP 200 is only sent for a durable report. What it could not apply is left to
 * DeliveryReportApplier (woken through onLeftUnapplied).
 */
@Injectable()
export class DeliveryReportIntake implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryReportIntake.name);
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly flushes = new Set<Promise<void>>();
  private purgeTimer: NodeJS.Timeout | undefined;
  private readonly listeners: Array<() => void> = [];
  private readonly options = new IntakeOptions();

  constructor(
    private readonly reports: DeliveryReportRepository,
    private readonly config: AppConfig,
    private readonly metrics: DeliveryReportMetrics,
    private readonly followUp: AppliedReportsFollowUp,
  ) {}

  onModuleInit(): void {
    const window = this.config.deliveryReports.replayWindowMs;
    this.purgeTimer = setInterval(() => void this.purgeNonces(window), Math.min(NONCE_PURGE_INTERVAL_MS, window));
    this.purgeTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.drain();
    // The follow-ups of the last writes, before the database closes: the follow-up's own shutdown hook
    // may have run already, and arms no timer after it.
    await this.followUp.flush();
  }

  /** Tuning hook for benchmarks and tests. */
  configure(options: Partial<IntakeOptions>): void {
    Object.assign(this.options, options);
  }

  /** Called after each commit that stored reports it could not apply (the applier wakes up). */
  onLeftUnapplied(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once the report (and its nonce) is committed, or found to be a duplicate or replay. */
  append(report: NewDeliveryReport, nonce: string | null): Promise<AppendOutcome> {
    return new Promise<AppendOutcome>((resolve, reject) => {
      this.queue.push({ request: { report, nonce, apply: applyUpdateOf(report) }, resolve, reject });
      this.schedule();
    });
  }

  /**
   * The webhook's append: bounded in memory and in time. Past WEBHOOK_MAX_PENDING waiting reports it
   * refuses at once; a report not committed within WEBHOOK_ANSWER_TIMEOUT_MS is answered with
   * IntakeSaturatedError while its write goes on (Plivo's retry then finds it stored).
   */
  appendWithinDeadline(report: NewDeliveryReport, nonce: string): Promise<AppendOutcome> {
    const { maxPendingReports, answerTimeoutMs } = this.config.deliveryReports;
    if (this.queue.length >= maxPendingReports) {
      this.metrics.saturated.inc({ reason: 'queue_full' });
      return Promise.reject(new IntakeSaturatedError('queue_full'));
    }
    return new Promise<AppendOutcome>((resolve, reject) => {
      let answered = false;
      const timer = setTimeout(() => {
        answered = true;
        this.metrics.saturated.inc({ reason: 'answer_timeout' });
        reject(new IntakeSaturatedError('answer_timeout'));
      }, answerTimeoutMs);
      const settle = (): void => {
        answered = true;
        clearTimeout(timer);
      };
      this.queue.push({
        request: { report, nonce, apply: applyUpdateOf(report) },
        resolve: (outcome) => {
          if (!answered) {
            settle();
            resolve(outcome);
          }
        },
        reject: (error) => {
          if (!answered) {
            settle();
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
      });
      this.schedule();
    });
  }

  /** Appends reports found by polling (no nonce), in the same path. */
  appendMany(reports: NewDeliveryReport[]): Promise<AppendOutcome[]> {
    return Promise.all(reports.map((report) => this.append(report, null)));
  }

  /** Waits until everything queued so far is written. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushes.size > 0) {
      this.schedule();
      await Promise.all([...this.flushes]);
      if (this.flushes.size === 0 && this.queue.length > 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) {
      return;
    }
    this.scheduled = true;
    // Gather everything that arrives in this turn of the event loop into one statement.
    setImmediate(() => {
      this.scheduled = false;
      this.flushAvailable();
    });
  }

  private flushAvailable(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.takeBatch();
      this.inFlight++;
      const flush = this.write(batch).finally(() => {
        this.inFlight--;
        this.flushes.delete(flush);
        if (this.queue.length > 0) {
          this.schedule();
        }
      });
      this.flushes.add(flush);
    }
  }

  private takeBatch(): Pending[] {
    const size = Math.min(this.queue.length, this.options.maxBatch);
    const batch = this.queue.length === size ? this.queue : this.queue.slice(0, size);
    this.queue = this.queue.length === size ? [] : this.queue.slice(size);
    return batch;
  }

  private async write(batch: Pending[]): Promise<void> {
    // One statement cannot carry the same nonce or dedupeKey twice: later copies are answered as such.
    const unique: Pending[] = [];
    const echoes: Array<{ pending: Pending; of: Pending; replay: boolean }> = [];
    const byNonce = new Map<string, Pending>();
    const byKey = new Map<string, Pending>();
    for (const pending of batch) {
      const { nonce, report } = pending.request;
      const sameNonce = nonce === null ? undefined : byNonce.get(nonce);
      const sameKey = byKey.get(report.dedupeKey);
      if (sameNonce || sameKey) {
        echoes.push({ pending, of: (sameNonce ?? sameKey)!, replay: sameNonce !== undefined });
        continue;
      }
      if (nonce !== null) {
        byNonce.set(nonce, pending);
      }
      byKey.set(report.dedupeKey, pending);
      unique.push(pending);
    }
    const started = performance.now();
    try {
      const result = await withDbRetry(() =>
        this.reports.appendMany(
          unique.map((p) => p.request),
          this.config.deliveryReports.replayWindowMs,
          OPT_OUT_SUPPRESSION_REASON,
        ),
      );
      const outcomes = result.outcomes;
      this.metrics.appendSeconds.observe((performance.now() - started) / 1000);
      this.metrics.appendBatchSize.observe(unique.length);
      this.recordApplied(result);
      const outcomeOf = new Map<Pending, AppendOutcome>();
      const counts = new Map<AppendOutcome, number>();
      const settle = (pending: Pending, outcome: AppendOutcome): void => {
        counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
        pending.resolve(outcome);
      };
      unique.forEach((pending, index) => {
        outcomeOf.set(pending, outcomes[index]);
        settle(pending, outcomes[index]);
      });
      for (const { pending, of, replay } of echoes) {
        // A replayed nonce never has effect; a second copy of a report is a duplicate of the first.
        settle(pending, replay ? 'replay' : outcomeOf.get(of) === 'replay' ? 'replay' : 'duplicate');
      }
      // Counted once per outcome and statement, not per report: prom-client hashes the labels on every call.
      counts.forEach((count, outcome) => this.metrics.received.inc({ outcome }, count));
      if (result.unappliedReports > 0) {
        this.listeners.forEach((listener) => listener());
      }
      this.followUp.schedule(result.campaignIds);
    } catch (error) {
      this.logger.error(`Could not store ${batch.length} delivery reports: ${String(error)}`);
      batch.forEach((pending) => pending.reject(error));
    }
  }

  private recordApplied(result: AppendResult): void {
    this.metrics.applied.inc({ result: 'applied' }, result.applied);
    // Several reports for one message in a statement move it once; the others are stale, as are late ones.
    this.metrics.applied.inc({ result: 'stale' }, Math.max(0, result.appliedReports - result.applied));
    this.metrics.suppressed.inc(result.suppressed);
  }

  private async purgeNonces(windowMs: number): Promise<void> {
    try {
      await this.reports.purgeNonces(windowMs);
    } catch (error) {
      this.logger.warn(`Nonce purge failed: ${String(error)}`);
    }
  }
}
