import { Client } from 'pg';
import { DispatchRepository } from '../../../src/persistence/dispatch.repository';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';
import { startTestApp, TestApp } from '../../utils/test-app';

/**
 * A claim moves its campaign's turn on and starts it (QUEUED becomes SENDING, startedAt set, and the
 * webhook trigger says campaign.started). A pause may commit while a claim is being made: the claimed
 * batches still go, but the campaign stays PAUSED with no start time, so that it starts, and says so,
 * when it is resumed (to QUEUED) and claimed again.
 */
describe.each(TEST_DATABASES)('the start of a campaign by its first claim (%s)', (database) => {
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

  async function campaign(status: string): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
         "estimatedCostByCountry", "updatedAt")
       VALUES ($1, $2::"CampaignStatus", 'Hello', '+14155550100', 'GSM7', 1, 0, '[]', now())
       RETURNING id`,
      [accountId, status],
    );
    return rows[0].id;
  }

  async function read(id: string): Promise<{ status: string; started: boolean }> {
    const { rows } = await sql.query<{ status: string; started: boolean }>(
      `SELECT status::text AS status, "startedAt" IS NOT NULL AS started FROM "Campaign" WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  it('should start a queued campaign, and keep a sending one started', async () => {
    const dispatch = testApp.app.get(DispatchRepository);
    const queued = await campaign('QUEUED');
    await dispatch.takeTurn(queued, 1_000);
    expect(await read(queued)).toEqual({ status: 'SENDING', started: true });
    await dispatch.takeTurn(queued, 1_000);
    expect(await read(queued)).toEqual({ status: 'SENDING', started: true });
  });

  it('should leave a campaign paused during the claim paused and unstarted', async () => {
    const dispatch = testApp.app.get(DispatchRepository);
    const paused = await campaign('PAUSED');
    await dispatch.takeTurn(paused, 1_000);
    expect(await read(paused)).toEqual({ status: 'PAUSED', started: false });
  });
});
