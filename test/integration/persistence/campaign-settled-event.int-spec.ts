import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';

/**
 * campaign.settled (migration `webhook_campaign_settled`): a campaign cancelled while messages were at Plivo
 * gets its final tally and cost once the last of them is final; one with nothing in flight when it ended,
 * and one that completed, get none.
 */
interface EndingPayload {
  campaignId: string;
  status: string;
  finishedAt: string | null;
  tally: Record<string, number>;
  cost: { actual: string };
}

describe.each(TEST_DATABASES)('campaign.settled event (%s)', (kind) => {
  let sql: Client;
  let accountId: string;

  beforeAll(async () => {
    sql = new Client({ connectionString: testDatabaseUrl(kind) });
    await sql.connect();
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'settled') RETURNING id`,
    );
    accountId = rows[0].id;
    await sql.query(
      `INSERT INTO "WebhookEndpoint" ("accountId", url, events, secret)
       VALUES ($1::uuid, 'https://example.com/hook', ARRAY['campaign.settled', 'campaign.cancelled'], $2)`,
      [accountId, `whsec_${randomBytes(32).toString('base64')}`],
    );
  });

  afterAll(async () => {
    // This worker's database is shared with the files after this one: their apps would claim and send
    // the deliveries left here. Deleting the endpoint deletes them.
    await sql?.query(`DELETE FROM "WebhookEndpoint" WHERE "accountId" = $1::uuid`, [accountId]);
    await sql?.end();
  });

  /** A sending campaign with `size` messages at Plivo. */
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

  async function deliver(campaignId: string, count: number): Promise<void> {
    await sql.query(
      `UPDATE "Message" SET status = 'DELIVERED', amount = 0.04 WHERE id IN (
         SELECT id FROM "Message" WHERE "campaignId" = $1::uuid AND status = 'SUBMITTED' ORDER BY id LIMIT $2)`,
      [campaignId, count],
    );
  }

  async function events(campaignId: string): Promise<Array<{ type: string; payload: EndingPayload }>> {
    const { rows } = await sql.query<{ type: string; payload: EndingPayload }>(
      `SELECT type, payload FROM "WebhookEvent" WHERE "campaignId" = $1::uuid ORDER BY "createdAt", type`,
      [campaignId],
    );
    return rows;
  }

  it('should carry the final tally and cost once the messages at Plivo when it was cancelled are final', async () => {
    const campaignId = await sendingCampaign(3);
    await deliver(campaignId, 1);
    await sql.query(`UPDATE "Campaign" SET status = 'CANCELLED', "completedAt" = now() WHERE id = $1::uuid`, [
      campaignId,
    ]);
    expect((await events(campaignId)).map((e) => [e.type, e.payload.tally.submitted, e.payload.cost.actual])).toEqual([
      ['campaign.cancelled', 2, '0.04000'],
    ]);

    await deliver(campaignId, 1);
    expect((await events(campaignId)).map((e) => e.type)).toEqual(['campaign.cancelled']);

    await deliver(campaignId, 1);
    const settled = (await events(campaignId)).filter((e) => e.type === 'campaign.settled');
    expect(settled).toHaveLength(1);
    expect(settled[0].payload).toMatchObject({
      campaignId,
      status: 'CANCELLED',
      tally: { total: 3, submitted: 0, delivered: 3 },
      cost: { actual: '0.12000' },
    });
    expect(settled[0].payload.finishedAt).not.toBeNull();
  });

  it('should send none for a campaign with nothing in flight when it ended, nor for one that completed', async () => {
    const cancelled = await sendingCampaign(2);
    await deliver(cancelled, 2);
    await sql.query(`UPDATE "Campaign" SET status = 'CANCELLED', "completedAt" = now() WHERE id = $1::uuid`, [
      cancelled,
    ]);
    const completed = await sendingCampaign(2);
    await deliver(completed, 2);
    await sql.query(`UPDATE "Campaign" SET status = 'COMPLETED', "completedAt" = now() WHERE id = $1::uuid`, [
      completed,
    ]);
    expect((await events(cancelled)).map((e) => e.type)).toEqual(['campaign.cancelled']);
    expect(await events(completed)).toEqual([]);
  });
});
