import { Injectable } from '@nestjs/common';
import { setImmediate } from 'node:timers/promises';
import { NotFoundError } from '../common/errors/domain-error';
import { MessageStatus } from '../domain/message-status.enum';
import { ExportFormat } from '../persistence/export-page-query';
import { ExportedCampaign, ExportPageRange, MessageExportRepository } from '../persistence/message-export.repository';
import { ExportLookupBuilder } from './export-lookups';

// Messages per keyset page: large enough that the round trip is amortised, small enough that one page
// (about a megabyte of text) is all the memory an export holds, whatever the campaign's size.
export const EXPORT_PAGE_SIZE = 5000;

export interface MessageExport {
  campaign: ExportedCampaign;
  total: number;
  /** The export's lines in id order, a part of a page at a time (whole lines; no header). */
  parts: AsyncGenerator<string>;
}

/** One page as the export reads it: its lines, and where the next page starts (none after the last). */
interface ReadPage {
  parts: string[];
  nextAfterId: string | null;
}

/**
 * A campaign's messages, one line per recipient in id order, read a keyset page at a time with the
 * lines written by the database. The next page is fetched while the current one is written, and
 * nothing is read faster than the consumer takes pages (the generator pauses with the stream's
 * backpressure).
 */
@Injectable()
export class MessageExportService {
  constructor(private readonly repository: MessageExportRepository) {}

  async open(
    accountId: string,
    campaignId: string,
    statuses: readonly MessageStatus[],
    format: ExportFormat,
  ): Promise<MessageExport> {
    const campaign = await this.repository.findCampaign(accountId, campaignId);
    if (!campaign) {
      throw new NotFoundError(`Campaign ${campaignId}`);
    }
    const total = await this.repository.count(campaign.id, statuses);
    return { campaign, total, parts: this.parts(campaign, statuses, format) };
  }

  private async *parts(
    campaign: ExportedCampaign,
    statuses: readonly MessageStatus[],
    format: ExportFormat,
  ): AsyncGenerator<string> {
    const lookups = new ExportLookupBuilder(campaign);
    const read = (afterId: string) =>
      this.read(campaign, { statuses, afterId, limit: EXPORT_PAGE_SIZE }, format, lookups);
    let next = read('0');
    try {
      for (;;) {
        const page = await next;
        if (page.nextAfterId !== null) {
          next = read(page.nextAfterId);
        }
        for (const part of page.parts) {
          yield part;
        }
        if (page.nextAfterId === null) {
          return;
        }
        // Let other requests in between pages even when every write completes at once.
        await setImmediate();
      }
    } finally {
      // A consumer that stops early (client gone) must not leave a prefetch rejecting unobserved.
      next.catch(() => undefined);
    }
  }

  private async read(
    campaign: ExportedCampaign,
    range: ExportPageRange,
    format: ExportFormat,
    lookups: ExportLookupBuilder,
  ): Promise<ReadPage> {
    if (!campaign.recipientListId) {
      const page = await this.repository.page(campaign.id, range, format, lookups.forPage());
      return { parts: page.parts, nextAfterId: page.messages === range.limit ? page.lastId : null };
    }
    // A list campaign's messages each have their batch's rendered text: its segments and encoding,
    // counted here for the batches of the page before the database writes the page's lines.
    const bounds = await this.repository.pageBatches(campaign.id, range);
    if (bounds.lastId === null) {
      return { parts: [], nextAfterId: null };
    }
    const texts = await this.repository.batchTexts(bounds.batchIds);
    const page = await this.repository.page(
      campaign.id,
      { ...range, upToId: bounds.lastId },
      format,
      lookups.forPage(texts),
    );
    return { parts: page.parts, nextAfterId: bounds.messages === range.limit ? bounds.lastId : null };
  }
}
