import { Client } from 'pg';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';

/**
 * The Message counters trigger (migrations `init`, `counters_lock_only_changed_campaigns`) keeps each
 * campaign's counters and cost in step with its messages. An update that changes none of what it
 * counts (status, amount, campaign), such as the overdue poller's "reportPolledAt" stamps or the
 * retention job's number hashing, must leave the Campaign row alone: neither written nor locked.
 */
describe.each(TEST_DATABASES)('Message counters trigger (%s)', (kind) => {
  let sql: Client;
  let accountId: string;

  beforeAll(async () => {
    sql = new Client({ connectionString: testDatabaseUrl(kind) });
    await sql.connect();
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'counters') RETURNING id`,
    );
    accountId = rows[0].id;
  });

  afterAll(async () => {
    await sql?.end();
  });

  /** A sending campaign with `size` messages awaiting their reports. */
  async function sendingCampaign(size: number): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
         "estimatedCostByCountry", "startedAt", "updatedAt")
       VALUES ($1, 'SENDING', 'Hello', '+14155550100', 'GSM7', 1, 0, '[]', now(), now())
       RETURNING id`,
      [accountId],
    );
    await sql.query(
      `INSERT INTO "Message" ("campaignId", "to", country, status, "submittedAt")
       SELECT $1::uuid, '+447700' || lpad(i::text, 6, '0'), 'GB', 'SUBMITTED', now() FROM generate_series(1, $2::int) AS i`,
      [rows[0].id, size],
    );
    return rows[0].id;
  }

  async function nextTransactionId(): Promise<string> {
    const { rows } = await sql.query<{ xid: string }>('SELECT txid_current()::text AS xid');
    return rows[0].xid;
  }

  /** Whether a transaction since `since` wrote the campaign's row (xmin) or left a lock on it (xmax). */
  async function campaignRowTouchedSince(campaignId: string, since: string): Promise<boolean> {
    const { rows } = await sql.query<{ touched: boolean }>(
      `SELECT xmin::text::bigint >= $2::bigint OR xmax::text::bigint >= $2::bigint AS touched
       FROM "Campaign" WHERE id = $1::uuid`,
      [campaignId, since],
    );
    return rows[0].touched;
  }

  async function counters(
    campaignId: string,
  ): Promise<{ total: number; submitted: number; delivered: number; cost: string }> {
    const { rows } = await sql.query<{ total: number; submitted: number; delivered: number; cost: string }>(
      `SELECT total, submitted, delivered, "actualCost"::text AS cost FROM "Campaign" WHERE id = $1::uuid`,
      [campaignId],
    );
    return rows[0];
  }

  it('should neither write nor lock the campaign for updates that change nothing it counts', async () => {
    const campaignId = await sendingCampaign(3);
    const before = await counters(campaignId);
    expect(before).toEqual({ total: 3, submitted: 3, delivered: 0, cost: '0.00000' });
    const since = await nextTransactionId();

    // As the overdue poller stamps the messages it asked Plivo about, and retention replaces numbers.
    await sql.query(`UPDATE "Message" SET "reportPolledAt" = now() WHERE "campaignId" = $1::uuid`, [campaignId]);
    await sql.query(`UPDATE "Message" SET "to" = 'hmac:' || "to" WHERE "campaignId" = $1::uuid`, [campaignId]);
    // A report that repeats what is stored (same status, same cost) changes no counter either.
    await sql.query(`UPDATE "Message" SET status = 'SUBMITTED', amount = NULL WHERE "campaignId" = $1::uuid`, [
      campaignId,
    ]);

    expect(await campaignRowTouchedSince(campaignId, since)).toBe(false);
    expect(await counters(campaignId)).toEqual(before);
  });

  it('should update only the campaigns whose counters change when one statement spans several', async () => {
    const changing = await sendingCampaign(2);
    const unchanged = await sendingCampaign(2);
    const since = await nextTransactionId();

    await sql.query(
      `UPDATE "Message" SET "reportPolledAt" = now(),
         status = CASE WHEN "campaignId" = $1::uuid THEN 'DELIVERED'::"MessageStatus" ELSE status END,
         amount = CASE WHEN "campaignId" = $1::uuid THEN 0.04 ELSE amount END
       WHERE "campaignId" IN ($1::uuid, $2::uuid)`,
      [changing, unchanged],
    );

    expect(await counters(changing)).toEqual({ total: 2, submitted: 0, delivered: 2, cost: '0.08000' });
    expect(await campaignRowTouchedSince(changing, since)).toBe(true);
    expect(await counters(unchanged)).toEqual({ total: 2, submitted: 2, delivered: 0, cost: '0.00000' });
    expect(await campaignRowTouchedSince(unchanged, since)).toBe(false);
  });

  if (kind === 'postgres') {
    it("should stamp messages while another transaction holds the campaign's row, and wait only to count", async () => {
      const campaignId = await sendingCampaign(3);
      const holder = new Client({ connectionString: testDatabaseUrl(kind) });
      await holder.connect();
      try {
        // As a report apply pass holds it until it commits.
        await holder.query('BEGIN');
        await holder.query(`SELECT 1 FROM "Campaign" WHERE id = $1::uuid FOR UPDATE`, [campaignId]);
        await sql.query(`SET lock_timeout = '2s'`);

        await sql.query(`UPDATE "Message" SET "reportPolledAt" = now() WHERE "campaignId" = $1::uuid`, [campaignId]);
        await expect(
          sql.query(
            `UPDATE "Message" SET status = 'DELIVERED'
             WHERE id = (SELECT min(id) FROM "Message" WHERE "campaignId" = $1::uuid)`,
            [campaignId],
          ),
        ).rejects.toThrow(/lock timeout/);
      } finally {
        await sql.query('RESET lock_timeout');
        await holder.query('ROLLBACK');
        await holder.end();
      }
    });
  }
});
