import { MessageStatus } from '../../../src/domain/message-status.enum';
import { EXPORT_PAGE_SIZE } from '../../../src/export/message-export.service';
import { LINES_PER_PART } from '../../../src/persistence/export-page-query';
import { TEST_DATABASES } from '../../utils/test-databases';
import { ExportTestContext, openExportTestContext } from './export-test-context';

// Over two keyset pages, so the read crosses a page boundary and ends on a short page.
const MESSAGES = 2 * EXPORT_PAGE_SIZE + 7;

describe.each(TEST_DATABASES)('MessageExportService (%s)', (kind) => {
  let t: ExportTestContext;

  beforeAll(async () => {
    t = await openExportTestContext(kind, 'export');
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A finished campaign whose message i was submitted i ms after `base`, delivered when i is even. */
  async function campaign(base: Date): Promise<string> {
    const campaignId = await t.completedCampaign();
    await t.sql.query(
      `INSERT INTO "Message" ("campaignId", "to", country, status, amount, "submittedAt", "deliveredAt")
       SELECT $1::uuid, '+447700' || lpad(i::text, 6, '0'), 'GB',
         (CASE WHEN i % 2 = 0 THEN 'DELIVERED' ELSE 'UNDELIVERED' END)::"MessageStatus", 0.04,
         $2::timestamptz + i * interval '1 millisecond',
         CASE WHEN i % 2 = 0 THEN $2::timestamptz + i * interval '1 millisecond' + interval '1 second' END
       FROM generate_series(0, $3::int - 1) AS i`,
      [campaignId, base.toISOString(), MESSAGES],
    );
    return campaignId;
  }

  async function readText(parts: AsyncGenerator<string>): Promise<string> {
    let text = '';
    for await (const part of parts) {
      text += part;
    }
    return text;
  }

  /** The NDJSON parts of an export, each parsed into its rows. */
  async function readAll(parts: AsyncGenerator<string>): Promise<Array<Array<Record<string, string | null>>>> {
    const read: Array<Array<Record<string, string | null>>> = [];
    for await (const part of parts) {
      expect(part.endsWith('\n')).toBe(true);
      read.push(
        part
          .slice(0, -1)
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, string | null>),
      );
    }
    return read;
  }

  it('should give every message once, in id order, a part of a page at a time, with its timestamps as Date.toISOString writes them', async () => {
    // A whole second (".000"), and a time zone far from UTC for the session would not matter.
    const base = new Date('2026-03-05T23:59:59.000Z');
    const campaignId = await campaign(base);

    const opened = await t.exports.open(t.accountId, campaignId, [], 'ndjson');
    const parts = await readAll(opened.parts);

    expect(opened.total).toBe(MESSAGES);
    expect(parts.map((part) => part.length)).toEqual([
      ...Array.from({ length: (2 * EXPORT_PAGE_SIZE) / LINES_PER_PART }, () => LINES_PER_PART),
      7,
    ]);
    const rows = parts.flat();
    expect(rows.map((row) => row.to)).toEqual(
      Array.from({ length: MESSAGES }, (_, i) => `+447700${String(i).padStart(6, '0')}`),
    );
    const ids = rows.map((row) => BigInt(row.messageId!));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    for (const i of [0, 1, 999, EXPORT_PAGE_SIZE, MESSAGES - 1]) {
      const submitted = new Date(base.getTime() + i);
      expect([rows[i].submittedAt, rows[i].deliveredAt, rows[i].sentAt]).toEqual([
        submitted.toISOString(),
        i % 2 === 0 ? new Date(submitted.getTime() + 1000).toISOString() : null,
        null,
      ]);
    }
  });

  it('should give only the asked statuses, and nothing of another account', async () => {
    const campaignId = await campaign(new Date('2026-01-01T00:00:00.250Z'));

    const undelivered = (
      await readAll((await t.exports.open(t.accountId, campaignId, [MessageStatus.UNDELIVERED], 'ndjson')).parts)
    ).flat();
    expect(undelivered).toHaveLength((MESSAGES - 1) / 2);
    expect(new Set(undelivered.map((row) => row.status))).toEqual(new Set([MessageStatus.UNDELIVERED]));

    const { rows } = await t.sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'other') RETURNING id`,
    );
    await expect(t.exports.open(rows[0].id, campaignId, [], 'csv')).rejects.toThrow(/not found/i);
  });

  it("should estimate only the recipients the campaign's estimate priced, and explain the service's own error codes", async () => {
    // The quote leaves suppressed recipients out; cancelled ones were in it.
    const campaignId = await t.completedCampaign({ pricesPerSegment: { GB: '0.04' } });
    await t.sql.query(
      `INSERT INTO "Message" ("campaignId", "to", country, status, "errorCode", amount)
       SELECT $1::uuid, '+4477009000' || n, 'GB', status::"MessageStatus", "errorCode", amount::numeric
       FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS m(status, "errorCode", amount, n)`,
      [
        campaignId,
        ['DELIVERED', 'SUPPRESSED', 'CANCELLED', 'FAILED'],
        [null, null, null, 'submission_refused'],
        ['0.04', null, null, '0'],
      ],
    );

    const rows = (await readAll((await t.exports.open(t.accountId, campaignId, [], 'ndjson')).parts)).flat();

    expect(rows.map(({ status, estimatedCost, actualCost }) => ({ status, estimatedCost, actualCost }))).toEqual([
      { status: 'DELIVERED', estimatedCost: '0.04000', actualCost: '0.04000' },
      { status: 'SUPPRESSED', estimatedCost: null, actualCost: null },
      { status: 'CANCELLED', estimatedCost: '0.04000', actualCost: null },
      { status: 'FAILED', estimatedCost: '0.04000', actualCost: '0.00000' },
    ]);
    expect(rows[3].errorMeaning).toMatch(/^not sent: the SMS provider refused the batch/);
    const csv = (await readText((await t.exports.open(t.accountId, campaignId, [], 'csv')).parts))
      .trimEnd()
      .split('\n');
    // estimated_cost, the 9th column (no field before it holds a comma here).
    expect(csv.map((line) => line.split(',')[8])).toEqual(['0.04000', '', '0.04000', '0.04000']);
  });
});
