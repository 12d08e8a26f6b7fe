import { Injectable, Logger } from '@nestjs/common';
import { parse as parseCsv } from 'csv-parse';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { UserInputError } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { MAX_RECIPIENTS_PER_CAMPAIGN } from '../campaigns/dto/send-bulk.input';
import { parseByteSize } from '../delivery-reports/webhook-body';
import { isSupportedCountry, normalizeCountry } from '../messaging/recipient-number-parser';
import { RecipientListRepository } from '../persistence/recipient-list.repository';
import { checkHeader, resolvePhoneColumn } from './phone-column';
import { RecipientListBuilder, TooManyRecipientsError } from './recipient-list-builder';
import { RecipientListSummary, toRecipientListSummary } from './recipient-list.summary';

export type RecipientListFormat = 'csv' | 'ndjson';

export interface RecipientListUploadOptions {
  format: RecipientListFormat;
  phoneColumn?: string;
  defaultCountry?: string;
}

// Entries per INSERT: large enough to amortise the round trip, small enough that validating one batch on
// the event loop (~7.5 µs a number) stays near 15 ms.
const ENTRY_BATCH = 2_000;
const MAX_CSV_RECORD_BYTES = 64 * 1024;
// ~500 rows of parsing and validation: a few milliseconds on the event loop at a time.
const ROWS_PER_SLICE = 500;
const HOUR_MS = 3_600_000;

/**
 * Stores an uploaded list as it streams in: the list row first (UPLOADING), then its entries a batch at
 * a time while the next batch is parsed, then READY with its counts. Nothing is held whole in memory but
 * the set of numbers seen (for duplicates); an interrupted upload leaves an UPLOADING list that is never
 * sent and is deleted when it expires.
 */
@Injectable()
export class RecipientListUploadService {
  private readonly logger = new Logger(RecipientListUploadService.name);

  constructor(
    private readonly lists: RecipientListRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async upload(accountId: string, body: Readable, options: RecipientListUploadOptions): Promise<RecipientListSummary> {
    const defaultCountry = this.checkDefaultCountry(options.defaultCountry);
    const maxBytes = parseByteSize(this.config.recipientLists.maxBytes);
    limitBytes(body, maxBytes);
    // readline ends quietly when its input breaks off: whatever broke the body is checked after the rows.
    let bodyError: Error | null = null;
    body.once('error', (error) => (bodyError ??= error));
    const rows = options.format === 'csv' ? csvRows(body) : ndjsonRows(body);
    const id = randomUUID();
    let builder: RecipientListBuilder | null = null;
    let header: string[] = [];
    let writing: Promise<void> = Promise.resolve();
    let created = false;
    let sinceYield = 0;
    const flush = async (): Promise<void> => {
      await writing;
      const batch = builder!.takeBatch();
      writing = this.lists.insertEntries(id, batch);
    };
    try {
      for await (const { row, cells, record, invalid } of rows) {
        if (!builder) {
          if (invalid !== undefined) {
            throw new UserInputError('body', `row ${row}: ${invalid}`);
          }
          // CSV: the first row is the header; NDJSON: the first object's keys are the columns.
          header = record ? Object.keys(record) : cells.map((c) => c.trim());
          checkHeader(header);
          const phoneIndex = resolvePhoneColumn(header, options.phoneColumn);
          builder = new RecipientListBuilder(header, phoneIndex, defaultCountry, MAX_RECIPIENTS_PER_CAMPAIGN);
          await this.lists.create({
            id,
            accountId,
            format: options.format,
            phoneColumn: header[phoneIndex],
            fields: header.filter((_, i) => i !== phoneIndex),
            expiresAt: new Date(this.clock.now().getTime() + this.config.recipientLists.ttlHours * HOUR_MS),
          });
          created = true;
          if (!record) {
            continue;
          }
        }
        if (invalid !== undefined) {
          builder.rejectRow(row, cells.join(','), invalid);
        } else {
          builder.addRow(row, record ? header.map((h) => record[h] ?? '') : cells);
        }
        if (builder.pending >= ENTRY_BATCH) {
          await flush();
        } else if (++sinceYield >= ROWS_PER_SLICE) {
          // Records already parsed arrive as microtasks: let /health, webhooks and timers in between.
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      if (bodyError !== null || body.readableAborted) {
        throw bodyError ?? Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      }
      if (!builder) {
        throw new UserInputError('body', 'the upload is empty: send a header row and one row per recipient');
      }
      await flush();
      await writing;
      const summary = {
        rowCount: builder.rowCount,
        validCount: builder.validCount,
        duplicateCount: builder.duplicateCount,
        rejectedCount: builder.rejectedCount,
        rejectedRows: builder.rejectedRows,
        countries: builder.countries,
      };
      await this.lists.markReady(id, summary);
      this.logger.log({ listId: id, rows: summary.rowCount, valid: summary.validCount }, 'Recipient list stored');
      const list = await this.lists.findReady(accountId, id, this.clock.now());
      return toRecipientListSummary(list!);
    } catch (error) {
      body.resume();
      await writing.catch(() => undefined);
      if (created) {
        await this.lists.delete([id]).catch(() => undefined);
      }
      throw translateError(error, maxBytes);
    }
  }

  private checkDefaultCountry(country: string | undefined) {
    if (country === undefined || country === '') {
      return undefined;
    }
    if (!isSupportedCountry(country)) {
      throw new UserInputError('defaultCountry', `${country} is not a supported ISO 3166-1 alpha-2 country code`);
    }
    return normalizeCountry(country);
  }
}

interface UploadRow {
  /** 1-based line of the upload (CSV: record number, the header being row 1). */
  row: number;
  /** CSV: the cells; NDJSON: the raw line of an invalid row. */
  cells: string[];
  /** NDJSON: the object's values by key, as text. */
  record?: Record<string, string>;
  /** Why the row is not a row (NDJSON line that is not an object). */
  invalid?: string;
}

async function* csvRows(body: Readable): AsyncGenerator<UploadRow> {
  const parser = body.pipe(
    parseCsv({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: MAX_CSV_RECORD_BYTES,
    }),
  );
  body.once('error', (error) => parser.destroy(error));
  let row = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    row++;
    yield { row, cells: record };
  }
}

async function* ndjsonRows(body: Readable): AsyncGenerator<UploadRow> {
  body.setEncoding('utf8');
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  let row = 0;
  for await (const line of lines) {
    row++;
    if (line.trim() === '') {
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      yield { row, cells: [line], invalid: 'not valid JSON' };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { row, cells: [line], invalid: 'not a JSON object' };
      continue;
    }
    const record = value as Record<string, unknown>;
    const text: Record<string, string> = {};
    for (const [key, field] of Object.entries(record)) {
      text[key] =
        field === null || field === undefined ? '' : typeof field === 'string' ? field : JSON.stringify(field);
    }
    yield { row, cells: [], record: text };
  }
}

/** Destroys the body once more than `maxBytes` arrived (the declared length is checked first). */
function limitBytes(body: Readable, maxBytes: number): void {
  const declared = Number((body as Readable & { headers?: Record<string, string> }).headers?.['content-length']);
  if (declared > maxBytes) {
    throw new UserInputError(
      'body',
      `larger than ${maxBytes.toLocaleString('en-US')} bytes (RECIPIENT_LIST_MAX_BYTES)`,
    );
  }
  let received = 0;
  body.on('data', (chunk: Buffer | string) => {
    received += chunk.length;
    if (received > maxBytes) {
      body.destroy(
        new UserInputError('body', `larger than ${maxBytes.toLocaleString('en-US')} bytes (RECIPIENT_LIST_MAX_BYTES)`),
      );
    }
  });
}

function translateError(error: unknown, maxBytes: number): unknown {
  if (error instanceof TooManyRecipientsError) {
    return new UserInputError(
      'body',
      `${error.message}: at most ${MAX_RECIPIENTS_PER_CAMPAIGN.toLocaleString('en-US')} per list`,
    );
  }
  const code = (error as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    // csv-parse names the line: "Invalid Closing Quote: ... at line 3".
    return new UserInputError('body', `not valid CSV: ${(error as Error).message}`);
  }
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET') {
    return new UserInputError('body', `the upload broke off (at most ${maxBytes} bytes)`);
  }
  return error;
}
