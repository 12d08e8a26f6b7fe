import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-error';
import { MessageStatus } from '../domain/message-status.enum';
import { ExportFormat } from '../persistence/export-page-query';
import { ExportedCampaign, ExportPageRange, MessageExportRepository } from '../persistence/message-export.repository';
import { MessageRepository } from '../persistence/message.repository';
import { yieldToIo } from '../common/async/yield-to-io';
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

// Pages whose lines the database writes at once, on the export pool's two connections: one backend
// writing NDJSON lines was the export's limit (a core busy, the service at half of one).
const PAGES_IN_FLIGHT = 2;

/**
 * A campaign's messages, one line per recipient in id order, a keyset page at a time with the lines
 * written by the database. Each page's bounds (its last id) are read first, one page after another, so
 * that the next pages' lines are written while the current one is sent, up to PAGES_IN_FLIGHT; nothing
 * is read faster than the consumer takes pages (the generator pauses with the stream's backpressure).
 */
@Injectable()
export class MessageExportService {
  constructor(
    private readonly repository: MessageExportRepository,
    private readonly messages: MessageRepository,
  ) {}

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
    // Every recipient of a list's campaign is exported, those whose batch is not claimed yet too.
    await this.messages.makeAllListMessages(campaign.id);
    const total = await this.repository.count(campaign.id, statuses);
    return { campaign, total, parts: this.parts(campaign, statuses, format) };
  }

  private async *parts(
    campaign: ExportedCampaign,
    statuses: readonly MessageStatus[],
    format: ExportFormat,
  ): AsyncGenerator<string> {
    const lookups = new ExportLookupBuilder(campaign);
    const pages: Array<Promise<string[]>> = [];
    let afterId: string | null = '0';
    try {
      for (;;) {
        while (afterId !== null && pages.length < PAGES_IN_FLIGHT) {
          const bounds = await this.repository.pageBounds(
            campaign.id,
            { statuses, afterId, limit: EXPORT_PAGE_SIZE },
            Boolean(campaign.recipientListId),
          );
          if (bounds.lastId === null) {
            afterId = null;
            break;
          }
          // Every message up to the bound, whatever changed status since: the next page starts after it.
          pages.push(
            this.read(campaign, { statuses, afterId, limit: null, upToId: bounds.lastId }, bounds, format, lookups),
          );
          afterId = bounds.messages === EXPORT_PAGE_SIZE ? bounds.lastId : null;
        }
        const page = pages.shift();
        if (page === undefined) {
          return;
        }
        for (const part of await page) {
          yield part;
        }
        // Let other requests in between pages even when every write completes at once.
        await yieldToIo();
      }
    } finally {
      // A consumer that stops early (client gone) must not leave a page rejecting unobserved.
      for (const page of pages) {
        page.catch(() => undefined);
      }
    }
  }

  /** The lines of one bounded page; a list campaign's with its batches' rendered texts counted first. */
  private async read(
    campaign: ExportedCampaign,
    range: ExportPageRange,
    bounds: { batchIds: string[] },
    format: ExportFormat,
    lookups: ExportLookupBuilder,
  ): Promise<string[]> {
    const texts = campaign.recipientListId ? await this.repository.batchTexts(bounds.batchIds) : undefined;
    const page = await this.repository.page(campaign.id, range, format, lookups.forPage(texts));
    return page.parts;
  }
}
