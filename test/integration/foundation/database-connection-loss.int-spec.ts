import { Client } from 'pg';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { graphql } from '../../utils/graphql-client';
import { gbNumbers, waitFor } from '../../utils/phone-numbers';
import { startTestApp, TestApp } from '../../utils/test-app';
import { testDatabaseUrl } from '../../utils/test-databases';

const FAST = {
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_MPS: '100000',
  PLIVO_MPS: '100000',
  DISPATCH_POLL_MS: '20',
};

/**
 * PostgreSQL restarts, failovers and idle-connection reapers end connections under the service.
 * Every one of its connections (Prisma's pool, the webhook's pool, LISTEN; checked out or idle) is killed
 * again and again while a campaign sends and reports arrive: the process must survive (an
 * unhandled 'error' event on a pg client would end it) and finish the campaign.
 */
describe('losing database connections (PostgreSQL)', () => {
  let testApp: TestApp;
  let admin: Client;

  beforeAll(async () => {
    testApp = await startTestApp('postgres', FAST);
    admin = new Client({ connectionString: testDatabaseUrl('postgres') });
    await admin.connect();
  });

  afterAll(async () => {
    await admin.end();
    await testApp.close();
  });

  async function killServiceConnections(): Promise<number> {
    const { rows } = await admin.query<{ killed: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity
       WHERE datname = current_database() AND application_name LIKE 'bulk-sms%'`,
    );
    return rows[0].killed;
  }

  it('should survive connections killed mid-campaign and still finish it', async () => {
    const { apiKey } = await testApp.newAccount();
    const recipients = gbNumbers(600, 77_000);
    const response = await graphql<{ sendBulk: { id: string } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipients, text: 'connection drill' } },
    );
    expect(response.errors).toBeUndefined();
    const campaignId = response.data!.sendBulk.id;

    let killed = 0;
    for (let round = 0; round < 20; round++) {
      killed += await killServiceConnections();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(killed).toBeGreaterThan(0);

    const prisma = testApp.app.get(PrismaService);
    await waitFor(
      'the campaign to complete',
      async () => (await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status === 'COMPLETED',
      120_000,
    );
    const health = await fetch(`${testApp.baseUrl}/ready`);
    expect(health.status).toBe(200);
  });
});
