import { SendOptions } from '../cli-args';
import { formatCount, formatMoney } from '../progress-bar';
import { describeUpload, usesRecipientList } from '../recipient-list-upload';
import { parseRecipients } from '../recipients-file';
import { CliContext } from './cli-context';
import { watchCampaign } from './watch.command';

const SHOWN_REJECTIONS = 5;

const SEND_BULK = `mutation($input: SendBulkInput!) {
  sendBulk(input: $input) {
    id name status encoding segmentsPerMessage scheduledAt
    estimatedCost { amount currency }
    progress { total }
    rejectedRecipientCount
    rejectedRecipients(first: ${SHOWN_REJECTIONS}) { input reason }
  }
}`;

interface SentCampaign {
  id: string;
  name: string | null;
  status: string;
  encoding: string;
  segmentsPerMessage: number;
  scheduledAt: string | null;
  estimatedCost: { amount: number; currency: string };
  progress: { total: number };
  rejectedRecipientCount: number;
  rejectedRecipients: Array<{ input: string; reason: string }>;
}

export async function sendCommand(context: CliContext, options: SendOptions): Promise<void> {
  let recipients: string[] = [];
  let recipientListId: string | undefined;
  let read: number;
  if (usesRecipientList(options)) {
    const list = await context.uploadRecipientList(options.file, options);
    describeUpload(list).forEach((line) => context.print(line));
    recipientListId = list.id;
    read = list.recipients;
  } else {
    recipients = parseRecipients(context.readTextFile(options.file)).recipients;
    read = recipients.length;
  }
  const { sendBulk: campaign } = await context.api.request<{ sendBulk: SentCampaign }>(SEND_BULK, {
    input: {
      recipients,
      recipientListId,
      text: options.text,
      name: options.name,
      senderId: options.sender,
      defaultCountry: options.defaultCountry,
      smartEncoding: options.smartEncoding,
      maxCost: options.maxCost,
      scheduledAt: options.scheduleAt?.toISOString(),
      idempotencyKey: options.idempotencyKey,
    },
  });
  context.print(`Campaign ${campaign.id} ${campaign.status}${campaign.name ? ` (${campaign.name})` : ''}`);
  context.print(
    `  ${formatCount(campaign.progress.total)} recipients of ${formatCount(read)} read, ` +
      `${campaign.encoding} × ${campaign.segmentsPerMessage} segment(s), estimated ${formatMoney(campaign.estimatedCost.amount, campaign.estimatedCost.currency)}`,
  );
  if (campaign.scheduledAt) {
    context.print(`  scheduled for ${campaign.scheduledAt}`);
  }
  const rejected = campaign.rejectedRecipientCount;
  context.print(`  rejected recipients: ${formatCount(rejected)}`);
  for (const { input, reason } of campaign.rejectedRecipients.slice(0, SHOWN_REJECTIONS)) {
    context.print(`    ${JSON.stringify(input)}: ${reason}`);
  }
  if (rejected > SHOWN_REJECTIONS) {
    context.print(`    … and ${formatCount(rejected - SHOWN_REJECTIONS)} more`);
  }
  if (options.watch) {
    await watchCampaign(context, campaign.id);
  }
}
