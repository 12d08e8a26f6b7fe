import { GraphqlApiError } from '../graphql-api.client';
import { PROGRESS_FIELDS, ProgressReporter, ProgressSnapshot, renderTally, STATUS_COUNTERS } from '../progress-bar';
import { CliContext } from './cli-context';

const SUBSCRIPTION = `subscription($id: ID!) { campaignProgress(campaignId: $id) { ${PROGRESS_FIELDS} } }`;

// Per-status cost is summed from the messages themselves, page by page; above this many messages
// that is too many requests for a tally, and only the total (kept by the service) is shown.
export const COST_BY_STATUS_MAX_MESSAGES = 10_000;
const PAGE_SIZE = 100;

const MESSAGES_PAGE = `query($id: ID!, $status: MessageStatus, $after: String) {
  campaign(id: $id) { messages(status: $status, first: ${PAGE_SIZE}, after: $after) {
    edges { node { cost { amount } } } pageInfo { hasNextPage endCursor } } }
}`;

/**
 * Follows campaignProgress until the stream completes (the campaign settled: final, nothing in flight), drawing progress on stderr,
 * then prints the tally. Resolves with the last snapshot.
 */
export async function watchCampaign(context: CliContext, campaignId: string): Promise<ProgressSnapshot> {
  const reporter = new ProgressReporter(context.progressOutput);
  let last: ProgressSnapshot | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      context.api.subscribe<{ campaignProgress: ProgressSnapshot }>(
        SUBSCRIPTION,
        { id: campaignId },
        {
          next: ({ campaignProgress }) => {
            last = campaignProgress;
            reporter.update(campaignProgress);
          },
          error: reject,
          complete: resolve,
        },
      );
    });
  } finally {
    reporter.finish();
  }
  if (!last) {
    throw new GraphqlApiError('NO_PROGRESS', `the subscription to campaign ${campaignId} ended without any progress`);
  }
  context.print(renderTally(last, await costByStatus(context, last)));
  return last;
}

/** Sum of provider-reported amounts per message status, for campaigns small enough to page through. */
export async function costByStatus(
  context: CliContext,
  progress: ProgressSnapshot,
): Promise<Map<string, number> | undefined> {
  if (progress.total > COST_BY_STATUS_MAX_MESSAGES) {
    return undefined;
  }
  const costs = new Map<string, number>();
  for (const [status, counter] of STATUS_COUNTERS) {
    if (progress[counter] === 0) {
      continue;
    }
    let total = 0;
    let after: string | null = null;
    do {
      type Page = {
        campaign: {
          messages: {
            edges: Array<{ node: { cost: { amount: number } | null } }>;
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        } | null;
      };
      const page: Page = await context.api.request<Page>(MESSAGES_PAGE, { id: progress.campaignId, status, after });
      const messages = page.campaign?.messages;
      // Summed in 1e-5 units (the API's precision), so many small amounts add up exactly.
      total += messages?.edges.reduce((sum, edge) => sum + Math.round((edge.node.cost?.amount ?? 0) * 1e5), 0) ?? 0;
      after = messages?.pageInfo.hasNextPage ? messages.pageInfo.endCursor : null;
    } while (after);
    costs.set(status, total / 1e5);
  }
  return costs;
}
