import { Injectable, Logger } from '@nestjs/common';
import { mapWithConcurrency } from '../common/async/map-with-concurrency';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { SubmissionErrorCode } from '../domain/message-error-code';
import { CampaignRepository } from '../persistence/campaign.repository';
import { BatchRef, DispatchRepository, DueBatch } from '../persistence/dispatch.repository';
import { Transactor } from '../persistence/transactor';
import { SmsGateway } from '../sms-gateway/sms-gateway';
import { AccountSmsGateways } from './account-sms-gateways';
import { ProviderApiBudget } from './provider-api-budget';
import { SmsGatewayError } from '../sms-gateway/sms-gateway.error';
import { ListProviderMessagesQuery, ProviderMessageRecord } from '../sms-gateway/sms-gateway.types';

// Plivo lists 20 messages per page; past this many pages the listing counts as incomplete.
const PAGE_SIZE = 20;
const MAX_PAGES = 1_000;
// Tolerance between our clock and the provider's when listing around the attempt: a message the
// attempt created is timed between the attempt and its timeout, give or take this.
const CLOCK_SKEW_MS = 15_000;
const PAGE_ATTEMPTS = 4;
// A failed page is asked again after this share of DISPATCH_RETRY_BASE_SECONDS times the attempt:
// 250, 500, 750 ms at the default 2 s. Tied to the base so that a deployment (or a drill) that
// retries submissions faster also retries its listings faster.
const PAGE_RETRY_SHARE_OF_BASE = 1 / 8;
// Per-number lookups of one batch in flight at a time.
const NUMBER_LOOKUPS_IN_FLIGHT = 4;

/**
 * Establishes what happened to a batch whose submission has no known outcome (a timeout, a reset
 * socket, a crash while submitting). Plivo has no idempotency key, so the rule is: under-send
 * rather than double-send.
 * 1. Delivery reports tagged with the batch prove Plivo has it: accepted, nothing resent.
 * 2. Otherwise Plivo's message records around the attempt are listed: numbers found there are
 *    accepted; when the listing is complete, numbers not found are provably not at Plivo and
 *    only those are sent again.
 * 3. When nothing can be proven after DISPATCH_RECONCILE_ATTEMPTS checks, the messages fail as
 *    "submission_unconfirmed" and are not resent.
 */
@Injectable()
export class AmbiguousBatchReconciler {
  private readonly logger = new Logger(AmbiguousBatchReconciler.name);

  constructor(
    private readonly gateways: AccountSmsGateways,
    private readonly dispatch: DispatchRepository,
    private readonly campaigns: CampaignRepository,
    private readonly transactor: Transactor,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly budget: ProviderApiBudget,
  ) {}

  /**
   * `signal` aborts the check (the dispatcher stopping): it ends without a verdict, and the batch's lease
   * is released for the next check.
   */
  async reconcile(owner: string, batch: DueBatch, signal?: AbortSignal): Promise<void> {
    const { reconcileDelayMs, reconcileAttempts } = this.config.dispatch;
    const now = this.clock.now().getTime();
    const cancelled = batch.campaignStatus === 'CANCELLED';
    if (await this.dispatch.hasProviderEvidence(batch)) {
      await this.settle(batch, [], 'none');
      this.logger.log({ batchId: batch.id }, 'Ambiguous batch confirmed by delivery reports');
      return this.done(batch);
    }
    const attemptedAt = batch.submittedAt?.getTime() ?? batch.createdAt.getTime();
    if (now < attemptedAt + reconcileDelayMs) {
      return this.dispatch.recordReconcileAttempt(batch.id, null, new Date(attemptedAt + reconcileDelayMs));
    }
    const recipients = await this.dispatch.pendingRecipients(batch);
    try {
      // Listed with the credentials the batch was sent with: the account's own sub-account or the service's.
      const gateway = this.gateways.forAccount(batch);
      const { found, complete } = await this.findAtProvider(gateway, owner, batch, recipients, attemptedAt, signal);
      if (complete || found.length > 0) {
        const rest = recipients.length - found.length;
        const resend = rest === 0 ? 'none' : !complete ? null : cancelled ? 'cancel-rest' : 'rest';
        if (resend !== null) {
          await this.settle(batch, found, resend);
          this.logger.log(
            { batchId: batch.id, found: found.length, resend: resend === 'rest' ? rest : 0 },
            'Ambiguous batch reconciled',
          );
          return this.done(batch);
        }
      }
      return this.retryLater(batch, found.length > 0 ? 'listing incomplete' : 'not found yet', reconcileAttempts);
    } catch (error) {
      if (error instanceof SmsGatewayError) {
        return this.retryLater(batch, `listing failed: ${error.message}`, reconcileAttempts);
      }
      if (signal?.aborted) {
        this.logger.log({ batchId: batch.id }, 'Ambiguous batch check stopped: the dispatcher is stopping');
        return;
      }
      throw error;
    }
  }

  private async retryLater(batch: DueBatch, why: string, maxAttempts: number): Promise<void> {
    if (batch.reconcileAttempts + 1 >= maxAttempts) {
      this.logger.warn(
        { batchId: batch.id, why },
        'Ambiguous batch could not be settled: its messages fail unconfirmed',
      );
      await this.transactor.run(async (tx) => {
        await tx.dispatch.markFailed(batch.id, `submission outcome unknown after ${maxAttempts} checks (${why})`);
        await tx.dispatch.failWaitingMessages(batch, SubmissionErrorCode.UNCONFIRMED);
      });
      return this.done(batch);
    }
    const delay = this.config.dispatch.reconcileDelayMs * Math.min(8, 2 ** batch.reconcileAttempts);
    await this.dispatch.recordReconcileAttempt(batch.id, why, new Date(this.clock.now().getTime() + delay));
  }

  /**
   * Settles the batch from what the provider proved: `found` numbers are there (SUBMITTED with their
   * id); with 'rest' the others are provably not there and wait to be sent again, with 'cancel-rest'
   * they are cancelled with their campaign, with 'none' the provider has the whole batch. The batch
   * row first (the lock order every writer follows); nothing changes if it is no longer ambiguous.
   */
  private async settle(
    batch: BatchRef,
    found: Array<{ to: string; messageUuid: string }>,
    resend: 'none' | 'rest' | 'cancel-rest',
  ): Promise<void> {
    const state = resend === 'rest' ? 'PENDING' : resend === 'cancel-rest' ? 'CANCELLED' : 'ACCEPTED';
    await this.transactor.run(async (tx) => {
      if (!(await tx.dispatch.settleAmbiguousBatch(batch.id, state, found.length > 0))) {
        return;
      }
      await tx.dispatch.submitFoundMessages(batch, found);
      if (resend === 'none') {
        await tx.dispatch.submitAllWaitingMessages(batch);
      } else if (resend === 'cancel-rest') {
        await tx.dispatch.cancelWaitingMessages(batch);
      }
    });
  }

  private async done(batch: DueBatch): Promise<void> {
    await this.campaigns.completeFinished([batch.campaignId]);
  }

  /**
   * Keeps this instance's lease on the batch while its check runs: renewed once a third of the lease
   * has passed since it was taken or last renewed, not after every request (one UPDATE per looked-up
   * number was most of the database's work in a reconciliation).
   */
  private leaseKeeper(batchId: string, owner: string): () => Promise<void> {
    const { leaseMs } = this.config.dispatch;
    let renewedAt = this.clock.now().getTime();
    return async () => {
      const now = this.clock.now().getTime();
      if (now - renewedAt < leaseMs / 3) {
        return;
      }
      renewedAt = now;
      await this.dispatch.extendLease(batchId, owner, leaseMs);
    };
  }

  /**
   * One page of the provider's records; a page that fails for a passing reason is asked again. While it
   * waits for the account's list budget (20 a minute, shared by every instance and every check), the
   * batch's lease is kept.
   */
  private async listPage(
    gateway: SmsGateway,
    query: ListProviderMessagesQuery,
    waiting: { signal?: AbortSignal; whileWaiting: () => Promise<void> },
  ): Promise<ProviderMessageRecord[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.budget.beforeRead('list', waiting);
        return await gateway.listMessages(query);
      } catch (error) {
        if (
          !(error instanceof SmsGatewayError) ||
          error.kind === 'pause' ||
          error.kind === 'permanent' ||
          attempt >= PAGE_ATTEMPTS
        ) {
          throw error;
        }
        const pauseMs = this.config.dispatch.retryBaseMs * PAGE_RETRY_SHARE_OF_BASE * attempt;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
  }

  /**
   * The batch's numbers that the provider has a message for, sent around the attempt. Either every
   * message in the time window is listed, or each number is looked up: whichever takes fewer
   * requests at the account's rate (a busy account fills a window with other campaigns' messages).
   * A record another message carries, or another batch's answer names, is that message's (another
   * campaign to the same number): each number takes its first record that is nobody else's.
   */
  private async findAtProvider(
    gateway: SmsGateway,
    owner: string,
    batch: BatchRef,
    recipients: string[],
    attemptedAt: number,
    signal: AbortSignal | undefined,
  ): Promise<{ found: Array<{ to: string; messageUuid: string }>; complete: boolean }> {
    const since = new Date(attemptedAt - CLOCK_SKEW_MS);
    const until = new Date(
      Math.min(this.clock.now().getTime(), attemptedAt + this.config.plivoTimeoutMs) + CLOCK_SKEW_MS,
    );
    const windowPages = Math.ceil(
      (this.config.dispatch.accountMps * (until.getTime() - since.getTime())) / 1000 / PAGE_SIZE,
    );
    // Each number's records in the provider's order; narrowed to the batch's own at the end.
    const candidates = new Map<string, string[]>();
    const note = (to: string, messageUuid: string) => {
      const list = candidates.get(to);
      if (list) {
        list.push(messageUuid);
      } else {
        candidates.set(to, [messageUuid]);
      }
    };
    const result = async (complete: boolean) => {
      const taken = await this.dispatch.providerIdsTakenElsewhere(
        batch,
        [...candidates.values()].flat(),
        new Date(since.getTime() - this.config.plivoTimeoutMs),
        until,
      );
      const found: Array<{ to: string; messageUuid: string }> = [];
      for (const [to, uuids] of candidates) {
        const messageUuid = uuids.find((uuid) => !taken.has(uuid));
        if (messageUuid) {
          found.push({ to, messageUuid });
        }
      }
      return { found, complete };
    };
    const keepLease = this.leaseKeeper(batch.id, owner);
    const waiting = { signal, whileWaiting: keepLease };

    if (recipients.length <= windowPages) {
      // A few lookups in flight (the read budget still paces them); after one fails for good, no
      // more are started: the whole check is retried later.
      let failed = false;
      await mapWithConcurrency(recipients, NUMBER_LOOKUPS_IN_FLIGHT, async (to) => {
        if (failed) {
          return;
        }
        try {
          const records = await this.listPage(gateway, { toNumber: to, since, until, limit: PAGE_SIZE }, waiting);
          records.forEach((record) => note(to, record.messageUuid));
          await keepLease();
        } catch (error) {
          failed = true;
          throw error;
        }
      });
      return result(true);
    }
    const wanted = new Map(recipients.map((to) => [to.replace(/\D/g, ''), to]));
    for (let page = 0; page < MAX_PAGES; page++) {
      const records = await this.listPage(
        gateway,
        { since, until, limit: PAGE_SIZE, offset: page * PAGE_SIZE },
        waiting,
      );
      for (const record of records) {
        const to = wanted.get(record.to.replace(/\D/g, ''));
        if (to) {
          note(to, record.messageUuid);
        }
      }
      if (records.length < PAGE_SIZE) {
        return result(true);
      }
      if (candidates.size === recipients.length) {
        // Every number has a record: done if each has one that is nobody else's.
        const sofar = await result(true);
        if (sofar.found.length === recipients.length) {
          return sofar;
        }
      }
      await keepLease();
    }
    return result(false);
  }
}
