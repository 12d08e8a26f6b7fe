import Papa from 'papaparse';

/**
 * Where the new-campaign form's recipients come from. Today they travel inline in sendBulk's
 * `recipients` (pasted, or a CSV file read in the browser). The seam: once the recipient-list
 * upload (POST /api/recipient-lists) is on the server, an `uploaded` source sends the list's id
 * instead, and only `sendBulkRecipients` changes.
 */
export interface InlineRecipients {
  kind: 'inline';
  /** As given, one per recipient; row numbers are reported from these positions. */
  recipients: string[];
  /** Row number (1-based, as a spreadsheet shows it) of each recipient. */
  rowNumbers: number[];
  description: string;
}

export type RecipientSource = InlineRecipients;

export function sendBulkRecipients(source: RecipientSource): { recipients: string[] } {
  return { recipients: source.recipients };
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

export interface ParsedCsv {
  fileName: string;
  rows: string[][];
  columnCount: number;
}

export function parseCsv(fileName: string, text: string): ParsedCsv {
  // papaparse: RFC 4180 quoting, delimiter detection, BOM handling.
  const result = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
  const rows = result.data.map((row) => row.map((cell) => String(cell ?? '').trim()));
  return { fileName, rows, columnCount: rows.reduce((max, row) => Math.max(max, row.length), 0) };
}

/** The column most likely to hold phone numbers: a header like "phone", else the most number-like cells. */
export function guessColumn(csv: ParsedCsv): { column: number; hasHeader: boolean } {
  const header = csv.rows[0] ?? [];
  const named = header.findIndex((cell) => /phone|mobile|msisdn|number|^to$|recipient/i.test(cell));
  const looksLikeNumber = (cell: string | undefined) => !!cell && /^\+?[\d\s().-]{6,}$/.test(cell);
  const hasHeader = header.length > 0 && !header.some((cell) => looksLikeNumber(cell));
  if (named >= 0) {
    return { column: named, hasHeader: true };
  }
  const sample = csv.rows.slice(hasHeader ? 1 : 0, 50);
  let best = 0;
  let bestScore = -1;
  for (let column = 0; column < csv.columnCount; column++) {
    const score = sample.filter((row) => looksLikeNumber(row[column])).length;
    if (score > bestScore) {
      best = column;
      bestScore = score;
    }
  }
  return { column: best, hasHeader };
}

export function csvRecipients(csv: ParsedCsv, column: number, hasHeader: boolean): InlineRecipients {
  const recipients: string[] = [];
  const rowNumbers: number[] = [];
  csv.rows.forEach((row, index) => {
    if (hasHeader && index === 0) {
      return;
    }
    const value = row[column]?.trim();
    if (value) {
      recipients.push(value);
      rowNumbers.push(index + 1);
    }
  });
  return { kind: 'inline', recipients, rowNumbers, description: `${csv.fileName}, column ${column + 1}` };
}
