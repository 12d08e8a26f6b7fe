import { parseRecipientNumber } from '../../src/messaging/recipient-number-parser';
import { PrismaService } from '../../src/persistence/prisma.service';
import { SuppressionRepository } from '../../src/persistence/suppression.repository';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, usNumbers, waitFor } from '../utils/phone-numbers';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

// A fast sandbox and pacing: Plivo's seconds become milliseconds.
const FAST = {
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_MPS: '100000',
  PLIVO_MPS: '100000',
  DISPATCH_POLL_MS: '20',
};

const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) {
  id status text encoding segmentsPerMessage estimatedCost { amount currency } scheduledAt
  rejectedRecipients { input reason } progress { total pending suppressed } } }`;

type SendResult = {
  sendBulk: {
    id: string;
    status: string;
    segmentsPerMessage: number;
    estimatedCost: { amount: number };
    rejectedRecipients: Array<{ input: string; reason: string }>;
    progress: { total: number; pending: number; suppressed: number };
  };
};

describe.each(TEST_DATABASES)('sendBulk on %s', (database) => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let sandbox: PlivoSandbox;

  beforeAll(async () => {
    testApp = await startTestApp(database, FAST);
    prisma = testApp.app.get(PrismaService);
    sandbox = testApp.app.get(PlivoSandbox);
  });

  afterAll(async () => {
    await testApp.close();
  });

  async function statuses(campaignId: string): Promise<Record<string, number>> {
    const rows = await prisma.message.groupBy({ by: ['status'], where: { campaignId }, _count: true });
    return Object.fromEntries(rows.map((r) => [r.status, r._count]));
  }

  async function campaignCount(accountId: string): Promise<number> {
    return prisma.campaign.count({ where: { accountId } });
  }

  it('should store, batch and submit every valid recipient exactly once', async () => {
    const { apiKey } = await testApp.newAccount();
    const recipients = [...usNumbers(2300, 1_000), ...gbNumbers(200, 1_000), 'not a number', usNumbers(1, 1_000)[0]];
    const response = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients, text: 'Your code is 1234', name: 'e2e' },
    });
    expect(response.errors).toBeUndefined();
    const campaign = response.data!.sendBulk;
    expect(campaign.status).toBe('QUEUED');
    expect(campaign.progress).toEqual({ total: 2500, pending: 2500, suppressed: 0 });
    expect(campaign.rejectedRecipients).toEqual([
      { input: 'not a number', reason: 'not a valid phone number' },
      { input: usNumbers(1, 1_000)[0], reason: 'duplicate' },
    ]);
    const batches = await prisma.batch.findMany({ where: { campaignId: campaign.id }, orderBy: { sequence: 'asc' } });
    // Batches never mix countries (each holds one country and zone, for send windows and the brake).
    expect(batches.map((b) => [b.country, b.recipientCount])).toEqual([
      ['US', 1000],
      ['US', 1000],
      ['US', 300],
      ['GB', 200],
    ]);

    await waitFor('every message handed to the provider', async () => {
      const counts = await statuses(campaign.id);
      return (
        (counts.PENDING ?? 0) === 0 &&
        (counts.SUBMITTED ?? 0) +
          (counts.QUEUED ?? 0) +
          (counts.SENT ?? 0) +
          (counts.DELIVERED ?? 0) +
          (counts.UNDELIVERED ?? 0) +
          (counts.FAILED ?? 0) +
          (counts.REJECTED ?? 0) ===
          2500
      );
    });
    const submitted = [...usNumbers(2300, 1_000), ...gbNumbers(200, 1_000)].map((n) =>
      sandbox.records.timesSubmitted(n),
    );
    expect(new Set(submitted)).toEqual(new Set([1]));
    expect(sandbox.records.duplicates()).toEqual([]);
  });

  it.each([
    ['text', { text: '   ' }, /^text\b.*empty/],
    ['text', { text: 'x'.repeat(1601) }, /^text\b.*1,600/],
    ['senderId', { senderId: '+19998887777' }, /^senderId: unknown sender/],
    ['scheduledAt', { scheduledAt: new Date(Date.now() - 3_600_000).toISOString() }, /^scheduledAt: .* is in the past/],
    ['recipients', { recipients: ['nope', '123'] }, /^recipients: no valid recipient/],
    ['recipients', { recipients: [] }, /^recipients/],
    ['defaultCountry', { defaultCountry: 'XX', recipients: ['4155552671'] }, /^defaultCountry: /],
    ['maxCost', { maxCost: 0.0001 }, /^maxCost: the estimated cost [\d.]+ USD exceeds maxCost 0\.00010 USD/],
    // 3 US recipients at 0.0055: an estimate of 0.0165, just above maxCost; both amounts as they are.
    ['maxCost', { maxCost: 0.016499 }, /^maxCost: the estimated cost 0\.01650 USD exceeds maxCost 0\.016499 USD$/],
  ])('should refuse an invalid %s with BAD_USER_INPUT and store nothing', async (_field, override, message) => {
    const { apiKey, accountId } = await testApp.newAccount();
    const response = await graphql(testApp.baseUrl, apiKey, SEND, {
      input: { recipients: usNumbers(3, 5_000), text: 'hello', ...override },
    });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toMatch(message);
    expect(await campaignCount(accountId)).toBe(0);
  });

  // The streamed path is PostgreSQL's; on PGlite a large list is stored as a short one is (tested above).
  const onPostgres = database === 'postgres' ? it : it.skip;

  onPostgres(
    'should store a large campaign slice by slice while it is validated, exactly as validated',
    async () => {
      const { apiKey, accountId } = await testApp.newAccount();
      // Over 50,000: validated on worker threads, the first slices stored before the last are validated.
      const us = usNumbers(50_000, 100_000);
      // Some of these are the Isle of Man's (+44 7624): GB's only, to price two countries.
      const gb = gbNumbers(22_000, 10_000)
        .filter((phone) => {
          const parsed = parseRecipientNumber(phone);
          return parsed.ok && parsed.country === 'GB';
        })
        .slice(0, 20_000);
      expect(gb).toHaveLength(20_000);
      const recipients = [...us.slice(0, 40_000), ...gb, 'junk', ...us.slice(40_000), gb[17]];
      const suppressed = [us[3], gb[19_999], us[49_000]];
      await testApp.app
        .get(SuppressionRepository)
        .addMany(suppressed.map((phone) => ({ accountId, phone, reason: 'STOP' })));
      const response = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, {
        // An hour ahead: acceptance is what is checked here, not 70,000 sends.
        input: { recipients, text: 'big', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() },
      });
      expect(response.errors).toBeUndefined();
      const campaign = response.data!.sendBulk;
      expect(campaign.status).toBe('SCHEDULED');
      expect(campaign.progress).toEqual({ total: 70_000, pending: 69_997, suppressed: 3 });
      // Rejections in input order, the suppressed after them (as for a short list).
      expect(campaign.rejectedRecipients).toEqual([
        { input: 'junk', reason: 'not a valid phone number' },
        { input: gb[17], reason: 'duplicate' },
        ...suppressed.map((input) => ({ input, reason: 'SUPPRESSED' })),
      ]);

      // Every valid recipient once, in input order, in a batch of its own country (none when suppressed).
      const messages = await prisma.message.findMany({
        where: { campaignId: campaign.id },
        orderBy: { id: 'asc' },
        select: { id: true, to: true, country: true, status: true, batchId: true },
      });
      expect(messages.map((m) => m.to)).toEqual([...us.slice(0, 40_000), ...gb, ...us.slice(40_000)]);
      const batches = await prisma.batch.findMany({ where: { campaignId: campaign.id }, orderBy: { sequence: 'asc' } });
      const batchById = new Map(batches.map((b) => [b.id, b]));
      const perBatch = new Map<string, number>();
      // Collected, then compared once: an expect per message would cost the test more than the campaign.
      const wrong: unknown[] = [];
      for (const message of messages) {
        if (suppressed.includes(message.to)) {
          if (message.status !== 'SUPPRESSED' || message.batchId !== null) {
            wrong.push(message);
          }
          continue;
        }
        const batch = batchById.get(message.batchId!);
        const country = message.to.startsWith('+1') ? 'US' : 'GB';
        if (
          !batch ||
          message.status !== 'PENDING' ||
          message.country !== country ||
          batch.country !== country ||
          message.id < batch.messageIdFrom! ||
          message.id > batch.messageIdTo!
        ) {
          wrong.push(message);
          continue;
        }
        perBatch.set(batch.id, (perBatch.get(batch.id) ?? 0) + 1);
      }
      expect(wrong).toEqual([]);
      expect(batches.map((b) => b.sequence)).toEqual(batches.map((_, i) => i));
      expect(batches.every((b) => perBatch.get(b.id) === b.recipientCount && b.recipientCount <= 1_000)).toBe(true);
      // Each country fills its batches in turn: only its last one may be short.
      for (const country of ['US', 'GB']) {
        const sizes = batches.filter((b) => b.country === country).map((b) => b.recipientCount);
        expect(sizes.slice(0, -1).every((size) => size === sizes[0])).toBe(true);
      }
      const stored = await prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
      expect(
        (stored.estimatedCostByCountry as Array<{ country: string; recipients: number }>).map((c) => [
          c.country,
          c.recipients,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['US', 49_998],
          ['GB', 19_999],
        ]),
      );
      expect(stored.rejectedCount).toBe(5);
    },
    120_000,
  );

  // On PGlite this also shows a large list is not stored while validated there: the price lookup inside that
  // transaction would wait for the transaction to end (it did, before the service told the databases apart).
  it('should store nothing of a large campaign refused once its messages were being stored (over maxCost)', async () => {
    const { apiKey, accountId } = await testApp.newAccount();
    const recipients = usNumbers(60_000, 300_000);
    const response = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients, text: 'too dear', maxCost: 0.01 },
    });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toMatch(/exceeds maxCost/);
    expect(await campaignCount(accountId)).toBe(0);
    const left = await prisma.message.count({ where: { to: { in: recipients.slice(0, 1_000) } } });
    expect(left).toBe(0);
  }, 120_000);

  it('should estimate a grapheme longer than a segment at the units the provider bills', async () => {
    const { apiKey } = await testApp.newAccount();
    const recipients = gbNumbers(2, 40_000);
    // One grapheme of 701 UTF-16 units: ⌈701/67⌉ = 11 segments (it was estimated at 2 and billed 11).
    const text = 'a' + '\u0301'.repeat(700);
    const response = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients, text, maxCost: 0.88 },
    });
    expect(response.errors).toBeUndefined();
    // 2 recipients × 11 segments × 0.04000 (GB)
    expect(response.data!.sendBulk).toMatchObject({ segmentsPerMessage: 11, estimatedCost: { amount: 0.88 } });
    await waitFor('submission', async () => (await statuses(response.data!.sendBulk.id)).PENDING === undefined);
    expect(recipients.map((number) => sandbox.records.messagesFor(number).map((m) => m.batch.units))).toEqual([
      [11],
      [11],
    ]);
  });

  it('should return the existing campaign for a repeated idempotency key and send nothing new', async () => {
    const { apiKey, accountId } = await testApp.newAccount();
    const input = { recipients: usNumbers(5, 6_000), text: 'once only', idempotencyKey: 'order-42' };
    const [first, second] = await Promise.all([
      graphql<SendResult>(testApp.baseUrl, apiKey, SEND, { input }),
      graphql<SendResult>(testApp.baseUrl, apiKey, SEND, { input }),
    ]);
    expect(first.errors).toBeUndefined();
    expect(second.data?.sendBulk.id).toBe(first.data?.sendBulk.id);
    // The same key with another body is a conflict, not a silent replay (test/security/idempotency.e2e-spec.ts).
    const third = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, { input: { ...input, text: 'changed' } });
    expect(third.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await campaignCount(accountId)).toBe(1);
    await waitFor('submission', async () => (await statuses(first.data!.sendBulk.id)).PENDING === undefined);
    for (const number of input.recipients) {
      expect(sandbox.records.timesSubmitted(number)).toBe(1);
    }
  });

  it('should store suppressed numbers as SUPPRESSED and never send them', async () => {
    const { apiKey, accountId } = await testApp.newAccount();
    const recipients = usNumbers(4, 7_000);
    await testApp.app.get(SuppressionRepository).addMany([{ accountId, phone: recipients[1], reason: 'STOP' }]);
    const response = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, { input: { recipients, text: 'hi' } });
    expect(response.data?.sendBulk.progress).toEqual({ total: 4, pending: 3, suppressed: 1 });
    await waitFor('submission', async () => (await statuses(response.data!.sendBulk.id)).PENDING === undefined);
    expect(sandbox.records.timesSubmitted(recipients[1])).toBe(0);
    expect(sandbox.records.timesSubmitted(recipients[0])).toBe(1);
  });

  it('should complete at once a campaign whose every recipient opted out', async () => {
    const { apiKey, accountId } = await testApp.newAccount();
    const recipients = usNumbers(2, 7_500);
    await testApp.app
      .get(SuppressionRepository)
      .addMany(recipients.map((phone) => ({ accountId, phone, reason: 'STOP' })));
    const response = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, { input: { recipients, text: 'hi' } });
    expect(response.data?.sendBulk.status).toBe('COMPLETED');
    expect(response.data?.sendBulk.progress).toEqual({ total: 2, pending: 0, suppressed: 2 });
  });

  it('should hold a scheduled campaign until its time, then send it', async () => {
    const { apiKey } = await testApp.newAccount();
    const recipients = usNumbers(3, 8_000);
    const scheduledAt = new Date(Date.now() + 2_500).toISOString();
    const response = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients, text: 'later', scheduledAt },
    });
    expect(response.data?.sendBulk.status).toBe('SCHEDULED');
    await waitFor(
      'the scheduled send',
      () => Promise.resolve(sandbox.records.timesSubmitted(recipients[0]) === 1),
      15_000,
    );
    // Held until its time: the provider got it no earlier than scheduledAt (read from the sandbox's own
    // record, not from how long this test slept, so a slow machine cannot make it pass or fail).
    const [submission] = sandbox.records.submissionsFor(recipients[0]);
    expect(submission.receivedAt.getTime()).toBeGreaterThanOrEqual(new Date(scheduledAt).getTime() - 50);
    const campaign = await prisma.campaign.findUniqueOrThrow({ where: { id: response.data!.sendBulk.id } });
    expect(campaign.startedAt!.getTime()).toBeGreaterThanOrEqual(new Date(scheduledAt).getTime() - 50);
  });
});
