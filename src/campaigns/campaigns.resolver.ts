import { Optional } from '@nestjs/common';
import { Args, ComplexityEstimatorArgs, ID, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { CampaignEta, estimatedCompletionOf } from '../domain/campaign-eta';
import { SendingHoldsService } from '../quiet-hours/sending-holds.service';
import { CampaignView, holdsOf, toCampaignProgress, toCampaignView, toMessage } from './campaign.mapper';
import { CampaignsService } from './campaigns.service';
import { CampaignsArgs } from './dto/campaigns.args';
import { MessagesArgs } from './dto/messages.args';
import { CampaignConnection } from './models/campaign-connection.model';
import { CampaignProgress } from './models/campaign-progress.model';
import { Campaign } from './models/campaign.model';
import { MessageConnection } from './models/message-connection.model';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';

/** A connection costs its page size times what is selected per item, so `first` is paid for. */
function perItem(defaultFirst: number) {
  return ({ args, childComplexity }: ComplexityEstimatorArgs): number =>
    (typeof args.first === 'number' ? args.first : defaultFirst) * childComplexity;
}

@Resolver(() => Campaign)
export class CampaignsResolver {
  constructor(
    private readonly campaigns: CampaignsService,
    // Bound by the dispatcher's module; without it estimatedCompletionAt is null.
    @Optional() private readonly eta?: CampaignEta,
    @Optional() private readonly holds?: SendingHoldsService,
  ) {}

  @RequireScope(Scope.CAMPAIGNS_READ)
  @Query(() => Campaign, { nullable: true })
  async campaign(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CampaignView | null> {
    const record = await this.campaigns.find(account.accountId, id);
    return record ? toCampaignView(record) : null;
  }

  @RequireScope(Scope.CAMPAIGNS_READ)
  @Query(() => CampaignConnection, { name: 'campaigns', complexity: perItem(20) })
  async campaignsPage(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args() args: CampaignsArgs,
  ): Promise<CampaignConnection> {
    const page = await this.campaigns.list(account.accountId, args.first ?? 20, args.after);
    return {
      edges: page.items.map(({ cursor, campaign }) => ({ cursor, node: toCampaignView(campaign) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null },
    };
  }

  @ResolveField(() => CampaignProgress)
  async progress(@Parent() campaign: CampaignView): Promise<CampaignProgress> {
    return toCampaignProgress(
      campaign.record,
      await estimatedCompletionOf(this.eta, campaign.record),
      await holdsOf(this.holds, campaign.record),
    );
  }

  // totalCount is MessageConnectionResolver's: counted only when selected.
  @ResolveField(() => MessageConnection, {
    complexity: perItem(50),
    description: 'the messages, a page at a time; needs the campaigns:read scope, in a mutation answer too',
  })
  async messages(@Parent() campaign: CampaignView, @Args() args: MessagesArgs): Promise<MessageConnection> {
    const page = await this.campaigns.listMessages(campaign.id, args.status, args.first ?? 50, args.after, args.to);
    return {
      edges: page.items.map(({ cursor, message }) => ({
        cursor,
        // A list campaign's text is a template: each message shows its own rendered text, or none.
        node: toMessage(
          message,
          campaign.record.currency,
          campaign.record.recipientListId ? undefined : campaign.record.text,
        ),
      })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null },
      totalCount: 0,
      campaignId: campaign.id,
      statusFilter: args.status ?? null,
      toFilter: args.to ?? null,
    };
  }
}
