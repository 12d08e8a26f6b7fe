import { Context, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import DataLoader from 'dataloader';
import type { GraphqlContext } from '../common/graphql/graphql-context';
import { CampaignsService } from './campaigns.service';
import { CampaignCancellation } from './models/campaign-cancellation.model';

type ProviderCountLoader = DataLoader<string, number>;

@Resolver(() => CampaignCancellation)
export class AlreadyWithProviderResolver {
  // One loader per GraphQL operation (its context object): the campaigns of a page are counted in one query.
  // It batches, never caches: a subscription keeps its context for every event it sends.
  private readonly loaders = new WeakMap<GraphqlContext, ProviderCountLoader>();

  constructor(private readonly campaigns: CampaignsService) {}

  // A separate count query, run only when the client selects alreadyWithProvider.
  @ResolveField(() => Int)
  alreadyWithProvider(
    @Parent() cancellation: CampaignCancellation,
    @Context() context: GraphqlContext,
  ): Promise<number> {
    return this.loaderOf(context).load(cancellation.campaignId);
  }

  private loaderOf(context: GraphqlContext): ProviderCountLoader {
    let loader = this.loaders.get(context);
    if (!loader) {
      loader = new DataLoader(
        async (campaignIds: readonly string[]) => {
          const counts = await this.campaigns.countMessagesWithProvider(campaignIds);
          return campaignIds.map((id) => counts.get(id) ?? 0);
        },
        { cache: false },
      );
      this.loaders.set(context, loader);
    }
    return loader;
  }
}
