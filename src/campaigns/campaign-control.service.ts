import { Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { NotFoundError, UserInputError } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { CampaignEvents } from '../domain/campaign-events';
import { CampaignRecord } from '../domain/campaign.record';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { DispatcherWakeup } from '../messaging/dispatcher-wakeup';
import { CampaignRepository } from '../persistence/campaign.repository';
import { InvalidCampaignTransitionError } from './campaign.errors';

const ACTIVE = [CampaignStatus.SCHEDULED, CampaignStatus.QUEUED, CampaignStatus.SENDING];

/**
 * Pause, resume and cancel. Each is one conditional update in the database, so it takes effect
 * before the dispatcher claims its next batch (claims only take batches of QUEUED/SENDING campaigns).
 */
@Injectable()
export class CampaignControlService {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly events: CampaignEvents,
    private readonly wakeup: DispatcherWakeup,
    private readonly clock: Clock,
  ) {}

  async pause(accountId: string, id: string): Promise<CampaignRecord> {
    const current = await this.get(accountId, id);
    if (current.status === CampaignStatus.PAUSED) {
      return current;
    }
    const paused = await this.campaigns.transition(accountId, id, ACTIVE, CampaignStatus.PAUSED, {
      statusReason: 'paused by the account',
    });
    return this.changed(paused, 'pause', accountId, id);
  }

  async resume(accountId: string, id: string, maxCost?: number | null): Promise<CampaignRecord> {
    const current = await this.get(accountId, id);
    if (ACTIVE.includes(current.status) && (maxCost === undefined || maxCost === null)) {
      return current;
    }
    if (maxCost !== undefined && maxCost !== null && !(maxCost > 0)) {
      throw new UserInputError('maxCost', 'maxCost must be a positive amount');
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
    const result = await this.changed(resumed, 'resume', accountId, id);
    this.wakeup.wake();
    return result;
  }

  async cancel(accountId: string, id: string): Promise<CampaignRecord> {
    const current = await this.get(accountId, id);
    if (current.status === CampaignStatus.CANCELLED) {
      return current;
    }
    const cancelled = await this.campaigns.cancel(accountId, id, [...ACTIVE, CampaignStatus.PAUSED]);
    return this.changed(cancelled, 'cancel', accountId, id);
  }

  private async get(accountId: string, id: string): Promise<CampaignRecord> {
    const campaign = await this.campaigns.findForAccount(accountId, id);
    if (!campaign) {
      throw new NotFoundError(`Campaign ${id}`);
    }
    return campaign;
  }

  private async changed(
    updated: CampaignRecord | null,
    action: string,
    accountId: string,
    id: string,
  ): Promise<CampaignRecord> {
    if (!updated) {
      // Someone else changed it in between (or it was final): report the status it has now.
      throw new InvalidCampaignTransitionError(action, (await this.get(accountId, id)).status);
    }
    this.events.campaignsChanged([id]);
    return updated;
  }
}
