import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { SubmissionErrorCode } from '../domain/message-error-code';
import { CampaignRepository } from '../persistence/campaign.repository';
import { BatchRef, DispatchRepository, DueBatch, NothingSubmittedRolledBack } from '../persistence/dispatch.repository';
import { Transactor } from '../persistence/transactor';
import { SmsGatewayError } from '../sms-gateway/sms-gateway.error';
import { AccountSmsGateways } from './account-sms-gateways';
import { DispatchMetrics } from './dispatch.metrics';
import { PacingKey } from './pacing-plan';
import { PacingLedger } from './pacing-ledger';
import { decideRetry } from './retry-policy';

/**
 * Sends one claimed batch and records the outcome. The batch was marked SUBMITTING (durably)
 * before this runs, and its callback URL names it, so whatever happens to this process the
 * batch's fate can be established afterwards.
 */
@Injectable()
export class BatchSubmitter {
  private readonly logger = new Logger(BatchSubmitter.name);

  constructor(
    private readonly gateways: AccountSmsGateways,
    private readonly dispatch: DispatchRepository,
    private readonly campaigns: CampaignRepository,
    private readonly transactor: Transactor,
    private readonly pacingLedger: PacingLedger,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: DispatchMetrics,
  ) {}

  async submit(owner: string, batch: DueBatch, recipients: string[], pacingKeys: PacingKey[]): Promise<void> {
    const { messageExpirySeconds } = this.config.dispatch;
    const started = Date.now();
    try {
      // The account's own Plivo sub-account when it has one (read with the claim), else the service's.
      const result = await this.gateways.forAccount(batch).submitBatch({
        batchId: batch.id,
        src: batch.senderId,
        recipients,
        text: batch.text,
        callbackUrl: `${this.config.deliveryReportUrl}?batch=${batch.id}`,
        callbackMethod: 'POST',
        messageExpirySeconds,
      });
      await this.recordAccepted(batch, result, recipients);
      this.metrics.recordSubmission('accepted', recipients.length, Date.now() - started);
    } catch (error) {
      if (!(error instanceof SmsGatewayError)) {
        throw error;
      }
      this.metrics.recordSubmission(error.kind, recipients.length, Date.now() - started);
      await this.recordFailure(owner, batch, recipients, pacingKeys, error);
    }
    await this.campaigns.completeFinished([batch.campaignId]);
  }

  /**
   * The provider acknowledged the batch: it is never submitted again, and its waiting messages are
   * SUBMITTED (REJECTED for the numbers it called invalid); a one-recipient batch learns its
   * message's provider id at once. Applies even if this instance's lease ran out meanwhile: the
   * acknowledgement is the truth.
   */
  private async recordAccepted(
    batch: BatchRef,
    result: { apiId: string; messageUuids: string[]; invalidNumbers: string[] },
    recipients: string[],
  ): Promise<void> {
    const invalidDigits = result.invalidNumbers.map((n) => n.replace(/\D/g, ''));
    const onlyUuid = recipients.length === 1 && result.messageUuids.length === 1 ? result.messageUuids[0] : null;
    await this.transactor.run(async (tx) => {
      await tx.dispatch.markAccepted(batch.id, result.apiId, result.messageUuids);
      await tx.dispatch.submitWaitingMessages(batch, invalidDigits, onlyUuid);
    });
  }

  /** Given up: the batch and its waiting messages fail with the reason. */
  private async recordFailed(batch: BatchRef, error: string, errorCode: SubmissionErrorCode): Promise<void> {
    await this.transactor.run(async (tx) => {
      await tx.dispatch.markFailed(batch.id, error);
      await tx.dispatch.failWaitingMessages(batch, errorCode);
    });
  }

  private async recordFailure(
    owner: string,
    batch: DueBatch,
    recipients: string[],
    pacingKeys: PacingKey[],
    error: SmsGatewayError,
  ): Promise<void> {
    const reason = `${error.kind}${error.status ? ` (HTTP ${error.status})` : ''}: ${error.message}`.slice(0, 500);
    const { dispatch } = this.config;
    switch (error.kind) {
      case 'transient': {
        await this.pacingLedger.release(pacingKeys, recipients.length);
        const decision = decideRetry(
          {
            maxAttempts: dispatch.maxAttempts,
            maxAgeMs: dispatch.maxAgeMs,
            baseDelayMs: dispatch.retryBaseMs,
            maxDelayMs: dispatch.retryMaxMs,
          },
          {
            attempts: batch.attempts,
            // From the first attempt, not creation: a batch that waited for its window, schedule,
            // resume or brake is as young as the first time it was tried.
            ageMs: this.clock.now().getTime() - (batch.firstAttemptAt ?? this.clock.now()).getTime(),
            retryAfterMs: error.retryAfterMs,
          },
        );
        if (decision.retry) {
          await this.dispatch.markRetry(
            batch.id,
            owner,
            reason,
            new Date(this.clock.now().getTime() + decision.delayMs),
          );
        } else {
          this.logger.warn({ batchId: batch.id, reason }, `Batch failed: ${decision.reason}`);
          await this.recordFailed(batch, `${decision.reason}; last error ${reason}`, SubmissionErrorCode.FAILED);
        }
        return;
      }
      case 'permanent':
        this.logger.warn({ batchId: batch.id, reason }, 'Batch refused by the provider');
        await this.pacingLedger.release(pacingKeys, recipients.length);
        await this.recordFailed(batch, reason, SubmissionErrorCode.REFUSED);
        return;
      case 'pause':
        this.logger.warn(
          { batchId: batch.id, campaignId: batch.campaignId, reason },
          'Campaign paused by a provider refusal',
        );
        await this.pacingLedger.release(pacingKeys, recipients.length);
        // Nothing of the campaign at the provider yet: it fails. Else it pauses, to be resumed once the
        // account is put right. Batch before campaign: the lock order every writer follows.
        await this.transactor
          .run(async (tx) => {
            await tx.dispatch.markWaitingForResume(batch.id, owner, reason);
            if (!(await tx.dispatch.failIfNothingSubmitted(batch.campaignId, reason))) {
              await tx.dispatch.pauseSending(batch.campaignId, reason);
            }
          })
          .catch(async (error: unknown) => {
            if (!(error instanceof NothingSubmittedRolledBack)) {
              throw error;
            }
            await this.transactor.run(async (tx) => {
              await tx.dispatch.markWaitingForResume(batch.id, owner, reason);
              await tx.dispatch.pauseSending(batch.campaignId, reason);
            });
          });
        return;
      case 'ambiguous':
        this.logger.warn({ batchId: batch.id, reason }, 'Batch outcome unknown: it will be reconciled, not resent');
        await this.dispatch.markAmbiguous(
          batch.id,
          reason,
          new Date(this.clock.now().getTime() + dispatch.reconcileDelayMs),
        );
        return;
    }
  }
}
