import type { CountryCode } from 'libphonenumber-js/core';
import { RecipientRejection, parseRecipientNumber } from '../messaging/recipient-number-parser';
import { shortenRejectedInput } from '../messaging/recipient-validator';
import type { RecipientListEntryBatch, RecipientListRejectedRow } from '../persistence/recipient-list.repository';

/** Rejected rows kept with the list (the count covers them all). */
export const REJECTED_ROWS_KEPT = 1_000;
/** Longest value of a field; longer ones reject their row. */
export const MAX_FIELD_LENGTH = 1_000;

export class TooManyRecipientsError extends Error {}

/**
 * Turns uploaded rows into list entries: validates and normalises the phone number (the same parser
 * as sendBulk's recipients), drops duplicates, keeps the other columns as fields, and records every
 * rejected row with its row number, column and reason.
 */
export class RecipientListBuilder {
  private readonly seen = new Set<string>();
  private batch: RecipientListEntryBatch;
  private position = 0;
  rowCount = 0;
  duplicateCount = 0;
  rejectedCount = 0;
  readonly rejectedRows: RecipientListRejectedRow[] = [];
  readonly countries: Record<string, number> = {};

  constructor(
    private readonly header: readonly string[],
    private readonly phoneIndex: number,
    private readonly defaultCountry: CountryCode | undefined,
    private readonly maxRecipients: number,
  ) {
    this.batch = this.emptyBatch();
  }

  get validCount(): number {
    return this.position;
  }

  /** Valid entries waiting to be written. */
  get pending(): number {
    return this.batch.phones.length;
  }

  addRow(row: number, cells: readonly string[]): void {
    this.rowCount++;
    const phoneColumn = this.header[this.phoneIndex];
    if (cells.length !== this.header.length) {
      this.reject(row, null, cells.join(','), `has ${cells.length} columns; the header has ${this.header.length}`);
      return;
    }
    const input = cells[this.phoneIndex];
    const parsed = parseRecipientNumber(input, this.defaultCountry);
    if (!parsed.ok) {
      this.reject(row, phoneColumn, input, parsed.reason);
      return;
    }
    if (this.seen.has(parsed.e164)) {
      this.duplicateCount++;
      this.reject(row, phoneColumn, input, `${RecipientRejection.DUPLICATE} of ${parsed.e164}`);
      return;
    }
    const values: string[] = [];
    for (let i = 0; i < cells.length; i++) {
      if (i === this.phoneIndex) {
        continue;
      }
      if (cells[i].length > MAX_FIELD_LENGTH) {
        this.reject(row, this.header[i], cells[i], `longer than ${MAX_FIELD_LENGTH} characters`);
        return;
      }
      values.push(cells[i]);
    }
    if (this.position >= this.maxRecipients) {
      throw new TooManyRecipientsError(`more than ${this.maxRecipients.toLocaleString('en-US')} valid recipients`);
    }
    this.seen.add(parsed.e164);
    this.position++;
    this.countries[parsed.country] = (this.countries[parsed.country] ?? 0) + 1;
    this.batch.rows.push(row);
    this.batch.phones.push(parsed.e164);
    this.batch.countries.push(parsed.country);
    this.batch.values.push(values);
  }

  /** A row that is not a row at all (e.g. an NDJSON line that is not a JSON object). */
  rejectRow(row: number, input: string, reason: string): void {
    this.rowCount++;
    this.reject(row, null, input, reason);
  }

  /** The valid entries since the last call, to be written; the next batch starts empty. */
  takeBatch(): RecipientListEntryBatch {
    const batch = this.batch;
    this.batch = this.emptyBatch();
    return batch;
  }

  private reject(row: number, column: string | null, input: string, reason: string): void {
    this.rejectedCount++;
    if (this.rejectedRows.length < REJECTED_ROWS_KEPT) {
      this.rejectedRows.push({ row, column, input: shortenRejectedInput(input), reason });
    }
  }

  private emptyBatch(): RecipientListEntryBatch {
    return { firstPosition: this.position, rows: [], phones: [], countries: [], values: [] };
  }
}
