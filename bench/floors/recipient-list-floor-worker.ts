/*
 * Worker of the recipient-list upload floor: csv-parse and libphonenumber over one part of the CSV (whole
 * records), answering the valid rows' E.164 numbers, countries, row numbers and field values as JSON text.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { parentPort } from 'node:worker_threads';
import { parseRecipientNumber } from '../../src/messaging/recipient-number-parser';

export interface FloorPartRequest {
  bytes: Uint8Array;
  /** Row number of the part's first record. */
  firstRow: number;
}

export interface FloorPartResult {
  rows: number[];
  phones: string[];
  countries: string[];
  values: string[];
}

parentPort?.on('message', ({ bytes, firstRow }: FloorPartRequest) => {
  const result: FloorPartResult = { rows: [], phones: [], countries: [], values: [] };
  const records: string[][] = parseCsv(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {});
  records.forEach((record, i) => {
    const parsed = parseRecipientNumber(record[0]);
    if (parsed.ok) {
      result.rows.push(firstRow + i);
      result.phones.push(parsed.e164);
      result.countries.push(parsed.country);
      result.values.push(JSON.stringify([record[1], record[2]]));
    }
  });
  parentPort?.postMessage(result);
});
