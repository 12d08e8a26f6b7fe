import { Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { CampaignsService } from './campaigns.service';
import { CampaignCancellation } from './models/campaign-cancellation.model';

@Resolver(() => CampaignCancellation)
export class AlreadyWithProviderResolver {
  constructor(private readonly campaigns: CampaignsService) {}

  // A separate count query, run only when the client selects alreadyWithProvider.
  @ResolveField(() => Int)
  alreadyWithProvider(@Parent() cancellation: CampaignCancellation): Promise<number> {
    return this.campaigns.countMessagesWithProvider(cancellation.campaignId);
  }
}
