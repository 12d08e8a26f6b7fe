import { PrismaService } from '../../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../../src/sandbox/sandbox';
import { SandboxRuntimeConfig } from '../../../src/sandbox/sandbox.options';
import { graphql } from '../../utils/graphql-client';
import { pricesStored } from '../../utils/prices-stored';
import { usNumbers, waitFor } from '../../utils/phone-numbers';
import { TEST_DATABASES } from '../../utils/test-databases';
import { startTestApp, TestApp } from '../../utils/test-app';

// Small batches so that every fault hits many of them (10 batches of 25 per drill: the faults strike
// requests, so it is the number of batches, not of recipients, that exercises them; an ambiguous batch
// is reconciled by looking its numbers up one by one, which made 50-number batches the drill's slowest
// part). Plivo's seconds become milliseconds; retries and reconciliation come back in a fraction of a second.
const ENV = {
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_MPS: '100000',
  PLIVO_MPS: '100000',
  PLIVO_TIMEOUT_MS: '400',
  DISPATCH_BATCH_SIZE: '25',
  DISPATCH_CONCURRENCY: '4',
  DISPATCH_POLL_MS: '20',
  DISPATCH_RETRY_BASE_SECONDS: '0.02',
  DISPATCH_RETRY_MAX_SECONDS: '0.2',
  DISPATCH_MAX_ATTEMPTS: '100',
  DISPATCH_RECONCILE_DELAY_SECONDS: '0.3',
  DISPATCH_RECONCILE_ATTEMPTS: '30',
  PLIVO_LIST_REQUESTS_PER_MINUTE: '60000',
  // US carriers send no receipts: their messages become UNCONFIRMED after this (short) window.
  NO_RECEIPT_WINDOW_SECONDS: '1',
  OVERDUE_AFTER_SECONDS: '1',
  OVERDUE_POLL_INTERVAL_SECONDS: '1',
};

const FAULTS: Array<[string, SandboxRuntimeConfig]> = [
  ['a 429 storm', { stormStartMs: 0, stormDurationMs: 1_500 }],
  ['503 bursts', { errorRate: 0.3, errorStatus: 503 }],
  // Plivo may answer 503 after it queued the batch; with no `queued` callback, nothing says so until a
  // message is sent. A 503 retried as passing sent those recipients twice.
  [
    '503s after the provider accepted the batch',
    { errorRate: 0.3, errorStatus: 503, errorAccepts: 'always', queuedCallbacks: false },
  ],
  ['500s after the provider accepted the batch', { errorRate: 0.3, errorStatus: 500, errorAccepts: 'always' }],
  ['500s before the provider accepted the batch', { errorRate: 0.3, errorStatus: 500, errorAccepts: 'never' }],
  ['timeouts (accepted, never answered)', { timeoutRate: 0.2 }],
  ['connection resets after accepting', { resetRate: 0.2, resetMode: 'after' }],
  ['connection resets before accepting', { resetRate: 0.2, resetMode: 'before' }],
];

const CLEAN: SandboxRuntimeConfig = {
  errorRate: 0,
  timeoutRate: 0,
  resetRate: 0,
  stormDurationMs: 0,
  queuedCallbacks: true,
};

describe.each(TEST_DATABASES)('dispatcher under provider faults on %s', (database) => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let sandbox: PlivoSandbox;
  let offset = 100_000;

  beforeAll(async () => {
    testApp = await startTestApp(database, ENV);
    prisma = testApp.app.get(PrismaService);
    sandbox = testApp.app.get(PlivoSandbox);
    // Prices are fetched (and stored) before any fault is switched on.
    const { apiKey } = await testApp.newAccount();
    await pricesStored(testApp.baseUrl, apiKey, ['+14155552671']);
  });

  afterEach(() => sandbox.configure(CLEAN));

  afterAll(async () => {
    await testApp.close();
  });

  it.each(FAULTS)(
    'should submit every recipient exactly once and bring it to a final status under %s',
    async (_name, faults) => {
      const { apiKey } = await testApp.newAccount();
      const recipients = usNumbers(250, (offset += 2_000));
      sandbox.configure({ ...CLEAN, ...faults });
      const response = await graphql<{ sendBulk: { id: string } }>(
        testApp.baseUrl,
        apiKey,
        'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
        { input: { recipients, text: 'fault drill' } },
      );
      expect(response.errors).toBeUndefined();
      const campaignId = response.data!.sendBulk.id;

      await waitFor(
        'every batch settled',
        async () =>
          (await prisma.batch.count({
            where: { campaignId, state: { in: ['PENDING', 'SUBMITTING', 'AMBIGUOUS'] } },
          })) === 0,
        90_000,
      );
      const batches = await prisma.batch.groupBy({ by: ['state'], where: { campaignId }, _count: true });
      expect(batches).toEqual([{ state: 'ACCEPTED', _count: 10 }]);
      const times = recipients.map((number) => sandbox.records.timesSubmitted(number));
      expect(times.filter((n) => n !== 1)).toEqual([]);
      expect(await prisma.message.count({ where: { campaignId, status: 'PENDING' } })).toBe(0);
      await waitFor(
        'every recipient at a final status',
        async () =>
          (await prisma.message.count({
            where: { campaignId, status: { in: ['PENDING', 'SUBMITTED', 'QUEUED', 'SENT'] } },
          })) === 0,
        60_000,
      );
      // Every message the provider sent was handed to it first, however its report and the answer
      // to the request (or the reconciliation) interleaved.
      const [handedOver] = await prisma.$queryRaw<Array<{ unstamped: number; later: number }>>`
        SELECT count(*) FILTER (WHERE "submittedAt" IS NULL)::int AS unstamped,
          count(*) FILTER (WHERE "submittedAt" > "sentAt")::int AS later
        FROM "Message" WHERE "campaignId" = ${campaignId}::uuid AND "sentAt" IS NOT NULL`;
      expect(handedOver).toEqual({ unstamped: 0, later: 0 });
      // The campaign completes right after the commit that finished its last message.
      await waitFor(
        'the campaign to complete',
        async () => (await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status === 'COMPLETED',
        10_000,
      );
    },
  );

  async function campaignOf(apiKey: string, id: string) {
    const result = await graphql<{
      campaign: {
        status: string;
        statusReason: string | null;
        completedAt: string | null;
        progress: { failed: number };
      };
    }>(
      testApp.baseUrl,
      apiKey,
      'query($id: ID!) { campaign(id: $id) { status statusReason completedAt progress { failed } } }',
      {
        id,
      },
    );
    return result.data!.campaign;
  }

  async function send(apiKey: string, recipients: string[], text: string): Promise<string> {
    const response = await graphql<{ sendBulk: { id: string } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipients, text } },
    );
    return response.data!.sendBulk.id;
  }

  it("should send again what an ambiguous batch never got to the provider, not taking another campaign's message to the same number for it", async () => {
    const { apiKey } = await testApp.newAccount();
    const recipients = usNumbers(10, (offset += 2_000));
    const first = await send(apiKey, recipients, 'the first campaign');
    await waitFor(
      "the first campaign's messages to carry the provider's ids",
      async () => (await prisma.message.count({ where: { campaignId: first, providerMessageId: null } })) === 0,
    );
    // Seconds later, within the window the check lists, the same numbers: refused before Plivo had it.
    sandbox.configure({ ...CLEAN, errorRate: 1, errorStatus: 500, errorAccepts: 'never' });
    const second = await send(apiKey, recipients, 'the second campaign');
    await waitFor(
      "the second campaign's batch to be ambiguous",
      async () => (await prisma.batch.count({ where: { campaignId: second, state: 'AMBIGUOUS' } })) === 1,
    );
    sandbox.configure(CLEAN);
    await waitFor(
      "the second campaign's batch settled",
      async () =>
        (await prisma.batch.count({
          where: { campaignId: second, state: { in: ['PENDING', 'SUBMITTING', 'AMBIGUOUS'] } },
        })) === 0,
    );
    // The check found the first campaign's records of these numbers and none of its own: sent again, once.
    expect(recipients.map((number) => sandbox.records.timesSubmitted(number))).toEqual(recipients.map(() => 2));
    const [shared] = await prisma.$queryRaw<Array<{ shared: number }>>`
      SELECT count(*)::int AS shared FROM "Message" a JOIN "Message" b ON a."providerMessageId" = b."providerMessageId"
      WHERE a."campaignId" = ${first}::uuid AND b."campaignId" = ${second}::uuid`;
    expect(shared.shared).toBe(0);
  });

  it.each([
    [401, 'the account refused', /^nothing could be submitted: pause \(HTTP 401\): /],
    [400, 'every batch refused', /^nothing could be submitted: permanent \(HTTP 400\): /],
  ])(
    'should fail a campaign nothing of which could be submitted (HTTP %d: %s), its messages with it',
    async (errorStatus, _what, reason) => {
      const { apiKey } = await testApp.newAccount();
      sandbox.configure({ ...CLEAN, errorRate: 1, errorStatus });
      const campaignId = await send(apiKey, usNumbers(10, (offset += 2_000)), 'refused drill');

      const failed = await waitFor('the campaign to fail', async () => {
        const campaign = await campaignOf(apiKey, campaignId);
        return campaign.status === 'FAILED' ? campaign : null;
      });
      expect(failed).toMatchObject({ statusReason: expect.stringMatching(reason), progress: { failed: 10 } });
      expect(failed.completedAt).not.toBeNull();
      const messages = await prisma.message.groupBy({
        by: ['status', 'errorCode'],
        where: { campaignId },
        _count: true,
      });
      expect(messages).toEqual([{ status: 'FAILED', errorCode: 'submission_refused', _count: 10 }]);
    },
  );

  it('should pause a campaign the provider refuses the account for once part of it was submitted, and resume it', async () => {
    // Two messages a second: the first batch of 25 goes, the next waits seconds for the provider's queue.
    const { accountId, apiKey } = await testApp.newAccount();
    await prisma.accountSettings.create({ data: { accountId, mps: 2 } });
    const campaignId = await send(apiKey, usNumbers(100, (offset += 2_000)), 'auth drill');
    await waitFor(
      'the first batch to be accepted',
      async () => (await prisma.batch.count({ where: { campaignId, state: 'ACCEPTED' } })) > 0,
    );
    sandbox.configure({ ...CLEAN, errorRate: 1, errorStatus: 401 });

    const paused = await waitFor('the pause', async () => {
      const campaign = await campaignOf(apiKey, campaignId);
      return campaign.status === 'PAUSED' ? campaign : null;
    });
    expect(paused.statusReason).toMatch(/^pause \(HTTP 401\)/);
    expect(await prisma.message.count({ where: { campaignId, status: 'PENDING' } })).toBeGreaterThan(0);

    // Fixed credentials: resuming sends everything once.
    sandbox.configure(CLEAN);
    await prisma.accountSettings.update({ where: { accountId }, data: { mps: null } });
    const resumed = await graphql(
      testApp.baseUrl,
      apiKey,
      'mutation($id: ID!) { resumeCampaign(id: $id) { status } }',
      { id: campaignId },
    );
    expect(resumed.errors).toBeUndefined();
    await waitFor(
      'submission after resume',
      async () => (await prisma.message.count({ where: { campaignId, status: 'PENDING' } })) === 0,
    );
    // Failed by the sandbox's outcome mix at most, never refused by the service.
    expect(await prisma.message.count({ where: { campaignId, errorCode: { startsWith: 'submission_' } } })).toBe(0);
  });
});
