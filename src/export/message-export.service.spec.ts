import { ExportedCampaign, ExportPageRange, MessageExportRepository } from '../persistence/message-export.repository';
import { MessageRepository } from '../persistence/message.repository';
import { EXPORT_PAGE_SIZE, MessageExportService } from './message-export.service';

const CAMPAIGN: ExportedCampaign = {
  id: 'c1',
  encoding: 'GSM7',
  segmentsPerMessage: 1,
  currency: 'USD',
  estimatedCostByCountry: [],
};

/**
 * A campaign of `pages` full pages and a short last one, held in memory: each page's lines are
 * written when the test says so, so the test sees which pages are being written at once.
 */
class PagedCampaign {
  readonly pageRequests: ExportPageRange[] = [];
  private readonly writes: Array<() => void> = [];

  constructor(private readonly fullPages: number) {}

  repository(): MessageExportRepository {
    const lastId = this.fullPages * EXPORT_PAGE_SIZE + 10;
    return {
      findCampaign: () => Promise.resolve(CAMPAIGN),
      count: () => Promise.resolve(lastId),
      pageBounds: (_campaignId: string, range: ExportPageRange) => {
        const from = Number(range.afterId);
        const messages = Math.max(0, Math.min(range.limit ?? lastId, lastId - from));
        return Promise.resolve({ messages, lastId: messages === 0 ? null : String(from + messages), batchIds: [] });
      },
      batchTexts: () => Promise.resolve(new Map()),
      page: (_campaignId: string, range: ExportPageRange) => {
        this.pageRequests.push(range);
        return new Promise((resolve) => {
          this.writes.push(() =>
            resolve({ messages: 0, lastId: range.upToId ?? null, parts: [`${range.afterId}..${range.upToId}\n`] }),
          );
        });
      },
    } as unknown as MessageExportRepository;
  }

  /** Writes the lines of the page requested `index`-th. */
  write(index: number): void {
    this.writes[index]();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// A campaign given its recipients: no list's messages to make before the export.
const NOTHING_TO_MAKE = { makeAllListMessages: () => Promise.resolve() } as unknown as MessageRepository;

describe(MessageExportService.name, () => {
  it('should have the database write two pages at once, and give them in order', async () => {
    const campaign = new PagedCampaign(3);
    const service = new MessageExportService(campaign.repository(), NOTHING_TO_MAKE);
    const { parts } = await service.open('a1', 'c1', [], 'csv');
    const first = parts.next();
    await settle();
    // The first two pages are being written; the third waits for a place.
    expect(campaign.pageRequests).toEqual([
      { statuses: [], afterId: '0', limit: null, upToId: String(EXPORT_PAGE_SIZE) },
      { statuses: [], afterId: String(EXPORT_PAGE_SIZE), limit: null, upToId: String(2 * EXPORT_PAGE_SIZE) },
    ]);
    // The second page is written first: the first is still given first.
    campaign.write(1);
    campaign.write(0);
    expect(await first).toEqual({ done: false, value: `0..${EXPORT_PAGE_SIZE}\n` });
    const second = parts.next();
    await settle();
    expect(campaign.pageRequests).toHaveLength(3);
    expect(await second).toEqual({ done: false, value: `${EXPORT_PAGE_SIZE}..${2 * EXPORT_PAGE_SIZE}\n` });
    const third = parts.next();
    await settle();
    // The last, short page follows the third; then the export ends.
    expect(campaign.pageRequests.map((range) => range.upToId)).toEqual([
      String(EXPORT_PAGE_SIZE),
      String(2 * EXPORT_PAGE_SIZE),
      String(3 * EXPORT_PAGE_SIZE),
      String(3 * EXPORT_PAGE_SIZE + 10),
    ]);
    campaign.write(2);
    campaign.write(3);
    expect(await third).toEqual({ done: false, value: `${2 * EXPORT_PAGE_SIZE}..${3 * EXPORT_PAGE_SIZE}\n` });
    expect(await parts.next()).toEqual({
      done: false,
      value: `${3 * EXPORT_PAGE_SIZE}..${3 * EXPORT_PAGE_SIZE + 10}\n`,
    });
    expect(await parts.next()).toEqual({ done: true, value: undefined });
    expect(campaign.pageRequests).toHaveLength(4);
  });
});
