import { CampaignRecord } from './campaign.record';
import { FINAL_CAMPAIGN_STATUSES } from './campaign-status.enum';

/**
 * When a campaign should be done, from the dispatcher's pacing rate. Bound by the dispatcher's
 * module; live progress treats it as optional and reports null while it is not bound.
 */
export abstract class CampaignEta {
  abstract estimateCompletion(campaign: CampaignRecord): Promise<Date | null>;
}

/** The estimate for an unfinished campaign, null for a final one or without an estimator. */
export async function estimatedCompletionOf(
  eta: CampaignEta | undefined | null,
  campaign: CampaignRecord,
): Promise<Date | null> {
  if (!eta || FINAL_CAMPAIGN_STATUSES.has(campaign.status)) {
    return null;
  }
  return eta.estimateCompletion(campaign);
}
