import { detectCsvDelimiter } from '../recipient-lists/csv-delimiter';

/**
 * Recipients from a numbers file: one per line, or a CSV whose first column holds them. The
 * delimiter (comma, semicolon or tab) is taken from the first line; quoted fields may contain
 * delimiters, doubled quotes and line breaks; a first line without any digit is a header.
 */
export interface RecipientsFile {
  recipients: string[];
  headerSkipped: boolean;
}

/** One non-empty first-column value and the number of its CSV record in the file (the first is 1). */
export interface RecipientRow {
  row: number;
  value: string;
}

export function parseRecipients(content: string): RecipientsFile {
  const { rows, headerSkipped } = parseRecipientRows(content);
  return { recipients: rows.map((r) => r.value), headerSkipped };
}

/** Like parseRecipients, with each value's row number, so a bad row can be named. */
export function parseRecipientRows(content: string): { rows: RecipientRow[]; headerSkipped: boolean } {
  const text = content.replace(/^\uFEFF/, '');
  const firstColumn = parseRows(text, detectCsvDelimiter(text)).map((row) => (row[0] ?? '').trim());
  const headerSkipped = firstColumn.length > 0 && !/\d/.test(firstColumn[0]) && firstColumn[0] !== '';
  const rows = firstColumn
    .map((value, index) => ({ row: index + 1, value }))
    .filter((r, index) => r.value !== '' && !(headerSkipped && index === 0));
  return { rows, headerSkipped };
}

// RFC 4180, tolerant: CRLF or LF, a quote inside an unquoted field is kept as is.
function parseRows(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inQuotes) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        inQuotes = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field.trim() === '' && !quoted) {
      inQuotes = true;
      quoted = true;
      field = '';
    } else if (char === delimiter) {
      row.push(field);
      field = '';
      quoted = false;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') {
        i++;
      }
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      quoted = false;
    } else {
      field += char;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
