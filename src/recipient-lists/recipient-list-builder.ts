import { RecipientRejection } from '../messaging/recipient-number-parser';
import type { RecipientListEntryBatch, RecipientListRejectedRow } from '../persistence/recipient-list.repository';
import type { ParsedUploadSegment, RejectedUploadRow } from './upload-segment';

export { MAX_FIELD_LENGTH } from './upload-segment';

/** Rejected rows kept with the list (the count covers them all). */
export const REJECTED_ROWS_KEPT = 1_000;

export class TooManyRecipientsError extends Error {}

/**
 * Turns parsed segments (validated on workers) into list entries, in row order: drops duplicates over the
 * whole list, counts, batches the entries for writing, and records every rejected row with its row number,
 * column and reason. The only per-row work left to the main thread.
 */
export class RecipientListBuilder {
  // One Set per last two digits: a single Set of a million rehashes for ~15 ms in one go; 100 small ones don't.
  private readonly seen = Array.from({ length: 100 }, () => new Set<string>());
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

  /** Adds a segment's rows; `rowBase` is the row number before the segment's first row. */
  addSegment(rowBase: number, segment: ParsedUploadSegment): void {
    const { rejected } = segment;
    let r = 0;
    for (let v = 0; v < segment.validRows.length; v++) {
      const row = segment.validRows[v];
      for (; r < rejected.length && rejected[r].row < row; r++) {
        this.addRejected(rowBase, rejected[r]);
      }
      this.rowCount++;
      const e164 = segment.phones[v];
      if (this.isDuplicate(e164)) {
        this.duplicate(rowBase + row, segment.inputs[v] || e164, e164);
        continue;
      }
      if (this.position >= this.maxRecipients) {
        throw new TooManyRecipientsError(`more than ${this.maxRecipients.toLocaleString('en-US')} valid recipients`);
      }
      this.shardOf(e164).add(e164);
      this.position++;
      const country = segment.countries[v];
      this.countries[country] = (this.countries[country] ?? 0) + 1;
      this.batch.rows.push(rowBase + row);
      this.batch.phones.push(e164);
      this.batch.countries.push(country);
      this.batch.values.push(segment.values[v]);
    }
    for (; r < rejected.length; r++) {
      this.addRejected(rowBase, rejected[r]);
    }
  }

  /** The valid entries since the last call, to be written; the next batch starts empty. */
  takeBatch(): RecipientListEntryBatch {
    const batch = this.batch;
    this.batch = this.emptyBatch();
    return batch;
  }

  private addRejected(rowBase: number, rejected: RejectedUploadRow): void {
    this.rowCount++;
    // A valid number with a bad field is reported as a duplicate when it is one (numbers are checked first).
    if (rejected.phone && this.isDuplicate(rejected.phone.e164)) {
      this.duplicate(rowBase + rejected.row, rejected.phone.input, rejected.phone.e164);
      return;
    }
    const column = rejected.column < 0 ? null : this.header[rejected.column];
    this.reject(rowBase + rejected.row, column, rejected.input, rejected.reason);
  }

  private duplicate(row: number, input: string, e164: string): void {
    this.duplicateCount++;
    this.reject(row, this.header[this.phoneIndex], input, `${RecipientRejection.DUPLICATE} of ${e164}`);
  }

  private isDuplicate(e164: string): boolean {
    return this.shardOf(e164).has(e164);
  }

  private shardOf(e164: string): Set<string> {
    return this.seen[(e164.charCodeAt(e164.length - 1) - 48) * 10 + e164.charCodeAt(e164.length - 2) - 48];
  }

  private reject(row: number, column: string | null, input: string, reason: string): void {
    this.rejectedCount++;
    if (this.rejectedRows.length < REJECTED_ROWS_KEPT) {
      this.rejectedRows.push({ row, column, input, reason });
    }
  }

  private emptyBatch(): RecipientListEntryBatch {
    return { firstPosition: this.position, rows: [], phones: [], countries: [], values: [] };
  }
}
