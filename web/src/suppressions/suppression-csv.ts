import Papa from 'papaparse';
import { csvField } from '../../../src/common/text/csv-field';
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
