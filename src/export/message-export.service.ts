import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-error';
import { MessageStatus } from '../domain/message-status.enum';
import { ExportedCampaign, MessageExportRepository } from '../persistence/message-export.repository';
import { ExportRow, ExportRowMapper } from './export-row';

// Rows per keyset page: large enough that the round trip is amortised, small enough that one page
// (a few MB) is all the memory an export holds, whatever the campaign's size.
export const EXPORT_PAGE_SIZE = 5000;

export interface MessageExport {
  campaign: ExportedCampaign;
  total: number;
  rows: AsyncGenerator<ExportRow>;
}

/**
 * A campaign's messages, one row per recipient in id order, read a keyset page at a time. The next
 * page is fetched while the current one is written, and nothing is read faster than the consumer
 * takes rows (the generator pauses with the stream's backpressure).
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
    return { campaign, total, rows: this.rows(campaign, statuses) };
  }

  private async *rows(campaign: ExportedCampaign, statuses: readonly MessageStatus[]): AsyncGenerator<ExportRow> {
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
        for (const row of page) {
          yield mapper.map(row, texts && row.batchId ? texts.get(row.batchId) : undefined);
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
