import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { CampaignProgressService } from './campaign-progress.service';
import { CampaignProgress } from './models/campaign-progress.model';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';

@Resolver(() => CampaignProgress)
export class CampaignProgressResolver {
  constructor(private readonly progress: CampaignProgressService) {}

  // The API-key guard runs for subscriptions too (the graphql-ws context carries the key), so
  // @CurrentAccount() is the connection's account here as on HTTP.
  @RequireScope(Scope.CAMPAIGNS_READ)
  @Subscription(() => CampaignProgress, {
    description:
      'Emits the current progress at once on subscribe, then on change (coalesced, at most a few times a second), ' +
      'and completes after the campaign reaches a final status.',
    // The stream yields CampaignProgress values themselves, not { campaignProgress } payloads.
    resolve: (progress: CampaignProgress) => progress,
  })
  campaignProgress(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('campaignId', { type: () => ID }) campaignId: string,
  ): Promise<AsyncIterableIterator<CampaignProgress>> {
    return this.progress.subscribe(account.accountId, campaignId);
  }
}
