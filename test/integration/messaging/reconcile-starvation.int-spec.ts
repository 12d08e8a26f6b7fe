import { PrismaService } from '../../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../../src/sandbox/sandbox';
import { SandboxRuntimeConfig } from '../../../src/sandbox/sandbox.options';
import { graphql } from '../../utils/graphql-client';
import { pricesStored } from '../../utils/prices-stored';
import { usNumbers, waitFor } from '../../utils/phone-numbers';
import { TEST_DATABASES } from '../../utils/test-databases';
import { startTestApp, TestApp } from '../../utils/test-app';

// Four workers, so one may check batches at a time; a list budget of one request a minute, so a check
// waits for it (Plivo's is 20 a minute, shared by every instance and every check).
const ENV = {
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_MPS: '100000',
  PLIVO_MPS: '100000',
  PLIVO_TIMEOUT_MS: '400',
  DISPATCH_BATCH_SIZE: '5',
  DISPATCH_CONCURRENCY: '4',
  DISPATCH_POLL_MS: '20',
  DISPATCH_RECONCILE_DELAY_SECONDS: '0.3',
  PLIVO_LIST_REQUESTS_PER_MINUTE: '1',
};

const CLEAN: SandboxRuntimeConfig = { errorRate: 0, timeoutRate: 0, resetRate: 0, stormDurationMs: 0 };

/**
 * Found from outside (2026-12-07): nine ambiguous batches, each waiting for the list budget to be checked,
 * held every dispatch worker, so that no new campaign was sent for minutes, and checks that waited past
 * their lease were taken up again by the other instance. Checks now take at most a quarter of the workers
 * and keep their lease while they wait.
 */
describe.each(TEST_DATABASES)('ambiguous batches waiting to be checked (%s)', (database) => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let sandbox: PlivoSandbox;

  beforeAll(async () => {
    testApp = await startTestApp(database, ENV);
    prisma = testApp.app.get(PrismaService);
    sandbox = testApp.app.get(PlivoSandbox);
    const { apiKey } = await testApp.newAccount();
    await pricesStored(testApp.baseUrl, apiKey, ['+14155552671']);
  });

  afterAll(async () => {
    sandbox?.configure(CLEAN);
    await testApp?.close();
  });

  async function send(apiKey: string, recipients: string[]): Promise<string> {
    const response = await graphql<{ sendBulk: { id: string } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipients, text: 'starvation drill' } },
    );
    return response.data!.sendBulk.id;
  }

  it('should keep sending new campaigns while they wait, and keep each check on one worker', async () => {
    const { apiKey } = await testApp.newAccount();
    // 500s for requests the provider never took: every batch's outcome is unknown, to be checked.
    sandbox.configure({ ...CLEAN, errorRate: 1, errorStatus: 500, errorAccepts: 'never' });
    const stuck = await send(apiKey, usNumbers(20, 310_000));
    await waitFor(
      'four ambiguous batches',
      async () => (await prisma.batch.count({ where: { campaignId: stuck, state: 'AMBIGUOUS' } })) === 4,
    );
    sandbox.configure(CLEAN);

    const alert = await send(apiKey, usNumbers(3, 320_000));

    await waitFor(
      'the new campaign to be sent while the checks wait',
      async () => (await prisma.message.count({ where: { campaignId: alert, status: 'PENDING' } })) === 0,
      30_000,
    );
    const checking = await prisma.batch.findMany({
      where: { campaignId: stuck, state: 'AMBIGUOUS', leaseOwner: { not: null } },
      select: { leaseOwner: true },
    });
    expect(checking.length).toBeLessThanOrEqual(1);
  });
});
