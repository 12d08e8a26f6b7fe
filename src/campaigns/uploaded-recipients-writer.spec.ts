import { BatchFiller } from '../messaging/batch-planner';
import type { NewCampaignRecipients } from '../persistence/campaign.repository';
import type { RecipientListEntryBatch } from '../persistence/recipient-list-entry.repository';
import { RecipientPlacer } from '../quiet-hours/recipient-placement';
import { MessageTemplate } from '../recipient-lists/message-template';
import { RecipientTexts } from '../recipient-lists/recipient-texts';
import { UploadedRecipientsWriter } from './uploaded-recipients-writer';

type Slice = Pick<NewCampaignRecipients, 'phones' | 'countries' | 'batchSequences'>;

/** Entries as the upload pipeline encodes them: comma-joined columns, values as a JSON array per entry. */
function entries(rowBase: number, rows: Array<[row: number, phone: string, country: string, values: string[]]>) {
  return {
    firstPosition: 0,
    rowBase,
    rows: rows.map((r) => r[0]).join(','),
    phones: rows.map((r) => r[1]).join(','),
    countries: rows.map((r) => r[2]).join(','),
    values: JSON.stringify(rows.map((r) => r[3])),
  } satisfies RecipientListEntryBatch;
}

function writerFor(text: string, options: { suppressed?: string[]; batchSize?: number; rejectionsKept?: number } = {}) {
  const stored: Array<{ slice: Slice; batchIds: string[] }> = [];
  const batches = new BatchFiller(options.batchSize ?? 1_000);
  const placer = new RecipientPlacer(null, { fallback: null, byCountry: new Map() }, Date.now());
  const writer = new UploadedRecipientsWriter({
    texts: new RecipientTexts(MessageTemplate.parse(text, ['phone', 'name']), 'phone', ['name'], false),
    placer,
    batches,
    messages: {
      add: (slice, batchIds) => {
        stored.push({ slice: structuredClone(slice), batchIds: [...batchIds] });
        return Promise.resolve();
      },
    },
    suppressedAmong: (phones) => Promise.resolve(new Set(phones.filter((p) => options.suppressed?.includes(p)))),
    rejectionsKept: options.rejectionsKept ?? 10,
  });
  return { writer, stored, batches, placer };
}

describe('UploadedRecipientsWriter', () => {
  it('should store each entry with its rendered text, batches per text and country, and count the cost inputs', async () => {
    const { writer, stored, batches } = writerFor('Hi {{ name }}');
    await writer.write(
      entries(1, [
        [1, '+14155550100', 'US', ['Ann']],
        [2, '+14155550101', 'US', ['Bob']],
        [3, '+447400123456', 'GB', ['Ann']],
        [4, '+14155550102', 'US', ['Ann']],
      ]),
    );
    expect(stored).toHaveLength(1);
    expect(stored[0].slice).toEqual({
      phones: ['+14155550100', '+14155550101', '+447400123456', '+14155550102'],
      countries: ['US', 'US', 'GB', 'US'],
      // Ann in the US, Bob in the US, Ann in GB: three batches; the second US Ann joins the first.
      batchSequences: [0, 1, 2, 0],
    });
    expect(writer.batchTexts).toEqual(['Hi Ann', 'Hi Bob', 'Hi Ann']);
    expect(writer.batchIds).toHaveLength(3);
    expect(batches.batchSizes).toEqual([2, 1, 1]);
    expect(writer.perCountrySegments).toEqual(
      new Map([
        ['US', new Map([[1, 3]])],
        ['GB', new Map([[1, 1]])],
      ]),
    );
    expect(writer.storedCount).toBe(4);
    expect(writer.sendableCount).toBe(4);
  });

  it('should store the suppressed without a batch, and reject a text that cannot be sent with its row', async () => {
    const { writer, stored } = writerFor('{{ name }}', { suppressed: ['+14155550101'] });
    await writer.write(
      entries(10, [
        [1, '+14155550100', 'US', ['Ann']],
        [2, '+14155550101', 'US', ['Bob']],
        [3, '+14155550102', 'US', ['']],
      ]),
    );
    expect(stored[0].slice).toEqual({
      phones: ['+14155550100', '+14155550101'],
      countries: ['US', 'US'],
      batchSequences: [0, -1],
    });
    expect(writer.rejected).toEqual([
      { input: '+14155550101', reason: 'SUPPRESSED' },
      { input: '+14155550102', reason: expect.stringMatching(/^row 13: text: /) },
    ]);
    expect(writer.rejectedCount).toBe(2);
    expect(writer.suppressedCount).toBe(1);
    expect(writer.sendableCount).toBe(1);
    expect(writer.perCountrySegments).toEqual(new Map([['US', new Map([[1, 1]])]]));
  });

  it('should open a new batch when one is full, keep counting rejections past those it keeps, and store nothing for a batch of rejections', async () => {
    const { writer, stored } = writerFor('{{ name }}', { batchSize: 2, rejectionsKept: 1 });
    await writer.write(
      entries(0, [
        [1, '+14155550100', 'US', ['A']],
        [2, '+14155550101', 'US', ['A']],
        [3, '+14155550102', 'US', ['A']],
      ]),
    );
    await writer.write(
      entries(3, [
        [1, '+14155550103', 'US', ['']],
        [2, '+14155550104', 'US', ['']],
      ]),
    );
    expect(stored).toHaveLength(1);
    expect(stored[0].slice.batchSequences).toEqual([0, 0, 1]);
    // Every batch opened so far is passed along: the sequences index it.
    expect(stored[0].batchIds).toHaveLength(2);
    expect(writer.rejected).toHaveLength(1);
    expect(writer.rejectedCount).toBe(2);
  });
});
