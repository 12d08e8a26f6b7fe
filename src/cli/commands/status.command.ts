import { GraphqlApiError } from '../graphql-api.client';
import { formatMoney, PROGRESS_FIELDS, ProgressSnapshot, renderProgressLine } from '../progress-bar';
import { CliContext } from './cli-context';
import { watchCampaign } from './watch.command';

const CAMPAIGN = `query($id: ID!) {
  campaign(id: $id) {
    id name status statusReason createdAt scheduledAt completedAt
    estimatedCost { amount currency }
    progress { ${PROGRESS_FIELDS} }
  }
}`;

interface CampaignStatusView {
  id: string;
  name: string | null;
  status: string;
  statusReason: string | null;
  createdAt: string;
  scheduledAt: string | null;
  completedAt: string | null;
  estimatedCost: { amount: number; currency: string };
  progress: ProgressSnapshot;
}

export async function statusCommand(context: CliContext, campaignId: string, watch: boolean): Promise<void> {
  const { campaign } = await context.api.request<{ campaign: CampaignStatusView | null }>(CAMPAIGN, { id: campaignId });
  if (!campaign) {
    throw new GraphqlApiError('NOT_FOUND', `campaign ${campaignId} not found (for this API key)`);
  }
  context.print(
    `Campaign ${campaign.id}${campaign.name ? ` (${campaign.name})` : ''}: ${campaign.status}${campaign.statusReason ? ` (${campaign.statusReason})` : ''}`,
  );
  context.print(
    `  created ${campaign.createdAt}${campaign.scheduledAt ? `, scheduled for ${campaign.scheduledAt}` : ''}${campaign.completedAt ? `, completed ${campaign.completedAt}` : ''}`,
  );
  context.print(`  estimated ${formatMoney(campaign.estimatedCost.amount, campaign.estimatedCost.currency)}`);
  context.print(`  ${renderProgressLine(campaign.progress)}`);
  if (watch) {
    await watchCampaign(context, campaign.id);
  }
}
