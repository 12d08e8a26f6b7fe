import { CampaignAction } from '../cli-args';
import { CliContext } from './cli-context';

const MUTATIONS: Record<CampaignAction, string> = {
  pause: 'pauseCampaign',
  resume: 'resumeCampaign',
  cancel: 'cancelCampaign',
};

interface CampaignAfterAction {
  id: string;
  status: string;
  statusReason: string | null;
  cancellation: { cancelledMessages: number; alreadyWithProvider: number } | null;
}

/**
 * pause, resume or cancel: prints the campaign's status afterwards and, for a cancel, how many
 * messages it stopped and how many were already with Plivo (those cannot be withdrawn).
 */
export async function campaignActionCommand(
  context: CliContext,
  action: CampaignAction,
  campaignId: string,
  ignoreBrake = false,
): Promise<void> {
  const field = MUTATIONS[action];
  // --ignore-brake: after the automatic brake tripped, keep sending without checking it again.
  const brakeArgument = action === 'resume' && ignoreBrake ? ', ignoreBrake: true' : '';
  const data = await context.api.request<Record<string, CampaignAfterAction>>(
    `mutation($id: ID!) { ${field}(id: $id${brakeArgument}) { id status statusReason cancellation { cancelledMessages alreadyWithProvider } } }`,
    { id: campaignId },
  );
  const campaign = data[field];
  context.print(
    `Campaign ${campaign.id}: ${campaign.status}${campaign.statusReason ? ` (${campaign.statusReason})` : ''}`,
  );
  if (campaign.cancellation) {
    const { cancelledMessages, alreadyWithProvider } = campaign.cancellation;
    context.print(
      `${cancelledMessages} messages cancelled; ${alreadyWithProvider} were already with Plivo and cannot be withdrawn`,
    );
  }
}
