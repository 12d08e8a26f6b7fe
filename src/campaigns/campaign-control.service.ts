import { Injectable, Optional } from '@nestjs/common';
import { BrakeService } from '../brake/brake.service';
import Decimal from 'decimal.js';
import { NotFoundError, UserInputError } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { CampaignEvents } from '../domain/campaign-events';
import { CampaignRecord } from '../domain/campaign.record';
import { CampaignStatus, FINAL_CAMPAIGN_STATUSES } from '../domain/campaign-status.enum';
import { CampaignSpend, projectedCost } from '../messaging/budget-rule';
import { DispatcherWakeup } from '../messaging/dispatcher-wakeup';
import { CampaignRepository } from '../persistence/campaign.repository';
import { Transactor } from '../persistence/transactor';
import { InvalidCampaignTransitionError } from './campaign.errors';

const ACTIVE = [CampaignStatus.SCHEDULED, CampaignStatus.QUEUED, CampaignStatus.SENDING];
// A cancel rewrites every waiting message in one transaction: about 2 s per 100,000 on PostgreSQL and 3.5 s on
// PGlite, quiet, several times that on a busy machine. The default 30 s failed it for a large campaign (it stayed
// SENDING); it gets as long as creating the campaign may take (campaign.repository.ts).
const CANCEL_TIMEOUT_MS = 300_000;

/**
 * Pause, resume and cancel. Each takes effect before the dispatcher claims its next batch (claims
 * only take batches of QUEUED/SENDING campaigns); what is already with the provider, at most
 * DISPATCH_LEAD_SECONDS of MPS with just-in-time submission, cannot be withdrawn.
 */
@Injectable()
export class CampaignControlService {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly transactor: Transactor,
    private readonly events: CampaignEvents,
    private readonly wakeup: DispatcherWakeup,
    private readonly clock: Clock,
    @Optional() private readonly brake?: BrakeService,
  ) {}

  async pause(accountId: string, id: string): Promise<CampaignRecord> {
    const current = await this.get(accountId, id);
    if (current.status === CampaignStatus.PAUSED) {
      return current;
    }
    const paused = await this.campaigns.transition(accountId, id, ACTIVE, CampaignStatus.PAUSED, {
      statusReason: 'paused by the account',
    });
    return this.changed(paused, 'pause', accountId, id, (status) => status === CampaignStatus.PAUSED);
  }

  async resume(accountId: string, id: string, maxCost?: number | null, ignoreBrake = false): Promise<CampaignRecord> {
    let current = await this.get(accountId, id);
    // A tripped brake (src/brake) holds a country's batches, or paused the campaign: released first.
    if (this.brake && !FINAL_CAMPAIGN_STATUSES.has(current.status)) {
      const released = await this.brake.release(id, ignoreBrake);
      if (released > 0 && ACTIVE.includes(current.status)) {
        current = await this.get(accountId, id);
        this.events.campaignsChanged([id]);
        this.wakeup.wake();
      }
    }
    if (ACTIVE.includes(current.status) && (maxCost === undefined || maxCost === null)) {
      return current;
    }
    if (maxCost !== undefined && maxCost !== null) {
      if (!(maxCost > 0)) {
        throw new UserInputError('maxCost', 'maxCost must be a positive amount');
      }
      await this.assertBudgetCovers(current, new Decimal(maxCost));
    }
    const to =
      current.scheduledAt && current.scheduledAt > this.clock.now() && !current.startedAt
        ? CampaignStatus.SCHEDULED
        : current.startedAt
          ? CampaignStatus.SENDING
          : CampaignStatus.QUEUED;
    const resumed = await this.campaigns.transition(accountId, id, [CampaignStatus.PAUSED, ...ACTIVE], to, {
      maxCost: maxCost === undefined || maxCost === null ? undefined : new Decimal(maxCost),
    });
    const result = await this.changed(
      resumed,
      'resume',
      accountId,
      id,
      (status) => ACTIVE.includes(status) && (maxCost === undefined || maxCost === null),
    );
    this.wakeup.wake();
    return result;
  }

  async cancel(accountId: string, id: string): Promise<CampaignRecord> {
    const current = await this.get(accountId, id);
    if (current.status === CampaignStatus.CANCELLED) {
      return current;
    }
    const from = [...ACTIVE, CampaignStatus.PAUSED];
    // One transaction, in the lock order every writer follows (batches, messages, then the
    // campaign), so it cannot deadlock with a claim or a report apply pass. If the campaign left
    // `from` meanwhile, nothing is kept.
    const cancelled = await this.transactor
      .run(
        async (tx) => {
          await tx.campaigns.cancelWaitingBatches(accountId, id, from);
          await tx.campaigns.cancelWaitingMessages(id);
          const campaign = await tx.campaigns.markCancelled(accountId, id, from);
          if (!campaign) {
            throw new CancelRolledBack();
          }
          return campaign;
        },
        { timeout: CANCEL_TIMEOUT_MS },
      )
      .catch((error: unknown) => {
        if (error instanceof CancelRolledBack) {
          return null;
        }
        throw error;
      });
    return this.changed(cancelled, 'cancel', accountId, id, (status) => status === CampaignStatus.CANCELLED);
  }

  /**
   * A new budget below the campaign's projected cost (reported so far plus the estimate for what is
   * not costed yet) would pause it again at its next batch: refused, naming the least that would do.
   */
  private async assertBudgetCovers(campaign: CampaignRecord, maxCost: Decimal): Promise<void> {
    const spend: CampaignSpend = {
      maxCost,
      estimatedCost: campaign.estimatedCost,
      actualCost: campaign.actualCost,
      total: campaign.total,
      suppressed: campaign.suppressed,
      uncosted: campaign.pending + campaign.submitted + campaign.queued,
      waiting: campaign.pending,
    };
    const mix = await this.transactor.run((tx) => tx.dispatch.uncostedMix(campaign.id, spend.uncosted - spend.waiting));
    const projected = projectedCost(spend, mix);
    if (maxCost.lessThan(projected)) {
      throw new UserInputError(
        'maxCost',
        `maxCost ${maxCost.toString()} is below the campaign's projected cost ${projected.toFixed(5)} ` +
          `(reported ${campaign.actualCost.toFixed(5)} + estimate for ${spend.uncosted} messages not costed yet): ` +
          `the campaign would pause again at once`,
      );
    }
  }

  private async get(accountId: string, id: string): Promise<CampaignRecord> {
    const campaign = await this.campaigns.findForAccount(accountId, id);
    if (!campaign) {
      throw new NotFoundError(`Campaign ${id}`);
    }
    return campaign;
  }

  /**
   * `updated`, or when the transition found the campaign changed in between: the campaign as it is now if
   * that is what was asked (the same call twice at once, e.g. a client retrying a cancel, answers both
   * alike instead of "cannot cancel a campaign that is CANCELLED"), else the error naming its status.
   */
  private async changed(
    updated: CampaignRecord | null,
    action: string,
    accountId: string,
    id: string,
    isWhatWasAsked: (status: CampaignStatus) => boolean,
  ): Promise<CampaignRecord> {
    if (!updated) {
      const now = await this.get(accountId, id);
      if (isWhatWasAsked(now.status)) {
        return now;
      }
      throw new InvalidCampaignTransitionError(action, now.status);
    }
    this.events.campaignsChanged([id]);
    return updated;
  }
}

/** Rolls back a cancel whose campaign changed status in between. */
class CancelRolledBack extends Error {}
