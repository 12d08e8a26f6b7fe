import { PrismaService } from '../../src/persistence/prisma.service';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

// Sent at once, final receipts 5 to 15 s later (Plivo's 10,000 s, scaled 1000x): for those seconds
// no message changes state, which is more than STALL_AFTER_SECONDS.
const ENV = {
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_MPS: '100000',
  PLIVO_MPS: '100000',
  DISPATCH_POLL_MS: '20',
  SANDBOX_DLR_DELAY_MS: '10000000',
  STALL_AFTER_SECONDS: '1',
};

describe.each(TEST_DATABASES)('a campaign whose messages stop moving on %s', (database) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp(database, ENV);
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should be shown as stalled, in queries, progress and metrics, until its messages move again', async () => {
    const { apiKey } = await testApp.newAccount();
    const sent = await graphql<{ sendBulk: { id: string } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipients: gbNumbers(20, 93_000), text: 'stall drill' } },
    );
    expect(sent.errors).toBeUndefined();
    const id = sent.data!.sendBulk.id;
    const read = async () =>
      (
        await graphql<{
          campaign: { status: string; statusReason: string | null; progress: { statusReason: string } };
        }>(
          testApp.baseUrl,
          apiKey,
          'query($id: ID!) { campaign(id: $id) { status statusReason progress { statusReason } } }',
          { id },
        )
      ).data!.campaign;

    const stalled = await waitFor('the stall to show', async () => {
      const campaign = await read();
      return campaign.statusReason?.startsWith('stalled: ') ? campaign : null;
    });
    expect(stalled.status).toBe('SENDING');
    expect(stalled.statusReason).toMatch(/no message changed state for \d+ s; \d+ waiting for delivery reports/);
    expect(stalled.progress.statusReason).toBe(stalled.statusReason);
    const metrics = await (await fetch(`${testApp.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^bulk_sms_campaigns_stalled [1-9]/m);

    await waitFor(
      'the campaign to complete once the receipts arrive',
      async () => (await read()).status === 'COMPLETED',
      60_000,
    );
    const done = await testApp.app.get(PrismaService).campaign.findUniqueOrThrow({ where: { id } });
    expect(done.statusReason).toBeNull();
  });
});
