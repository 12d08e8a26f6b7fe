import { RecipientRejection } from '../messaging/recipient-number-parser';
import type { RecipientListEntryBatch } from '../persistence/recipient-list-entry.repository';
import type { RecipientListRejectedRow } from '../persistence/recipient-list.repository';
import { PhoneNumberSet } from '../messaging/phone-number-set';
import type { EncodedEntries, ParsedUploadSegment, RejectedUploadRow } from './upload-segment';

export { MAX_FIELD_LENGTH } from './upload-segment';

/** Rejected rows kept with the list (the count covers them all). */
export const REJECTED_ROWS_KEPT = 1_000;

export class TooManyRecipientsError extends Error {}

/**
 * Turns parsed segments (validated and encoded on workers) into batches of list entries, in row order: drops
 * duplicates over the whole list, counts, and records every rejected row with its row number, column and
 * reason. The only per-row work left to the main thread is one lookup per number in a typed array; a
 * segment's entries are written as the worker encoded them unless a duplicate has to be cut out.
 */
export class RecipientListBuilder {
  private readonly seen = new PhoneNumberSet();
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
  ) {}

  get validCount(): number {
    return this.position;
  }

  /**
   * Adds a segment's rows (`rowBase` is the row number before the segment's first row) and answers its new
   * entries, or null when it has none.
   */
  addSegment(rowBase: number, segment: ParsedUploadSegment): RecipientListEntryBatch | null {
    const { rejected, validRows, numbers } = segment;
    const firstPosition = this.position;
    const duplicates: number[] = [];
    let inputs: string[] | null = null;
    let r = 0;
    for (let v = 0; v < validRows.length; v++) {
      const row = validRows[v];
      for (; r < rejected.length && rejected[r].row < row; r++) {
        this.addRejected(rowBase, rejected[r]);
      }
      this.rowCount++;
      if (this.seen.has(numbers[v])) {
        inputs ??= JSON.parse(segment.inputs) as string[];
        const e164 = `+${numbers[v]}`;
        this.duplicate(rowBase + row, inputs[v] || e164, e164);
        duplicates.push(v);
        continue;
      }
      if (this.position >= this.maxRecipients) {
        throw new TooManyRecipientsError(`more than ${this.maxRecipients.toLocaleString('en-US')} valid recipients`);
      }
      this.seen.add(numbers[v]);
      this.position++;
    }
    for (; r < rejected.length; r++) {
      this.addRejected(rowBase, rejected[r]);
    }
    if (this.position === firstPosition) {
      return null;
    }
    const entries = duplicates.length === 0 ? segment.entries : withoutEntries(segment.entries, duplicates);
    this.countCountries(segment.countries, duplicates.length === 0 ? [] : entries.countries.split(','));
    return { firstPosition, rowBase, ...entries };
  }

  /** Every valid row's country, less the duplicates' (then `kept` lists the countries of the entries kept). */
  private countCountries(segmentCountries: Record<string, number>, kept: string[]): void {
    if (kept.length === 0) {
      for (const [country, count] of Object.entries(segmentCountries)) {
        this.countries[country] = (this.countries[country] ?? 0) + count;
      }
      return;
    }
    for (const country of kept) {
      this.countries[country] = (this.countries[country] ?? 0) + 1;
    }
  }

  private addRejected(rowBase: number, rejected: RejectedUploadRow): void {
    this.rowCount++;
    // A valid number with a bad field is reported as a duplicate when it is one (numbers are checked first).
    if (rejected.phone && this.seen.has(Number(rejected.phone.e164.slice(1)))) {
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

  private reject(row: number, column: string | null, input: string, reason: string): void {
    this.rejectedCount++;
    if (this.rejectedRows.length < REJECTED_ROWS_KEPT) {
      this.rejectedRows.push({ row, column, input, reason });
    }
  }
}

/** The entries less those at `indexes` (ascending): decoded, filtered, encoded again. */
function withoutEntries(entries: EncodedEntries, indexes: number[]): EncodedEntries {
  const dropped = new Set(indexes);
  const keep = (_: unknown, i: number) => !dropped.has(i);
  return {
    rows: entries.rows.split(',').filter(keep).join(','),
    phones: entries.phones.split(',').filter(keep).join(','),
    countries: entries.countries.split(',').filter(keep).join(','),
    values: JSON.stringify((JSON.parse(entries.values) as string[][]).filter(keep)),
  };
}
