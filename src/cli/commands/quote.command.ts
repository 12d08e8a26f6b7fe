import { QuoteOptions } from '../cli-args';
import { formatCount, formatMoney } from '../progress-bar';
import { describeUpload, usesRecipientList } from '../recipient-list-upload';
import { parseRecipients } from '../recipients-file';
import { CliContext } from './cli-context';

const QUOTE = `query($input: QuoteInput!) {
  quote(input: $input) {
    encoding characters segments text unicodeCharacters recipients
    rejectedRecipients { input reason }
    perCountry { country recipients pricePerSegment { amount currency } cost { amount currency } }
    totalCost { amount currency }
    distinctTexts distribution { encoding segments recipients }
    emptyFields { field recipients defaulted }
  }
}`;

interface Money {
  amount: number;
  currency: string;
}

interface QuoteResult {
  encoding: string;
  characters: number;
  segments: number;
  text: string;
  unicodeCharacters: string[];
  recipients: number;
  rejectedRecipients: Array<{ input: string; reason: string }>;
  perCountry: Array<{ country: string; recipients: number; pricePerSegment: Money; cost: Money }>;
  totalCost: Money;
  distinctTexts: number;
  distribution: Array<{ encoding: string; segments: number; recipients: number }>;
  emptyFields: Array<{ field: string; recipients: number; defaulted: boolean }>;
}

export async function quoteCommand(context: CliContext, options: QuoteOptions): Promise<void> {
  let recipients: string[] = [];
  let recipientListId: string | undefined;
  if (options.file && usesRecipientList(options)) {
    const list = await context.uploadRecipientList(options.file, options);
    describeUpload(list).forEach((line) => context.print(line));
    recipientListId = list.id;
  } else if (options.file) {
    recipients = parseRecipients(context.readTextFile(options.file)).recipients;
  }
  const { quote } = await context.api.request<{ quote: QuoteResult }>(QUOTE, {
    input: {
      text: options.text,
      recipients,
      recipientListId,
      defaultCountry: options.defaultCountry,
      smartEncoding: options.smartEncoding,
    },
  });
  context.print(
    `Encoding: ${quote.encoding}, ${formatCount(quote.characters)} characters, ${quote.segments} segment(s) per message`,
  );
  if (quote.unicodeCharacters.length > 0) {
    context.print(`Characters forcing UCS-2: ${quote.unicodeCharacters.map((c) => JSON.stringify(c)).join(' ')}`);
  }
  if (quote.text !== options.text) {
    context.print(`Text as sent: ${quote.text}`);
  }
  if (quote.distinctTexts > 1) {
    context.print(`Personalized: ${formatCount(quote.distinctTexts)} distinct texts`);
    for (const d of quote.distribution) {
      context.print(`  ${d.encoding} × ${d.segments} segment(s): ${formatCount(d.recipients)} recipients`);
    }
  }
  for (const { field, recipients, defaulted } of quote.emptyFields) {
    const consequence = defaulted
      ? 'they get the default the text gives it'
      : 'it renders as nothing there; add | default: "…" where the text reads it';
    context.print(
      `Empty field: ${JSON.stringify(field)} is empty for ${formatCount(recipients)} ${recipients === 1 ? 'recipient' : 'recipients'} (${consequence})`,
    );
  }
  context.print(
    `Recipients: ${formatCount(quote.recipients)} valid, ${formatCount(quote.rejectedRecipients.length)} rejected`,
  );
  for (const { input, reason } of quote.rejectedRecipients.slice(0, 5)) {
    context.print(`  ${JSON.stringify(input)}: ${reason}`);
  }
  const rows = quote.perCountry.map((row) => [
    row.country,
    formatCount(row.recipients),
    formatMoney(row.pricePerSegment.amount, row.pricePerSegment.currency),
    formatMoney(row.cost.amount, row.cost.currency),
  ]);
  if (rows.length > 0) {
    context.print(table(['country', 'recipients', 'per segment', 'cost'], rows));
  }
  context.print(`Total: ${formatMoney(quote.totalCost.amount, quote.totalCost.currency)}`);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
