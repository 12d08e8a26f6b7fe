import { AppConfig } from '../../src/config/app-config.service';
import { PrismaService } from '../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, usNumbers, waitFor } from '../utils/phone-numbers';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

// Sandbox time runs 20 times faster than real time: the account's 25 MPS and 10 s lead (sandbox
// time) are 500 MPS and 0.5 s here, so the big campaign would take 10 s of real time. (Every message
// sent before the cancel comes back as receipts queued ahead of the alert's: fewer is faster.)
const ENV = {
  SANDBOX_TIME_SCALE: '0.05',
  SANDBOX_MPS: '25',
  PLIVO_MPS: '500',
  DISPATCH_LEAD_SECONDS: '0.5',
  DISPATCH_POLL_MS: '50',
};
const BIG = 5_000;
const SEND = 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }';

describe.each(TEST_DATABASES)('fair share between campaigns on %s', (database) => {
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

  it('should send a 10-recipient campaign started during a big one at the next turn (at most one big batch per worker before it)', async () => {
    const { apiKey } = await testApp.newAccount();
    const big = usNumbers(BIG, database === 'postgres' ? 1_000_000 : 2_000_000);
    const bigId = (
      await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
        input: { recipients: big, text: 'newsletter' },
      })
    ).data!.sendBulk.id;
    await waitFor('the big campaign sending', () =>
      Promise.resolve(big.some((n) => sandbox.records.timesSubmitted(n) > 0)),
    );

    const alert = gbNumbers(10, database === 'postgres' ? 10_000 : 20_000);
    const alertId = (
      await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
        input: { recipients: alert, text: 'urgent alert', priority: 5 },
      })
    ).data!.sendBulk.id;
    const submissionsBeforeAlert = sandbox.records.submissions.length;
    // Its batch takes the next turn: once it is stored, the next batch any worker claims is the
    // alert's, so at most one big batch per worker (claimed before the alert existed) reaches the
    // provider before it. Counted in batches, not time, so a slow machine does not change the bound.
    await waitFor(
      'the alert at the provider',
      () => Promise.resolve(alert.every((n) => sandbox.records.timesSubmitted(n) === 1)),
      60_000,
    );
    const submissions = sandbox.records.submissions;
    const alertAt = submissions.findIndex((s) => s.numbers.includes(alert[0]));
    const bigNumbers = new Set(big);
    const bigBatchesBeforeAlert = submissions
      .slice(submissionsBeforeAlert, alertAt)
      .filter((s) => s.numbers.some((n) => bigNumbers.has(n))).length;
    expect(bigBatchesBeforeAlert).toBeLessThanOrEqual(testApp.app.get(AppConfig).dispatch.concurrency);
    // And the big campaign was still sending.
    expect(big.filter((n) => sandbox.records.timesSubmitted(n) > 0).length).toBeLessThan(BIG);
    await graphql(testApp.baseUrl, apiKey, 'mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id: bigId });
    // Its receipts come back behind the big campaign's (the sandbox's callbacks are one queue).
    await waitFor(
      'the alert to complete',
      async () => (await prisma.campaign.findUniqueOrThrow({ where: { id: alertId } })).status === 'COMPLETED',
      60_000,
    );
  });

  it('should give a priority-4 campaign four batches for every one of a priority-1 campaign while the MPS paces the claims', async () => {
    const { apiKey } = await testApp.newAccount();
    // 4 batches each (a batch is the lane's MPS x lead: 250). The lane holds one batch, so each claim
    // waits for the one before it to drain at the provider: the rate limit, not the claims, sets the pace
    // (where the turn of each campaign was reset to the clock and the two alternated 1:1).
    const low = usNumbers(1_000, database === 'postgres' ? 3_000_000 : 4_000_000);
    const high = gbNumbers(1_000, database === 'postgres' ? 30_000 : 40_000);
    await Promise.all(
      [
        { recipients: low, text: 'priority 1', priority: 1 },
        { recipients: high, text: 'priority 4', priority: 4 },
      ].map((input) => graphql(testApp.baseUrl, apiKey, SEND, { input })),
    );
    await waitFor(
      'both campaigns at the provider',
      () => Promise.resolve([...low, ...high].every((n) => sandbox.records.timesSubmitted(n) === 1)),
      120_000,
    );
    const lowNumbers = new Set(low);
    const highNumbers = new Set(high);
    const order = sandbox.records.submissions
      .map((s) =>
        s.numbers.some((n) => highNumbers.has(n)) ? 'p4' : s.numbers.some((n) => lowNumbers.has(n)) ? 'p1' : null,
      )
      .filter((c) => c !== null);
    // Between the priority-4 campaign's first batch and its last, while both were waiting, the priority-1
    // campaign gets one batch for its four (two allowed: which of two equal turns goes first is open);
    // alternating 1:1, as before, it got three.
    const between = order.slice(order.indexOf('p4'), order.lastIndexOf('p4') + 1);
    const p1Batches = between.filter((c) => c === 'p1').length;
    // (With the order in the message when it fails.)
    expect(`${p1Batches} priority-1 batches among the priority-4 campaign's: ${order.join(' ')}`).toMatch(/^[0-2] /);
  });

  it('should refuse a priority outside 1 to 10, naming the field', async () => {
    const { apiKey } = await testApp.newAccount();
    const response = await graphql(testApp.baseUrl, apiKey, SEND, {
      input: { recipients: ['+14155552671'], text: 'x', priority: 11 },
    });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toMatch(/^priority: must be a whole number from 1 to 10/);
  });
});
