import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { UserInputError } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { MAX_RECIPIENTS_PER_CAMPAIGN } from '../campaigns/dto/send-bulk.input';
import { parseByteSize } from '../delivery-reports/webhook-body';
import { isSupportedCountry, normalizeCountry } from '../messaging/recipient-number-parser';
import { RecipientListEntryRepository } from '../persistence/recipient-list-entry.repository';
import { RecipientListRepository } from '../persistence/recipient-list.repository';
import type { RecipientListFormat } from './recipient-list-format';
import { RecipientListIngest } from './recipient-list-ingest';
import { RecipientListSummary, toRecipientListSummary } from './recipient-list.summary';
import { translateUploadError, uploadChunks } from './upload-body';

export type { RecipientListFormat } from './recipient-list-format';

export interface RecipientListUploadOptions {
  format: RecipientListFormat;
  phoneColumn?: string;
  defaultCountry?: string;
  /** Sees each chunk of the body as it is read (POST /api/campaigns fingerprints it). */
  onChunk?: (chunk: Buffer) => void;
}

const HOUR_MS = 3_600_000;

/**
 * Stores an uploaded list as it streams in: the list row first (UPLOADING), then its entries a batch at
 * a time as worker threads parse and validate the body (RecipientListIngest), then READY with its counts.
 * Nothing is held whole in memory but the set of numbers seen (for duplicates); an interrupted upload
 * leaves an UPLOADING list that is never sent and is deleted when it expires.
 */
@Injectable()
export class RecipientListUploadService {
  private readonly logger = new Logger(RecipientListUploadService.name);

  constructor(
    private readonly lists: RecipientListRepository,
    private readonly entries: RecipientListEntryRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async upload(accountId: string, body: Readable, options: RecipientListUploadOptions): Promise<RecipientListSummary> {
    const defaultCountry = this.checkDefaultCountry(options.defaultCountry);
    const maxBytes = parseByteSize(this.config.recipientLists.maxBytes);
    const id = randomUUID();
    let created = false;
    const ingest = new RecipientListIngest({
      format: options.format,
      phoneColumn: options.phoneColumn,
      defaultCountry,
      maxRecipients: MAX_RECIPIENTS_PER_CAMPAIGN,
      onHeader: async (header, phoneIndex) => {
        await this.lists.create({
          id,
          accountId,
          format: options.format,
          phoneColumn: header[phoneIndex],
          fields: header.filter((_, i) => i !== phoneIndex),
          expiresAt: new Date(this.clock.now().getTime() + this.config.recipientLists.ttlHours * HOUR_MS),
        });
        created = true;
      },
      write: (batch) => this.entries.insert(id, batch),
    });
    try {
      for await (const chunk of uploadChunks(body, maxBytes, this.config.bulkBodyIdleTimeoutMs)) {
        options.onChunk?.(chunk);
        await ingest.push(chunk);
      }
      const builder = await ingest.finish();
      await ingest.close();
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
      await ingest.close();
      if (created) {
        await this.lists.delete([id]).catch(() => undefined);
      }
      throw translateUploadError(error, maxBytes, 'list');
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
