import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-error';
import { CampaignRecord, RejectedRecipient } from '../domain/campaign.record';
import { MessageStatus } from '../domain/message-status.enum';
import { CampaignPage, CampaignRepository } from '../persistence/campaign.repository';
import { MessagePage, MessageRepository } from '../persistence/message.repository';

/** Read side of campaigns, always scoped to the calling account. */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly messages: MessageRepository,
  ) {}

  find(accountId: string, id: string): Promise<CampaignRecord | null> {
    return this.campaigns.findForAccount(accountId, id);
  }

  async get(accountId: string, id: string): Promise<CampaignRecord> {
    const campaign = await this.campaigns.findForAccount(accountId, id);
    if (!campaign) {
      throw new NotFoundError(`Campaign ${id}`);
    }
    return campaign;
  }

  list(accountId: string, first: number, after?: string | null): Promise<CampaignPage> {
    return this.campaigns.listForAccount(accountId, first, after ?? undefined);
  }

  listMessages(
    campaignId: string,
    status: MessageStatus | null | undefined,
    first: number,
    after?: string | null,
    to?: string | null,
  ): Promise<MessagePage> {
    return this.messages.listForCampaign(campaignId, status, first, after, to);
  }

  listRejectedRecipients(campaignId: string, offset: number, first: number): Promise<RejectedRecipient[]> {
    return this.campaigns.listRejectedRecipients(campaignId, offset, first);
  }

  countMessages(campaignId: string, status: MessageStatus | null, to?: string | null): Promise<number> {
    return this.messages.countForCampaign(campaignId, status, to);
  }

  /** Per campaign id, how many of its messages Plivo accepted: one query for them all. */
  countMessagesWithProvider(campaignIds: readonly string[]): Promise<Map<string, number>> {
    return this.messages.countWithProvider(campaignIds);
  }
}
