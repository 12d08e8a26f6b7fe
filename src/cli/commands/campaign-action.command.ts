import { CampaignAction } from '../cli-args';
import { CliContext } from './cli-context';

const MUTATIONS: Record<CampaignAction, string> = {
  pause: 'pauseCampaign',
  resume: 'resumeCampaign',
  cancel: 'cancelCampaign',
};

/** pause, resume or cancel: prints the campaign's status afterwards. */
export async function campaignActionCommand(
  context: CliContext,
  action: CampaignAction,
  campaignId: string,
): Promise<void> {
  const field = MUTATIONS[action];
  const data = await context.api.request<Record<string, { id: string; status: string; statusReason: string | null }>>(
    `mutation($id: ID!) { ${field}(id: $id) { id status statusReason } }`,
    { id: campaignId },
  );
  const campaign = data[field];
  context.print(
    `Campaign ${campaign.id}: ${campaign.status}${campaign.statusReason ? ` (${campaign.statusReason})` : ''}`,
  );
}
