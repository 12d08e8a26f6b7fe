import { Injectable } from '@nestjs/common';
import { setImmediate } from 'node:timers/promises';
import { NotFoundError } from '../common/errors/domain-error';
import { MessageStatus } from '../domain/message-status.enum';
import { ExportedCampaign, MessageExportRepository } from '../persistence/message-export.repository';
import { ExportRow, ExportRowMapper } from './export-row';

// Rows per keyset page: large enough that the round trip is amortised, small enough that one page
// (a few MB) is all the memory an export holds, whatever the campaign's size.
export const EXPORT_PAGE_SIZE = 5000;
// Rows handed to the formatter at a time: one write each, and the longest stretch an export keeps
// the event loop (a few ms) before the response's backpressure lets other requests in.
export const EXPORT_CHUNK_SIZE = 500;

export interface MessageExport {
  campaign: ExportedCampaign;
  total: number;
  /** The rows in id order, EXPORT_CHUNK_SIZE at a time (the last chunk may be shorter). */
  chunks: AsyncGenerator<ExportRow[]>;
}

/**
 * A campaign's messages, one row per recipient in id order, read a keyset page at a time. The next
 * page is fetched while the current one is written, and nothing is read faster than the consumer
 * takes chunks (the generator pauses with the stream's backpressure).
 */
@Injectable()
export class MessageExportService {
  constructor(private readonly repository: MessageExportRepository) {}

  async open(accountId: string, campaignId: string, statuses: readonly MessageStatus[]): Promise<MessageExport> {
    const campaign = await this.repository.findCampaign(accountId, campaignId);
    if (!campaign) {
      throw new NotFoundError(`Campaign ${campaignId}`);
    }
    const total = await this.repository.count(campaign.id, statuses);
    return { campaign, total, chunks: this.chunks(campaign, statuses) };
  }

  private async *chunks(campaign: ExportedCampaign, statuses: readonly MessageStatus[]): AsyncGenerator<ExportRow[]> {
    const mapper = new ExportRowMapper(campaign);
    let next = this.repository.page(campaign.id, statuses, '0', EXPORT_PAGE_SIZE);
    try {
      for (;;) {
        const page = await next;
        if (page.length === EXPORT_PAGE_SIZE) {
          next = this.repository.page(campaign.id, statuses, page[page.length - 1].id, EXPORT_PAGE_SIZE);
        }
        // A list campaign's messages each have their batch's rendered text: its segments and encoding.
        const texts = campaign.recipientListId
          ? await this.repository.batchTexts([...new Set(page.flatMap((row) => (row.batchId ? [row.batchId] : [])))])
          : undefined;
        for (let start = 0; start < page.length; start += EXPORT_CHUNK_SIZE) {
          const chunk = page.slice(start, start + EXPORT_CHUNK_SIZE);
          yield chunk.map((row) => mapper.map(row, texts && row.batchId ? texts.get(row.batchId) : undefined));
          // Let other requests in between chunks: while a fast client keeps up, every write completes
          // at once and backpressure alone would never hand the event loop back.
          await setImmediate();
        }
        if (page.length < EXPORT_PAGE_SIZE) {
          return;
        }
      }
    } finally {
      // A consumer that stops early (client gone) must not leave a prefetch rejecting unobserved.
      next.catch(() => undefined);
    }
  }
}
