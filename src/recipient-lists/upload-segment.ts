import type { CountryCode } from 'libphonenumber-js/core';
import { isStorableText } from '../common/text/storable-text';
import { firstLineNotUtf8 } from '../common/text/utf8';
import { parseRecipientNumber } from '../messaging/recipient-number-parser';
import { shortenRejectedInput } from '../messaging/recipient-validator';
import type { CsvDelimiter } from './csv-delimiter';
import { forEachPlainCsvRecord } from './plain-csv-reader';
import type { RecipientListFormat } from './recipient-list-format';
import { CsvRows, parseUploadCsv } from './upload-csv-parse';
import { MAX_RECORD_BYTES } from './record-splitter';
import { jsonDepthWithin, MAX_JSON_FIELD_DEPTH } from '../common/text/json-depth';

/** Longest value of a field; longer ones reject their row. */
export const MAX_FIELD_LENGTH = 1_000;

/** A segment of whole records to parse and validate (on a worker). */
export interface UploadSegmentRequest {
  segment: number;
  bytes: Uint8Array;
  format: RecipientListFormat;
  /** Column names: NDJSON objects are read by these keys; CSV rows must have this many cells. */
  header: string[];
  /** CSV: the header's delimiter (default `,`). */
  delimiter?: CsvDelimiter;
  phoneIndex: number;
  defaultCountry?: CountryCode;
  /** False when nothing reads the fields (a campaign whose text uses none): `entries.values` is then `[]`. */
  withValues?: boolean;
}

/**
 * Rows are numbered from 1 within the segment as a spreadsheet shows them: CSV records and empty lines (a
 * quoted line break stays within its row), NDJSON lines.
 * The valid rows come as the main thread needs them, with as few objects as possible to copy and collect:
 * their row numbers and numbers in typed arrays (for duplicates), and their columns already encoded as the
 * INSERT takes them (`entries`), written as they are unless a duplicate has to be left out.
 */
export interface ParsedUploadSegment {
  segment: number;
  /** CSV: records and empty lines in the segment; NDJSON: lines. */
  rows: number;
  validRows: Int32Array<ArrayBuffer>;
  /** Each valid row's E.164 number without its `+` (at most 15 digits: exact in a double). */
  numbers: Float64Array<ArrayBuffer>;
  entries: EncodedEntries;
  /** JSON array: each valid row's phone cell as written, '' when it already was the E.164 number. */
  inputs: string;
  /** Valid rows per country. */
  countries: Record<string, number>;
  /** In row order. */
  rejected: RejectedUploadRow[];
  /** A CSV that cannot be read: csv-parse's code and message, the line within the segment. */
  csvError?: { code: string; message: string; line: number };
  /** The line within the segment of the first bytes that are not UTF-8: nothing else is read. */
  notUtf8Line?: number;
}

/**
 * Entries, each column one text: row numbers (within the segment), E.164 numbers and countries hold no
 * comma and are comma-joined; `values` is a JSON array of each entry's other cells in header order.
 */
export interface EncodedEntries {
  rows: string;
  phones: string;
  countries: string;
  values: string;
}

/**
 * `column` is a header index, -1 for the whole row. With `phone` set the number was valid and the row is
 * rejected for a field: unless that number is a duplicate, which is checked first over the whole list.
 */
export interface RejectedUploadRow {
  row: number;
  column: number;
  input: string;
  reason: string;
  phone?: { e164: string; input: string };
}

const NO_VALUES: string[] = [];

/** Parses and validates one segment: the per-row work of an upload, with nothing that needs the whole list. */
export function parseUploadSegment(request: UploadSegmentRequest): ParsedUploadSegment {
  let rows = new ValidRows();
  let rejected: RejectedUploadRow[] = [];
  const notUtf8Line = firstLineNotUtf8(request.bytes);
  if (notUtf8Line !== null) {
    return { ...rows.result(request.segment, 0, rejected, false), notUtf8Line };
  }
  const text = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength).toString('utf8');
  if (request.format === 'csv') {
    // Each record validated as it is read: its cells are garbage at once, where a segment's worth of
    // records held until the end were copied by every young-generation collection meanwhile.
    const delimiter = request.delimiter ?? ',';
    let csvRows = forEachPlainCsvRecord(text, delimiter, MAX_RECORD_BYTES, (cells, row) =>
      addRow(rows, rejected, request, row, cells),
    );
    if (csvRows === null) {
      rows = new ValidRows();
      rejected = [];
      let parsed: CsvRows;
      try {
        parsed = parseUploadCsv(text, delimiter);
      } catch (error) {
        const { code, message, lines } = error as { code?: string; message: string; lines?: number };
        return {
          ...rows.result(request.segment, 0, rejected, false),
          csvError: { code: code ?? 'CSV_ERROR', message, line: lines ?? 1 },
        };
      }
      for (const { row, cells } of parsed.records) {
        addRow(rows, rejected, request, row, cells);
      }
      csvRows = parsed.rows;
    }
    return rows.result(request.segment, csvRows, rejected, request.withValues ?? true);
  }
  const lines = text.split(/\r\n|\r|\n/);
  // A segment ends with a line break, which leaves one empty string after it.
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  lines.forEach((line, i) => {
    if (line.trim() !== '') {
      const object = parseNdjsonLine(line);
      if (typeof object === 'string') {
        rejected.push({ row: i + 1, column: -1, input: shortenRejectedInput(line), reason: object });
      } else {
        addRow(rows, rejected, request, i + 1, cellsOf(object, request.header));
      }
    }
  });
  return rows.result(request.segment, lines.length, rejected, request.withValues ?? true);
}

/** The valid rows of a segment as they are found, then encoded once. */
class ValidRows {
  private readonly rows: number[] = [];
  private readonly phones: string[] = [];
  private readonly inputs: string[] = [];
  private readonly countryOf: string[] = [];
  private readonly values: string[][] = [];

  add(row: number, phone: string, input: string, country: string, values: string[]): void {
    this.rows.push(row);
    this.phones.push(phone);
    this.inputs.push(input);
    this.countryOf.push(country);
    this.values.push(values);
  }

  result(segment: number, rows: number, rejected: RejectedUploadRow[], withValues: boolean): ParsedUploadSegment {
    const countries: Record<string, number> = {};
    for (const country of this.countryOf) {
      countries[country] = (countries[country] ?? 0) + 1;
    }
    return {
      segment,
      rows,
      validRows: Int32Array.from(this.rows),
      numbers: Float64Array.from(this.phones, (phone) => Number(phone.slice(1))),
      entries: {
        rows: this.rows.join(','),
        phones: this.phones.join(','),
        countries: this.countryOf.join(','),
        values: withValues ? JSON.stringify(this.values) : '[]',
      },
      inputs: JSON.stringify(this.inputs),
      countries,
      rejected,
    };
  }
}

/** The object of an NDJSON line, its values as text; or why the line is not a row. */
export function parseNdjsonLine(line: string): Record<string, string> | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'not a JSON object';
  }
  if (!jsonDepthWithin(value, MAX_JSON_FIELD_DEPTH + 1)) {
    return `a value nested deeper than ${MAX_JSON_FIELD_DEPTH} levels`;
  }
  const record: Record<string, string> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    record[key] =
      field === null || field === undefined ? '' : typeof field === 'string' ? field : JSON.stringify(field);
  }
  return record;
}

function cellsOf(record: Record<string, string>, header: readonly string[]): string[] {
  return header.map((name) => (Object.prototype.hasOwnProperty.call(record, name) ? record[name] : ''));
}

function addRow(
  rows: ValidRows,
  rejected: RejectedUploadRow[],
  request: UploadSegmentRequest,
  row: number,
  cells: string[],
): void {
  const { header, phoneIndex } = request;
  if (cells.length !== header.length) {
    rejected.push({
      row,
      column: -1,
      input: shortenRejectedInput(cells.join(request.delimiter ?? ',')),
      reason: `has ${cells.length} columns; the header has ${header.length}`,
    });
    return;
  }
  const input = cells[phoneIndex];
  const parsed = parseRecipientNumber(input, request.defaultCountry);
  if (!parsed.ok) {
    rejected.push({ row, column: phoneIndex, input: shortenRejectedInput(input), reason: parsed.reason });
    return;
  }
  // Checked either way; kept only when something reads them (one array fewer a row to collect).
  const values: string[] = request.withValues === false ? NO_VALUES : [];
  for (let i = 0; i < cells.length; i++) {
    if (i === phoneIndex) {
      continue;
    }
    const unfit =
      cells[i].length > MAX_FIELD_LENGTH
        ? `longer than ${MAX_FIELD_LENGTH} characters`
        : isStorableText(cells[i])
          ? null
          : 'contains a NUL byte or an unpaired surrogate';
    if (unfit) {
      rejected.push({
        row,
        column: i,
        input: shortenRejectedInput(cells[i]),
        reason: unfit,
        phone: { e164: parsed.e164, input: shortenRejectedInput(input) },
      });
      return;
    }
    if (values !== NO_VALUES) {
      values.push(cells[i]);
    }
  }
  rows.add(row, parsed.e164, parsed.e164 === input ? '' : shortenRejectedInput(input), parsed.country, values);
}
