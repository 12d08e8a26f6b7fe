import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { CampaignView } from '../campaigns/campaign.mapper';
import { Campaign } from '../campaigns/models/campaign.model';
import { CostReportService } from './cost-report.service';
import { CostReport } from './models/cost-report.model';

export const COST_REPORT_COMPLEXITY = 10;

/** Adds `Campaign.costReport`; resolved only when asked for, since it reads every message of the campaign. */
@Resolver(() => Campaign)
export class CampaignCostReportResolver {
  constructor(private readonly reports: CostReportService) {}

  // One GROUP BY over the campaign's messages per campaign: weigh it so a page of campaigns asking for it counts.
  @ResolveField(() => CostReport, {
    description: 'estimated against provider-reported cost, per country',
    complexity: COST_REPORT_COMPLEXITY,
  })
  costReport(@Parent() campaign: CampaignView): Promise<CostReport> {
    return this.reports.forCampaign(campaign.record);
  }
}
