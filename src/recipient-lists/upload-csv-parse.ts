import type { Options } from 'csv-parse';
import { parse as parseCsv } from 'csv-parse/sync';
import type { CsvDelimiter } from './csv-delimiter';
import { MAX_RECORD_BYTES } from './record-splitter';

/**
 * An upload's CSV records with the row each is on as a spreadsheet shows it: an empty line is a row of its
 * own (and not a record), a quoted line break is not. `rows` counts them all, the empty lines at the end
 * included, so the next segment's rows follow on.
 */
export interface CsvRows {
  rows: number;
  records: Array<{ row: number; cells: string[] }>;
}

const QUOTE = 0x22;

// Every line break ends a record, in any mix, as the record splitter cuts them: csv-parse's default takes
// the first line break it meets as the only one, and a file mixing \r\n and \n had rows merged into one.
// Empty lines are kept (to be counted) and told from a line holding only `""` by their raw text.
const OPTIONS: Options = {
  relax_column_count: true,
  skip_empty_lines: false,
  max_record_size: MAX_RECORD_BYTES,
  record_delimiter: ['\r\n', '\n', '\r'],
  raw: true,
};

/** csv-parse's reading of an upload's CSV (segment or header); throws csv-parse's errors. */
export function parseUploadCsv(text: string | Buffer, delimiter: CsvDelimiter): CsvRows {
  // With `raw`, csv-parse gives each record with its text, which its types do not say.
  const parsed = parseCsv(text, { ...OPTIONS, delimiter }) as unknown as Array<{ record: string[]; raw: string }>;
  const records: CsvRows['records'] = [];
  parsed.forEach(({ record, raw }, i) => {
    if (record.length !== 1 || record[0] !== '' || raw.charCodeAt(0) === QUOTE) {
      records.push({ row: i + 1, cells: record });
    }
  });
  return { rows: parsed.length, records };
}
