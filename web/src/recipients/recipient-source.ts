import Papa from 'papaparse';
import type { RecipientListUpload } from '../api/recipient-lists';

/**
 * Where the new-campaign form's recipients come from: numbers pasted (sent inline in sendBulk's
 * `recipients`), or a CSV file uploaded as a recipient list (POST /api/recipient-lists, sent by
 * `recipientListId`). Only the first rows of a file are read in the browser, for the column mapping
 * and the template preview; the server parses and validates the whole file.
 */
export interface InlineRecipients {
  kind: 'inline';
  /** As given, one per recipient; row numbers are reported from these positions. */
  recipients: string[];
  /** Row number (1-based, as a spreadsheet shows it) of each recipient. */
  rowNumbers: number[];
  description: string;
}

export interface UploadedRecipients {
  kind: 'uploaded';
  list: RecipientListUpload;
  description: string;
}

export type RecipientSource = InlineRecipients | UploadedRecipients;

export function recipientCount(source: RecipientSource): number {
  return source.kind === 'inline' ? source.recipients.length : source.list.recipients;
}

/** The part of sendBulk's and quote's input that names the recipients. */
export function sendBulkRecipients(source: RecipientSource): { recipients: string[]; recipientListId?: string } {
  return source.kind === 'inline'
    ? { recipients: source.recipients }
    : { recipients: [], recipientListId: source.list.id };
}

/** Numbers pasted one per line (commas and semicolons also separate). */
export function pastedRecipients(text: string): InlineRecipients {
  const recipients: string[] = [];
  const rowNumbers: number[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    for (const part of line.split(/[,;\t]/)) {
      const value = part.trim();
      if (value) {
        recipients.push(value);
        rowNumbers.push(index + 1);
      }
    }
  });
  return { kind: 'inline', recipients, rowNumbers, description: 'pasted' };
}

/** The header and first rows of a CSV file, as read in the browser. */
export interface CsvPreview {
  fileName: string;
  header: string[];
  rows: string[][];
}

/** Rows read in the browser: enough to map the columns and preview the template. */
export const PREVIEW_ROWS = 5;

export async function previewCsv(file: File): Promise<CsvPreview> {
  // Only the first 64 KB: the rest is the server's business.
  const text = await file.slice(0, 64 * 1024).text();
  // papaparse: RFC 4180 quoting, delimiter detection, BOM handling.
  const result = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy', preview: PREVIEW_ROWS + 1 });
  const [header = [], ...rows] = result.data.map((row) => row.map((cell) => String(cell ?? '').trim()));
  return { fileName: file.name, header, rows };
}

/** The column most likely to hold phone numbers: a header like "phone", else the most number-like cells. */
export function guessColumn(csv: CsvPreview): number {
  const named = csv.header.findIndex((cell) => /phone|mobile|msisdn|number|^to$|^tel|recipient/i.test(cell));
  if (named >= 0) {
    return named;
  }
  const looksLikeNumber = (cell: string | undefined) => !!cell && /^\+?[\d\s().-]{6,}$/.test(cell);
  let best = 0;
  let bestScore = -1;
  csv.header.forEach((_, column) => {
    const score = csv.rows.filter((row) => looksLikeNumber(row[column])).length;
    if (score > bestScore) {
      best = column;
      bestScore = score;
    }
  });
  return best;
}

/** A preview row as template fields: header name → value (what the server's template sees). */
export function rowFields(csv: CsvPreview, row: string[]): Record<string, string> {
  return Object.fromEntries(csv.header.map((name, i) => [name, row[i] ?? '']));
}
