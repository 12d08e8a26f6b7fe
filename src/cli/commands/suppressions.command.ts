import { SuppressionsCommand } from '../cli-args';
import { formatCount } from '../progress-bar';
import { parseRecipients } from '../recipients-file';
import { CliContext } from './cli-context';

const ADD = `mutation($input: AddSuppressionsInput!) {
  addSuppressions(input: $input) { added alreadySuppressed messagesSuppressed }
}`;

const PAGE = `query($after: String) {
  suppressions(first: 500, after: $after) {
    edges { node { phone source reason campaignId createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

// One request stays well under the API's body limit and its 100,000-number cap.
const IMPORT_CHUNK = 10_000;

interface SuppressionNode {
  phone: string;
  source: string;
  reason: string;
  campaignId: string | null;
  createdAt: string;
}

/** `suppressions import <file>`: adds the file's numbers (source CSV_IMPORT); `export`: the whole list as CSV. */
export async function suppressionsCommand(context: CliContext, command: SuppressionsCommand): Promise<void> {
  if (command.action === 'export') {
    context.print('phone,source,reason,campaignId,createdAt');
    let after: string | null = null;
    do {
      const {
        suppressions,
      }: {
        suppressions: {
          edges: Array<{ node: SuppressionNode }>;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      } = await context.api.request(PAGE, { after });
      for (const { node } of suppressions.edges) {
        context.print(
          [node.phone, node.source, node.reason, node.campaignId ?? '', node.createdAt].map(csvField).join(','),
        );
      }
      after = suppressions.pageInfo.hasNextPage ? suppressions.pageInfo.endCursor : null;
    } while (after !== null);
    return;
  }
  const { recipients } = parseRecipients(context.readTextFile(command.file));
  let added = 0;
  let already = 0;
  let caught = 0;
  for (let start = 0; start < recipients.length; start += IMPORT_CHUNK) {
    const { addSuppressions } = await context.api.request<{
      addSuppressions: { added: number; alreadySuppressed: number; messagesSuppressed: number };
    }>(ADD, {
      input: {
        phones: recipients.slice(start, start + IMPORT_CHUNK),
        reason: command.reason,
        defaultCountry: command.defaultCountry,
        source: 'CSV_IMPORT',
      },
    });
    added += addSuppressions.added;
    already += addSuppressions.alreadySuppressed;
    caught += addSuppressions.messagesSuppressed;
  }
  context.print(
    `Suppressed ${formatCount(added)} numbers (${formatCount(already)} already were); ` +
      `${formatCount(caught)} waiting messages will not be sent.`,
  );
}

/** RFC 4180: quote a field holding a comma, quote or line break; double the quotes. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
