import { Client } from 'pg';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';
import { startTestApp, TestApp } from '../../utils/test-app';
import { waitFor } from '../../utils/wait-for';

/**
 * A campaign completes in the follow-up after the commit that settled its last message. If the
 * process stopped in between (or the follow-up failed), the campaign would stay open for good with
 * nothing left to send: the dispatcher's lifecycle completes, every ten seconds, such campaigns that
 * have not changed for a minute.
 */
describe.each(TEST_DATABASES)('campaigns left open with every message final (%s)', (database) => {
  let testApp: TestApp;
  let sql: Client;
  let accountId: string;

  beforeAll(async () => {
    testApp = await startTestApp(database);
    ({ accountId } = await testApp.newAccount());
    sql = new Client({ connectionString: testDatabaseUrl(database) });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await testApp?.close();
  });

  /**
   * A campaign in `status` with one message in each of `messages` (the counters follow by trigger),
   * last changed `lastChange` ago.
   */
  async function campaign(status: string, messages: string[], lastChange = '2 minutes'): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
         "estimatedCostByCountry", "updatedAt", "startedAt")
       VALUES ($1, $2::"CampaignStatus", 'Hello', '+14155550100', 'GSM7', 1, 0, '[]', now(), now())
       RETURNING id`,
      [accountId, status],
    );
    for (const [i, message] of messages.entries()) {
      await sql.query(
        `INSERT INTO "Message" ("campaignId", "to", country, status, "submittedAt")
         VALUES ($1, $2, 'US', $3::"MessageStatus", now())`,
        [rows[0].id, `+1415555${String(7000 + i)}`, message],
      );
    }
    await sql.query(`UPDATE "Campaign" SET "updatedAt" = now() - $2::interval WHERE id = $1`, [rows[0].id, lastChange]);
    return rows[0].id;
  }

  async function status(id: string): Promise<{ status: string; completed: boolean }> {
    const { rows } = await sql.query<{ status: string; completed: boolean }>(
      `SELECT status::text AS status, "completedAt" IS NOT NULL AS completed FROM "Campaign" WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  it('should complete them, and leave the ones with messages still open alone', async () => {
    const sending = await campaign('SENDING', ['DELIVERED', 'UNDELIVERED', 'UNCONFIRMED']);
    const paused = await campaign('PAUSED', ['DELIVERED']);
    const stillSending = await campaign('SENDING', ['DELIVERED', 'SENT']);
    // Finished a moment ago: its follow-up may still be under way, and it is left to it.
    const justFinished = await campaign('SENDING', ['DELIVERED'], '1 second');
    await waitFor(
      'the sweep to complete the finished campaigns',
      async () => (await status(sending)).status === 'COMPLETED' && (await status(paused)).status === 'COMPLETED',
      20_000,
    );
    expect(await status(sending)).toEqual({ status: 'COMPLETED', completed: true });
    expect(await status(paused)).toEqual({ status: 'COMPLETED', completed: true });
    expect(await status(stillSending)).toEqual({ status: 'SENDING', completed: false });
    expect(await status(justFinished)).toEqual({ status: 'SENDING', completed: false });
  });
});
