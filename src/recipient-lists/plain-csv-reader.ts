/**
 * A fast reader for the CSV uploads almost always hold, used before csv-parse on each upload segment.
 *
 * Written here rather than taken from a library because csv-parse (kept for everything else) builds each
 * field byte by byte in a buffer of its own: on a worker it was about a fifth of a row's parse-and-validate
 * time, and most of the garbage collection. This reader slices fields straight out of the segment's text.
 *
 * It reads what csv-parse reads with the options the upload uses (parseUploadCsv: the header's delimiter, `"` quotes
 * escaped by doubling, \r\n, \n or \r ending a record in any mix, `relax_column_count`, empty lines counted
 * as rows but not records, no trimming, no BOM handling), and gives up (null) on anything else: a line
 * break inside quotes, a quote where RFC 4180 does not allow one, a record that could pass `maxRecordBytes`.
 * csv-parse then reads the segment, so its records and its errors (code, message, line) stay exactly what
 * they were. plain-csv-reader.spec.ts checks the two agree.
 */

import type { CsvDelimiter } from './csv-delimiter';
import type { CsvRows } from './upload-csv-parse';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** Most UTF-8 bytes one UTF-16 code unit can take: a record of n units is at most 3n bytes. */
const MAX_BYTES_PER_UNIT = 3;

/** The segment's records and rows as parseUploadCsv would give them, or null when csv-parse has to read it. */
export function readPlainCsv(text: string, delimiter: CsvDelimiter, maxRecordBytes: number): CsvRows | null {
  const records: CsvRows['records'] = [];
  const rows = forEachPlainCsvRecord(text, delimiter, maxRecordBytes, (cells, row) => records.push({ row, cells }));
  return rows === null ? null : { rows, records };
}

/**
 * readPlainCsv's records handed to `onRecord` one by one as they are read, so that none has to outlive
 * its turn (an upload's worker keeps only what it validated). Answers the rows read (empty lines count),
 * or null when csv-parse has to read the text: the records handed over until then are to be dropped.
 */
export function forEachPlainCsvRecord(
  text: string,
  delimiter: CsvDelimiter,
  maxRecordBytes: number,
  onRecord: (record: string[], row: number) => void,
): number | null {
  const separator = delimiter.charCodeAt(0);
  const maxRecordUnits = Math.floor(maxRecordBytes / MAX_BYTES_PER_UNIT);
  const length = text.length;
  let pos = 0;
  let row = 0;
  while (pos < length) {
    row++;
    const start = pos;
    const record: string[] = [];
    let quotedOnly = false;
    let end = length;
    for (;;) {
      let field: string;
      let next: number;
      if (text.charCodeAt(pos) === QUOTE) {
        const quoted = readQuoted(text, pos, separator);
        if (quoted === null) {
          return null;
        }
        [field, next] = quoted;
        quotedOnly = record.length === 0;
      } else {
        next = pos;
        let code = 0;
        while (next < length) {
          code = text.charCodeAt(next);
          if (code === separator || code === LF || code === CR) {
            break;
          }
          if (code === QUOTE) {
            return null;
          }
          next++;
        }
        field = text.slice(pos, next);
        quotedOnly = false;
      }
      if (next >= length) {
        record.push(field);
        pos = length;
        break;
      }
      const code = text.charCodeAt(next);
      if (code === separator) {
        record.push(field);
        pos = next + 1;
        continue;
      }
      record.push(field);
      end = next;
      pos = next + (code === CR && text.charCodeAt(next + 1) === LF ? 2 : 1);
      break;
    }
    if (end - start > maxRecordUnits) {
      return null;
    }
    // An empty line is a row but no record; a line holding only `""` is one record of one empty field.
    if (record.length === 1 && record[0] === '' && !quotedOnly) {
      continue;
    }
    onRecord(record, row);
  }
  return row;
}

/** The field's text and where it ends (just past the closing quote), or null when not plain. */
function readQuoted(text: string, open: number, separator: number): [string, number] | null {
  let field = '';
  let from = open + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    if (close < 0) {
      return null;
    }
    field += text.slice(from, close);
    if (text.charCodeAt(close + 1) === QUOTE) {
      field += '"';
      from = close + 2;
      continue;
    }
    const after = close + 1;
    if (after < text.length) {
      const code = text.charCodeAt(after);
      if (code !== separator && code !== LF && code !== CR) {
        return null;
      }
    }
    // A quoted line break is rare in uploads: csv-parse reads it.
    return field.includes('\n') || field.includes('\r') ? null : [field, after];
  }
}
