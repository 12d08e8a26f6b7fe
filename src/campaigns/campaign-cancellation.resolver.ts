import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { CampaignView } from './campaign.mapper';
import { CampaignCancellation } from './models/campaign-cancellation.model';
import { Campaign } from './models/campaign.model';

@Resolver(() => Campaign)
export class CampaignCancellationResolver {
  /** Null unless the campaign is CANCELLED; alreadyWithProvider is AlreadyWithProviderResolver's. */
  @ResolveField(() => CampaignCancellation, {
    nullable: true,
    description:
      'set once the campaign is CANCELLED: how many messages the cancel stopped and how many were already with Plivo',
  })
  cancellation(@Parent() campaign: CampaignView): CampaignCancellation | null {
    const record = campaign.record;
    if (record.status !== CampaignStatus.CANCELLED) {
      return null;
    }
    return { campaignId: record.id, cancelledMessages: record.cancelled };
  }
}
