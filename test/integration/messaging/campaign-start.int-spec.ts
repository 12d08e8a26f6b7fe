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
    await dispatch.takeTurn(queued, new Date());
    expect(await read(queued)).toEqual({ status: 'SENDING', started: true });
    await dispatch.takeTurn(queued, new Date());
    expect(await read(queued)).toEqual({ status: 'SENDING', started: true });
  });

  it("should set the campaign's turn to the one given, and keep the virtual time on the pacing row it is written to", async () => {
    const dispatch = testApp.app.get(DispatchRepository);
    const queued = await campaign('QUEUED');
    const turnAt = new Date(Date.now() - 3_600_000);
    await dispatch.takeTurn(queued, turnAt);
    const { rows } = await sql.query<{ turnAt: Date }>(
      `SELECT "dispatchTurnAt" AS "turnAt" FROM "Campaign" WHERE id = $1`,
      [queued],
    );
    expect(rows[0].turnAt).toEqual(turnAt);

    const key = `account:virtual-time-${database}`;
    const lock = async () => (await dispatch.lockPacing([{ key, initialTokens: 0 }]))[0];
    const created = await lock();
    expect(created.virtualTurnAt).toBeNull();
    const virtualTurnAt = new Date(Date.now() - 7_200_000);
    const row = { key, queueDrainsAt: created.now, apiTokens: 1, apiTokensAt: created.now };
    await dispatch.reservePacing([
      { ...row, virtualTurnAt },
      { ...row, key: `sender:virtual-time-${database}` },
    ]);
    expect((await lock()).virtualTurnAt).toEqual(virtualTurnAt);
    // A reservation without it (the ledger's, another lane's) leaves it.
    await dispatch.reservePacing([row]);
    expect((await lock()).virtualTurnAt).toEqual(virtualTurnAt);
  });

  it('should leave a campaign paused during the claim paused and unstarted', async () => {
    const dispatch = testApp.app.get(DispatchRepository);
    const paused = await campaign('PAUSED');
    await dispatch.takeTurn(paused, new Date());
    expect(await read(paused)).toEqual({ status: 'PAUSED', started: false });
  });
});
