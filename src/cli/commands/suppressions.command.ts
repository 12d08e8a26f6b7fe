import { SuppressionsCommand } from '../cli-args';
import { formatCount } from '../progress-bar';
import { isSupportedCountry, normalizeCountry, parseRecipientNumber } from '../../messaging/recipient-number-parser';
import { parseRecipientRows } from '../recipients-file';
import { CliContext } from './cli-context';
import { csvField } from '../../common/text/csv-field';

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

/** `suppressions import <file>`: adds the file's numbers (source CSV_IMPORT); `export`: the whole list as CSV. Returns the exit code. */
export async function suppressionsCommand(context: CliContext, command: SuppressionsCommand): Promise<number> {
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
    return 0;
  }
  return importSuppressions(context, command);
}

/**
 * Checks every row with the service's own number parser first, so one bad row neither refuses the
 * whole file (addSuppressions is all or nothing) nor half of it (a later chunk refused after earlier
 * ones were added): the valid numbers are added, each bad row is named with its row number on stderr,
 * and the exit code is 1 when there was any.
 */
async function importSuppressions(
  context: CliContext,
  command: Extract<SuppressionsCommand, { action: 'import' }>,
): Promise<number> {
  if (command.defaultCountry !== undefined && !isSupportedCountry(command.defaultCountry)) {
    context.progressOutput.write(`error: --default-country: unsupported country code "${command.defaultCountry}"\n`);
    return 1;
  }
  const defaultCountry = command.defaultCountry ? normalizeCountry(command.defaultCountry) : undefined;
  const { rows } = parseRecipientRows(context.readTextFile(command.file));
  const firstRowOf = new Map<string, number>();
  const bad: string[] = [];
  let duplicates = 0;
  for (const { row, value } of rows) {
    const parsed = parseRecipientNumber(value, defaultCountry);
    if (!parsed.ok) {
      bad.push(`  row ${row}: ${JSON.stringify(value)}: ${parsed.reason}`);
    } else if (firstRowOf.has(parsed.e164)) {
      duplicates++;
    } else {
      firstRowOf.set(parsed.e164, row);
    }
  }
  const phones = [...firstRowOf.keys()];
  let added = 0;
  let already = 0;
  let caught = 0;
  for (let start = 0; start < phones.length; start += IMPORT_CHUNK) {
    const { addSuppressions } = await context.api.request<{
      addSuppressions: { added: number; alreadySuppressed: number; messagesSuppressed: number };
    }>(ADD, {
      input: {
        phones: phones.slice(start, start + IMPORT_CHUNK),
        reason: command.reason,
        source: 'CSV_IMPORT',
      },
    });
    added += addSuppressions.added;
    already += addSuppressions.alreadySuppressed;
    caught += addSuppressions.messagesSuppressed;
  }
  context.print(
    `Suppressed ${formatCount(added)} numbers (${formatCount(already)} already were); ` +
      `${formatCount(caught)} waiting messages will not be sent.` +
      (duplicates > 0 ? ` ${formatCount(duplicates)} duplicate rows skipped.` : ''),
  );
  if (bad.length === 0) {
    return 0;
  }
  context.progressOutput.write(
    `error: ${formatCount(bad.length)} rows not imported (fix them and import the file again; ` +
      `the numbers already on the list are skipped):\n${bad.join('\n')}\n`,
  );
  return 1;
}
