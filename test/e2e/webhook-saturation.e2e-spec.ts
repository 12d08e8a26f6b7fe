import { DeliveryReportMetrics } from '../../src/delivery-reports/delivery-report.metrics';
import { PrismaService } from '../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { freshDatabase } from '../utils/fresh-database';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { scaledTimeout } from '../utils/time-factor';
import { startTestApp, TestApp } from '../utils/test-app';

const RECIPIENTS = 150;

// The webhook takes at most 3 reports waiting to be written: the sandbox's bursts of callbacks (256
// at a time, like Plivo's) overflow it, are answered 503 and sent again by the sandbox 0.6 s to 2.4 s
// later (Plivo's 60/120/240 s, scaled). Plivo stops after 3 retries; here the sandbox keeps retrying,
// so that what is checked is the 503 → retry → applied path (lost reports are the overdue poller's,
// tested on their own).
const ENV = {
  SANDBOX_CALLBACK_RETRY_DELAYS_MS: '60000,120000,240000,240000,240000,240000,240000,240000,240000,240000',
  SANDBOX_TIME_SCALE: '0.01',
  SANDBOX_MPS: '100000',
  PLIVO_MPS: '100000',
  DISPATCH_POLL_MS: '20',
  WEBHOOK_MAX_PENDING: '3',
  OVERDUE_AFTER_SECONDS: '5',
  OVERDUE_POLL_INTERVAL_SECONDS: '1',
};

describe.each(['postgres', 'pglite'] as const)('a saturated delivery-report webhook on %s', (database) => {
  let testApp: TestApp;
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  // A database of its own: what earlier test files left waiting would be polled first.
  beforeAll(async () => {
    db = await freshDatabase(database);
    testApp = await startTestApp(database, { ...ENV, DATABASE_URL: db.url });
  });

  afterAll(async () => {
    await testApp?.close();
    await db?.drop();
  });

  it('should answer 503 when full, and still apply every report Plivo sends again', async () => {
    const { apiKey } = await testApp.newAccount();
    const sandbox = testApp.app.get(PlivoSandbox);
    const prisma = testApp.app.get(PrismaService);
    const response = await graphql<{ sendBulk: { id: string } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipients: gbNumbers(RECIPIENTS, 91_000), text: 'saturation drill' } },
    );
    expect(response.errors).toBeUndefined();
    const campaignId = response.data!.sendBulk.id;

    // The wait ends well before the test's own timeout, so that a hang prints what is open.
    await waitFor(
      'the campaign to complete',
      async () => (await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status === 'COMPLETED',
      60_000,
    ).catch(async (error: unknown) => {
      const campaign = await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
      const open = await prisma.message.findMany({
        where: { campaignId, status: { in: ['PENDING', 'SUBMITTED', 'QUEUED', 'SENT'] } },
        take: 20,
      });
      const batchIds = [...new Set(open.map((m) => m.batchId).filter((id): id is string => id !== null))];
      const batches = new Map(
        (await prisma.batch.findMany({ where: { id: { in: batchIds } } })).map((b) => [b.id, b] as const),
      );
      const atProvider = open.map((m) => ({
        to: m.to,
        status: m.status,
        uuid: m.providerMessageId,
        provider: sandbox.records.messagesFor(m.to).map((r) => `${r.uuid}:${r.status}`),
        batch: ((b) =>
          b && {
            state: b.state,
            uuids: b.providerUuids.length,
            attempts: b.attempts,
            reconcileAttempts: b.reconcileAttempts,
            lastError: b.lastError,
          })(m.batchId ? batches.get(m.batchId) : undefined),
      }));
      const unapplied = await prisma.deliveryReport.count({ where: { appliedAt: null } });
      throw new Error(
        `${String(error)}; campaign ${JSON.stringify({ status: campaign.status, statusReason: campaign.statusReason, sent: campaign.sent, submitted: campaign.submitted, queued: campaign.queued, pending: campaign.pending })}, open ${JSON.stringify(atProvider)}, callbacks ${JSON.stringify(sandbox.stats().callbacks)}, unapplied reports ${unapplied}`,
      );
    });

    const saturated = await testApp.app.get(DeliveryReportMetrics).saturated.get();
    expect(saturated.values.reduce((sum, v) => sum + v.value, 0)).toBeGreaterThan(0);
    expect(sandbox.stats().callbacks.retriesScheduled).toBeGreaterThan(0);
    // Nothing lost: every message ends exactly where the provider says it did.
    const messages = await prisma.message.findMany({ where: { campaignId } });
    expect(messages).toHaveLength(RECIPIENTS);
    const differing = messages.filter((m) => {
      const atProvider = m.providerMessageId ? sandbox.records.message(m.providerMessageId) : undefined;
      return !atProvider || atProvider.status.toUpperCase() !== m.status;
    });
    expect(differing.map((m) => ({ to: m.to, status: m.status }))).toEqual([]);
  }, scaledTimeout(100_000));
});
