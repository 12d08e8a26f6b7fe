import Papa from 'papaparse';
import type { Suppression } from '../api/types';

/**
 * The opt-out list as CSV, the same shape as `npm run cli -- suppressions export`:
 * `phone,source,reason,campaignId,createdAt`, RFC 4180 quoting.
 */
export function suppressionsCsv(rows: Suppression[]): string {
  const header = 'phone,source,reason,campaignId,createdAt';
  const lines = rows.map((r) => [r.phone, r.source, r.reason, r.campaignId ?? '', r.createdAt].map(csvField).join(','));
  return [header, ...lines].join('\r\n') + '\r\n';
}

// A cell starting with one of these is a formula to Excel, Sheets or Numbers (OWASP "CSV injection"; the set
// the message export guards, src/persistence/export-page-query.ts). A phone number in E.164 (+ and digits) is
// only a number to them, and is kept as it is so that the file imports again.
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const E164 = /^\+\d{1,15}$/;

/**
 * RFC 4180: quote a field holding a comma, quote or line break; double the quotes. A text that would start a
 * formula gets a leading `'`, so a spreadsheet shows it as text (a reason such as `=HYPERLINK(…)`).
 */
function csvField(value: string): string {
  const safe = FORMULA_START.test(value) && !E164.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A number to import, with its row as a spreadsheet shows it (the header, if any, is row 1). */
export interface ImportRow {
  row: number;
  phone: string;
}

/** The first column of each row, as the CLI's import reads it; a first row without digits is a header. */
export function importRows(text: string): ImportRow[] {
  const rows = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' }).data;
  const out: ImportRow[] = [];
  rows.forEach((cells, index) => {
    const phone = String(cells[0] ?? '').trim();
    if (index === 0 && !/\d/.test(phone)) {
      return;
    }
    if (phone) {
      out.push({ row: index + 1, phone });
    }
  });
  return out;
}
