import { SendOptions } from '../cli-args';
import { formatCount, formatMoney } from '../progress-bar';
import { describeUpload, usesRecipientList } from '../recipient-list-upload';
import { parseRecipients } from '../recipients-file';
import { CliContext } from './cli-context';
import { watchCampaign } from './watch.command';

const SHOWN_REJECTIONS = 5;

const CAMPAIGN_FIELDS = `id name status encoding segmentsPerMessage scheduledAt
    estimatedCost { amount currency }
    progress { total }
    rejectedRecipientCount
    rejectedRecipients(first: ${SHOWN_REJECTIONS}) { input reason }`;
const SEND_BULK = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { ${CAMPAIGN_FIELDS} } }`;
const CAMPAIGN = `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN_FIELDS} } }`;

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
  const fromList = usesRecipientList(options);
  const { campaign, read } = fromList
    ? await sendFileInOneRequest(context, options)
    : await sendNumbers(context, options);
  context.print(`Campaign ${campaign.id} ${campaign.status}${campaign.name ? ` (${campaign.name})` : ''}`);
  context.print(
    `  ${formatCount(campaign.progress.total)} recipients of ${formatCount(read)} read, ` +
      `${campaign.encoding} × ${campaign.segmentsPerMessage} segment(s), estimated ${formatMoney(campaign.estimatedCost.amount, campaign.estimatedCost.currency)}`,
  );
  if (campaign.scheduledAt) {
    context.print(`  scheduled for ${campaign.scheduledAt}`);
  }
  const rejected = campaign.rejectedRecipientCount;
  // A list's rejected rows were printed with the file: these are the recipients the campaign itself refused.
  context.print(
    `  rejected recipients: ${formatCount(rejected)}${fromList ? " (besides the file's rejected rows above)" : ''}`,
  );
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

/** A plain numbers file: read here, sent with sendBulk's recipients. */
async function sendNumbers(
  context: CliContext,
  options: SendOptions,
): Promise<{ campaign: SentCampaign; read: number }> {
  const recipients = parseRecipients(context.readTextFile(options.file)).recipients;
  const { sendBulk: campaign } = await context.api.request<{ sendBulk: SentCampaign }>(SEND_BULK, {
    input: {
      recipients,
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
  return { campaign, read: recipients.length };
}

/**
 * A list with columns (a template, or a named phone column): streamed with the campaign in one request
 * (POST /api/campaigns), where the service stores each row once, as it is parsed; then the campaign is read
 * back for the same summary as sendBulk's.
 */
async function sendFileInOneRequest(
  context: CliContext,
  options: SendOptions,
): Promise<{ campaign: SentCampaign; read: number }> {
  const uploaded = await context.uploadCampaign(options.file, {
    text: options.text,
    name: options.name,
    senderId: options.sender,
    defaultCountry: options.defaultCountry,
    phoneColumn: options.phoneColumn,
    smartEncoding: options.smartEncoding ? 'true' : undefined,
    maxCost: options.maxCost === undefined ? undefined : String(options.maxCost),
    scheduledAt: options.scheduleAt?.toISOString(),
    idempotencyKey: options.idempotencyKey,
  });
  if (uploaded.upload) {
    describeUpload(uploaded.upload).forEach((line) => context.print(line));
  }
  const { campaign } = await context.api.request<{ campaign: SentCampaign }>(CAMPAIGN, { id: uploaded.id });
  return { campaign, read: uploaded.upload?.recipients ?? campaign.progress.total };
}
