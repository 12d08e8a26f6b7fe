import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import { NotImplementedError } from '../common/errors/domain-error';
import { CampaignProgress } from './models/campaign-progress.model';

@Resolver(() => CampaignProgress)
export class CampaignProgressResolver {
  @Subscription(() => CampaignProgress, {
    description:
      'Emits the current progress at once on subscribe, then on change (coalesced, at most a few times a second), ' +
      'and completes after the campaign reaches a final status.',
  })
  campaignProgress(@Args('campaignId', { type: () => ID }) _campaignId: string): AsyncIterableIterator<CampaignProgress> {
    throw new NotImplementedError('campaignProgress');
  }
}
