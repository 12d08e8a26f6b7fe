import { parse as parseCsv } from 'csv-parse/sync';
import type { CountryCode } from 'libphonenumber-js/core';
import { parseRecipientNumber } from '../messaging/recipient-number-parser';
import { shortenRejectedInput } from '../messaging/recipient-validator';
import type { RecipientListFormat } from './recipient-list-format';
import { MAX_RECORD_BYTES } from './record-splitter';

/** Longest value of a field; longer ones reject their row. */
export const MAX_FIELD_LENGTH = 1_000;

/** A segment of whole records to parse and validate (on a worker). */
export interface UploadSegmentRequest {
  segment: number;
  bytes: Uint8Array;
  format: RecipientListFormat;
  /** Column names: NDJSON objects are read by these keys; CSV rows must have this many cells. */
  header: string[];
  phoneIndex: number;
  defaultCountry?: CountryCode;
}

/**
 * Rows are numbered from 1 within the segment: CSV records (empty lines are not records), NDJSON lines.
 * Valid rows are parallel arrays; `inputs[i]` is the phone cell as written, '' when it already was phones[i].
 */
export interface ParsedUploadSegment {
  segment: number;
  /** CSV: records in the segment; NDJSON: lines. */
  rows: number;
  validRows: number[];
  phones: string[];
  inputs: string[];
  countries: string[];
  /** The other cells of each valid row, in header order. */
  values: string[][];
  /** In row order. */
  rejected: RejectedUploadRow[];
  /** A CSV that cannot be read: csv-parse's code and message, the line within the segment. */
  csvError?: { code: string; message: string; line: number };
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

/** Parses and validates one segment: the per-row work of an upload, with nothing that needs the whole list. */
export function parseUploadSegment(request: UploadSegmentRequest): ParsedUploadSegment {
  const result: ParsedUploadSegment = {
    segment: request.segment,
    rows: 0,
    validRows: [],
    phones: [],
    inputs: [],
    countries: [],
    values: [],
    rejected: [],
  };
  const text = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength).toString('utf8');
  if (request.format === 'csv') {
    let records: string[][];
    try {
      records = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_BYTES });
    } catch (error) {
      const { code, message, lines } = error as { code?: string; message: string; lines?: number };
      result.csvError = { code: code ?? 'CSV_ERROR', message, line: lines ?? 1 };
      return result;
    }
    result.rows = records.length;
    records.forEach((cells, i) => addRow(result, request, i + 1, cells));
    return result;
  }
  const lines = text.split(/\r\n|\r|\n/);
  // A segment ends with a line break, which leaves one empty string after it.
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  result.rows = lines.length;
  lines.forEach((line, i) => {
    if (line.trim() !== '') {
      const object = parseNdjsonLine(line);
      if (typeof object === 'string') {
        result.rejected.push({ row: i + 1, column: -1, input: shortenRejectedInput(line), reason: object });
      } else {
        addRow(result, request, i + 1, cellsOf(object, request.header));
      }
    }
  });
  return result;
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

function addRow(result: ParsedUploadSegment, request: UploadSegmentRequest, row: number, cells: string[]): void {
  const { header, phoneIndex } = request;
  if (cells.length !== header.length) {
    result.rejected.push({
      row,
      column: -1,
      input: shortenRejectedInput(cells.join(',')),
      reason: `has ${cells.length} columns; the header has ${header.length}`,
    });
    return;
  }
  const input = cells[phoneIndex];
  const parsed = parseRecipientNumber(input, request.defaultCountry);
  if (!parsed.ok) {
    result.rejected.push({ row, column: phoneIndex, input: shortenRejectedInput(input), reason: parsed.reason });
    return;
  }
  const values: string[] = [];
  for (let i = 0; i < cells.length; i++) {
    if (i === phoneIndex) {
      continue;
    }
    if (cells[i].length > MAX_FIELD_LENGTH) {
      result.rejected.push({
        row,
        column: i,
        input: shortenRejectedInput(cells[i]),
        reason: `longer than ${MAX_FIELD_LENGTH} characters`,
        phone: { e164: parsed.e164, input: shortenRejectedInput(input) },
      });
      return;
    }
    values.push(cells[i]);
  }
  result.validRows.push(row);
  result.phones.push(parsed.e164);
  result.inputs.push(parsed.e164 === input ? '' : shortenRejectedInput(input));
  result.countries.push(parsed.country);
  result.values.push(values);
}
