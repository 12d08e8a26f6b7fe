import { Args, ComplexityEstimatorArgs, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { CampaignView } from './campaign.mapper';
import { CampaignsService } from './campaigns.service';
import { DEFAULT_REJECTED_RECIPIENTS_PAGE, RejectedRecipientsArgs } from './dto/rejected-recipients.args';
import { Campaign } from './models/campaign.model';
import { RejectedRecipient } from './models/rejected-recipient.model';

/** A page of rejections costs its size times what is selected per item, like a connection. */
function perRejection({ args, childComplexity }: ComplexityEstimatorArgs): number {
  return (typeof args.first === 'number' ? args.first : DEFAULT_REJECTED_RECIPIENTS_PAGE) * childComplexity;
}

/**
 * Campaign.rejectedRecipients: stored apart from the campaign (truncated, the first 10,000 kept) and
 * read a page at a time, only when a client selects the field.
 */
@Resolver(() => Campaign)
export class RejectedRecipientsResolver {
  constructor(private readonly campaigns: CampaignsService) {}

  @ResolveField(() => [RejectedRecipient], {
    complexity: perRejection,
    description: 'the rejected inputs in input order, a page at a time (inputs cut to 64 characters)',
  })
  rejectedRecipients(
    @Parent() campaign: CampaignView,
    @Args() args: RejectedRecipientsArgs,
  ): Promise<RejectedRecipient[]> {
    // Most campaigns reject nothing: no rows to look for (sendBulk's answer often selects this field).
    if (campaign.record.rejectedCount === 0) {
      return Promise.resolve([]);
    }
    return this.campaigns.listRejectedRecipients(
      campaign.id,
      args.offset ?? 0,
      args.first ?? DEFAULT_REJECTED_RECIPIENTS_PAGE,
    );
  }
}
