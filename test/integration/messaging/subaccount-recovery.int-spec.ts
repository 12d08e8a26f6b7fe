import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../../src/sandbox/sandbox';
import { graphql } from '../../utils/graphql-client';
import { pricesStored } from '../../utils/prices-stored';
import { gbNumbers, waitFor } from '../../utils/phone-numbers';
import { TEST_DATABASES } from '../../utils/test-databases';
import { startTestApp, TestApp } from '../../utils/test-app';

// Plivo's seconds become milliseconds; timeouts, reconciliation and overdue polls come back fast.
const ENV = {
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_MPS: '100000',
  SANDBOX_OUTCOMES: 'delivered:1',
  PLIVO_MPS: '100000',
  PLIVO_TIMEOUT_MS: '400',
  DISPATCH_BATCH_SIZE: '20',
  DISPATCH_POLL_MS: '20',
  DISPATCH_RECONCILE_DELAY_SECONDS: '0.3',
  DISPATCH_RECONCILE_ATTEMPTS: '30',
  // A batch found partly at Plivo sends the rest again at once (the default waits 2 s, doubling).
  DISPATCH_RETRY_BASE_SECONDS: '0.2',
  PLIVO_LIST_REQUESTS_PER_MINUTE: '60000',
  OVERDUE_AFTER_SECONDS: '1',
  OVERDUE_POLL_INTERVAL_SECONDS: '1',
  SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

// A sub-account's messages are visible at Plivo (and in the sandbox) only with its own credentials:
// reconciling or polling them with the service's would find nothing, resend and never recover.
describe.each(TEST_DATABASES)(
  "a sub-account's messages reconciled and polled with its credentials on %s",
  (database) => {
    let testApp: TestApp;
    let prisma: PrismaService;
    let sandbox: PlivoSandbox;

    beforeAll(async () => {
      testApp = await startTestApp(database, ENV);
      prisma = testApp.app.get(PrismaService);
      sandbox = testApp.app.get(PlivoSandbox);
    });

    afterAll(async () => {
      await testApp.close();
    });

    it('should settle timed-out batches by listing the sub-account, and recover lost reports by reading its records', async () => {
      const admin = readFileSync(path.join(testApp.dataDir, 'admin-api-key'), 'utf8').trim();
      const { accountId, apiKey } = await testApp.newAccount();
      const sub = sandbox.createSubaccount('Recovery');
      const settings = await graphql(
        testApp.baseUrl,
        admin,
        `
          mutation ($accountId: ID!, $input: UpdateAccountSettingsInput!) {
            updateAccountSettings(accountId: $accountId, input: $input) {
              plivoAuthTokenSet
            }
          }
        `,
        { accountId, input: { plivoAuthId: sub.authId, plivoAuthToken: sub.authToken } },
      );
      expect(settings.errors).toBeUndefined();
      const recipients = gbNumbers(200, database === 'postgres' ? 600_000 : 700_000);
      // The GB price before the faults: the sandbox injects them into every request, price lookups included.
      await pricesStored(testApp.baseUrl, apiKey, recipients.slice(0, 1));
      // Some requests are accepted but never answered (ambiguous), and no status callback arrives.
      sandbox.configure({ timeoutRate: 0.3, callbackLossRate: 1 });
      try {
        const sent = await graphql<{ sendBulk: { id: string } }>(
          testApp.baseUrl,
          apiKey,
          'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
          { input: { recipients, text: 'recover me' } },
        );
        expect(sent.errors).toBeUndefined();
        const campaignId = sent.data!.sendBulk.id;

        await waitFor(
          'every batch settled',
          async () => (await prisma.batch.count({ where: { campaignId, state: { not: 'ACCEPTED' } } })) === 0,
        );
        expect(sandbox.stats().requests.injectedTimeouts).toBeGreaterThan(0);
        // Reads answer again from here on; the callbacks stay lost.
        sandbox.configure({ timeoutRate: 0 });
        expect(recipients.filter((n) => sandbox.records.timesSubmitted(n) !== 1)).toEqual([]);
        expect(new Set(sandbox.records.submissions.map((s) => s.authId))).toEqual(new Set([sub.authId]));
        // Every report was lost: the overdue poller read each message's record with the sub-account's credentials.
        await waitFor(
          'every message delivered',
          async () =>
            (await prisma.message.count({ where: { campaignId, status: 'DELIVERED' } })) === recipients.length,
        );
      } finally {
        sandbox.configure({ timeoutRate: 0, callbackLossRate: 0 });
      }
    });
  },
);
