import type { CountryCode } from 'libphonenumber-js/core';
import { yieldToIo } from '../common/async/yield-to-io';
import { firstLineNotUtf8 } from '../common/text/utf8';
import { UserInputError } from '../common/errors/domain-error';
import type { RecipientListEntryBatch } from '../persistence/recipient-list-entry.repository';
import { CsvDelimiter, detectCsvDelimiter } from './csv-delimiter';
import { checkHeader, resolvePhoneColumn } from './phone-column';
import { RecipientListBuilder } from './recipient-list-builder';
import type { RecipientListFormat } from './recipient-list-format';
import { RecordSegment, RecordSplitter } from './record-splitter';
import { CsvRows, parseUploadCsv } from './upload-csv-parse';
import { UploadParsePool, UploadWorkerFactory, uploadWorkerFactory } from './upload-parse-pool';
import { ParsedUploadSegment, parseNdjsonLine } from './upload-segment';

// ~6,000 rows: ~60 ms of parsing and validation on a worker, about a millisecond of merging on the event
// loop, and one INSERT.
const SEGMENT_BYTES = 256 * 1024;
const WORKERS = 2;
// Three segments per worker: one being parsed, two waiting, so a worker keeps going while the event loop is
// busy elsewhere (or not scheduled: the database shares the cores).
const SEGMENTS_IN_FLIGHT = 3 * WORKERS;
// Batches written one after the other while the workers go on; more wait for the database.
const WRITES_QUEUED = 3;

export interface RecipientListIngestOptions {
  format: RecipientListFormat;
  phoneColumn?: string;
  defaultCountry?: CountryCode;
  maxRecipients: number;
  /** Called once, with the columns, before any entry is written (the list row is created there). */
  onHeader: (header: string[], phoneIndex: number) => Promise<void>;
  /**
   * Whether the entries' field values are needed (asked after onHeader); when not, `values` is `[]` and the
   * workers skip encoding them. Default: needed (a list keeps them).
   */
  withValues?: () => boolean;
  /** Writes a batch of entries (a segment's); one write runs at a time. */
  write: (batch: RecipientListEntryBatch) => Promise<void>;
  createWorker?: UploadWorkerFactory;
}

/**
 * The upload pipeline: bytes are cut into segments of whole records as they arrive, parsed and validated on
 * worker threads, merged in order (duplicates, counts, row numbers) on the event loop and written a segment
 * at a time. Every stage waits for the next one (at most SEGMENTS_IN_FLIGHT segments and WRITES_QUEUED
 * writes pending), so the body is read only as fast as it is stored and never held whole.
 */
export class RecipientListIngest {
  private readonly splitter: RecordSplitter;
  private header: string[] | null = null;
  private phoneIndex = 0;
  private delimiter: CsvDelimiter = ',';
  private builder: RecipientListBuilder | null = null;
  private pool: UploadParsePool | null = null;
  /** First line of each segment in flight, oldest first. */
  private readonly inFlightLines: number[] = [];
  /** CSV: rows (records and empty lines, the header's included) before the next result's first. */
  private csvRows = 0;
  /** The last write queued (each starts after the one before), and how many are not done. */
  private writing: Promise<void> = Promise.resolve();
  private writesQueued = 0;

  constructor(private readonly options: RecipientListIngestOptions) {
    this.splitter = new RecordSplitter(options.format);
  }

  async push(chunk: Buffer): Promise<void> {
    this.splitter.append(chunk);
    await this.pump();
  }

  /** The body is complete: parses the rest, writes the last entries and answers the counts. */
  async finish(): Promise<RecipientListBuilder> {
    this.splitter.end();
    await this.pump();
    if (!this.builder) {
      throw new UserInputError('body', 'the upload is empty: send a header row and one row per recipient');
    }
    while (this.pool!.inFlight > 0) {
      await this.takeResult();
    }
    await this.writing;
    if (this.builder.rowCount === 0 && this.builder.rejectedCount === 0) {
      throw new UserInputError('body', 'the upload has a header but no rows: send one row per recipient');
    }
    return this.builder;
  }

  /** Stops the workers; safe to call at any point, and more than once. */
  async close(): Promise<void> {
    await this.pool?.close();
    await this.writing.catch(() => undefined);
  }

  private async pump(): Promise<void> {
    if (!this.header && !(await this.readHeader())) {
      return;
    }
    for (let segment = this.splitter.take(SEGMENT_BYTES); segment; segment = this.splitter.take(SEGMENT_BYTES)) {
      await this.send(segment);
    }
  }

  /** Reads records until the header is known; false while it has not arrived. */
  private async readHeader(): Promise<boolean> {
    for (let next = this.splitter.takeRecord(); next; next = this.splitter.takeRecord()) {
      const record = withoutBom(next);
      if (this.options.format === 'csv') {
        this.csvRows++; // the header, or an empty line before it: a record is one row
      }
      if (firstLineNotUtf8(record.bytes) !== null) {
        throw notUtf8(record.firstLine);
      }
      // The header decides the delimiter: the segments after it are read on their own.
      const delimiter = this.options.format === 'csv' ? detectCsvDelimiter(record.bytes.toString('utf8')) : ',';
      const header = this.options.format === 'csv' ? csvHeader(record, delimiter) : ndjsonHeader(record);
      if (header === null) {
        continue; // an empty line before the header
      }
      checkHeader(header);
      const phoneIndex = resolvePhoneColumn(header, this.options.phoneColumn);
      await this.options.onHeader(header, phoneIndex);
      this.header = header;
      this.phoneIndex = phoneIndex;
      this.delimiter = delimiter;
      this.builder = new RecipientListBuilder(header, phoneIndex, this.options.maxRecipients);
      this.pool = new UploadParsePool(WORKERS, SEGMENTS_IN_FLIGHT, this.options.createWorker ?? uploadWorkerFactory);
      if (this.options.format === 'ndjson') {
        // The first object is a recipient too.
        await this.send(record);
      }
      return true;
    }
    return false;
  }

  private async send(segment: RecordSegment): Promise<void> {
    while (!this.pool!.hasRoom) {
      await this.takeResult();
    }
    this.pool!.send({
      bytes: segment.bytes,
      format: this.options.format,
      header: this.header!,
      delimiter: this.delimiter,
      phoneIndex: this.phoneIndex,
      defaultCountry: this.options.defaultCountry,
      withValues: this.options.withValues?.() ?? true,
    });
    this.inFlightLines.push(segment.firstLine);
  }

  private async takeResult(): Promise<void> {
    const result: ParsedUploadSegment = await this.pool!.next();
    const firstLine = this.inFlightLines.shift()!;
    if (result.notUtf8Line !== undefined) {
      throw notUtf8(firstLine + result.notUtf8Line - 1);
    }
    if (result.csvError) {
      throw csvError(result.csvError.code, result.csvError.message, firstLine + result.csvError.line - 1);
    }
    // CSV rows are counted by the workers (a quoted line break stays within its row); NDJSON rows are lines.
    const rowBase = this.options.format === 'csv' ? this.csvRows : firstLine - 1;
    const batch = this.builder!.addSegment(rowBase, result);
    this.csvRows += result.rows;
    if (batch) {
      this.queueWrite(batch);
      while (this.writesQueued > WRITES_QUEUED) {
        await this.writing;
      }
    }
    // One segment merged per turn: results that queued up while the event loop was busy elsewhere were merged
    // back to back, up to six in one turn (40-60 ms, the longest of an upload's).
    await yieldToIo();
  }

  /** Queues a write of the batch, after the writes before it. */
  private queueWrite(batch: RecipientListEntryBatch): void {
    this.writesQueued++;
    const write = this.writing.then(() => this.options.write(batch)).finally(() => this.writesQueued--);
    // Awaited when too many are queued and at the end; a failure meanwhile is not an unhandled rejection.
    write.catch(() => undefined);
    this.writing = write;
  }
}

/** A CSV error csv-parse raised, with the line in the whole upload. */
export class CsvFormatError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function csvError(code: string, message: string, line: number): CsvFormatError {
  return new CsvFormatError(code, message.replace(/at line \d+/, `at line ${line}`));
}

/**
 * Bytes that are not UTF-8 (a file saved as Latin-1 or Windows-1252) refuse the upload: decoded leniently,
 * each became U+FFFD, stored and sent as it was, and made the text UCS-2.
 */
function notUtf8(line: number): UserInputError {
  return new UserInputError('body', `line ${line} is not valid UTF-8: save the file as UTF-8 and send it again`);
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A UTF-8 byte order mark can only open the upload, whose first record this may be. */
function withoutBom(record: RecordSegment): RecordSegment {
  return record.firstLine === 1 && record.bytes.subarray(0, 3).equals(BOM)
    ? { ...record, bytes: record.bytes.subarray(3) }
    : record;
}

function csvHeader(record: RecordSegment, delimiter: CsvDelimiter): string[] | null {
  let records: CsvRows['records'];
  try {
    records = parseUploadCsv(record.bytes, delimiter).records;
  } catch (error) {
    const { code, message, lines } = error as { code?: string; message: string; lines?: number };
    throw csvError(code ?? 'CSV_ERROR', message, record.firstLine + (lines ?? 1) - 1);
  }
  return records.length === 0 ? null : records[0].cells.map((cell) => cell.trim());
}

function ndjsonHeader(record: RecordSegment): string[] | null {
  const line = record.bytes.toString('utf8');
  if (line.trim() === '') {
    return null;
  }
  const object = parseNdjsonLine(line.replace(/(\r\n|\r|\n)$/, ''));
  if (typeof object === 'string') {
    throw new UserInputError('body', `row ${record.firstLine}: ${object}`);
  }
  return Object.keys(object);
}
