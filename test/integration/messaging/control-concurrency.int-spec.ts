import { CampaignControlService } from '../../../src/campaigns/campaign-control.service';
import { InvalidCampaignTransitionError } from '../../../src/campaigns/campaign.errors';
import { DeliveryReportApplier } from '../../../src/delivery-reports/delivery-report-applier.service';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../../src/sandbox/sandbox';
import { graphql } from '../../utils/graphql-client';
import { usNumbers, waitFor } from '../../utils/phone-numbers';
import { Client } from 'pg';
import { startTestApp, TestApp } from '../../utils/test-app';
import { testDatabaseUrl } from '../../utils/test-databases';

// Everything at once, many times: small batches claimed by 8 workers, receipts back within
// milliseconds and applied in passes, while pause, resume and cancel run against the same rows.
const ENV = {
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_MPS: '100000',
  PLIVO_MPS: '100000',
  DISPATCH_BATCH_SIZE: '20',
  DISPATCH_CONCURRENCY: '8',
  DISPATCH_POLL_MS: '10',
  REPORT_APPLY_BATCH_SIZE: '50',
  REPORT_APPLY_INTERVAL_MS: '5',
  NO_RECEIPT_COUNTRIES: '',
};
const ROUNDS = 20;
const RECIPIENTS = 400;

describe('cancel, pause, dispatch and report application at the same time on postgres', () => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let control: CampaignControlService;
  let applier: DeliveryReportApplier;
  let sandbox: PlivoSandbox;

  beforeAll(async () => {
    testApp = await startTestApp('postgres', ENV);
    prisma = testApp.app.get(PrismaService);
    control = testApp.app.get(CampaignControlService);
    applier = testApp.app.get(DeliveryReportApplier);
    sandbox = testApp.app.get(PlivoSandbox);
  });

  afterAll(async () => {
    await testApp?.close().catch(() => undefined);
  });

  /** Deadlocks PostgreSQL detected in this database (a backend reports them at the latest when it exits). */
  async function deadlocks(): Promise<number> {
    const client = new Client({ connectionString: testDatabaseUrl('postgres') });
    await client.connect();
    try {
      const { rows } = await client.query<{ deadlocks: string }>(
        'SELECT deadlocks::text FROM pg_stat_database WHERE datname = current_database()',
      );
      return Number(rows[0].deadlocks);
    } finally {
      await client.end();
    }
  }

  it(`should never deadlock nor lose a message over ${ROUNDS} rounds`, async () => {
    const before = await deadlocks();
    const { accountId, apiKey } = await testApp.newAccount();
    for (let round = 0; round < ROUNDS; round++) {
      const recipients = usNumbers(RECIPIENTS, 900_000 + round * 1_000);
      const sent = await graphql<{ sendBulk: { id: string } }>(
        testApp.baseUrl,
        apiKey,
        'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
        { input: { recipients, text: `race ${round}` } },
      );
      const id = sent.data!.sendBulk.id;
      // Let a few batches reach the provider (and their receipts come back) before the storm.
      await waitFor('some batches at the provider', () =>
        Promise.resolve(recipients.some((n) => sandbox.records.timesSubmitted(n) > 0)),
      );
      const outcomes = await Promise.allSettled([
        control.pause(accountId, id),
        applier.applyOnce(),
        control.resume(accountId, id),
        applier.applyOnce(),
        control.pause(accountId, id),
        control.cancel(accountId, id),
        applier.applyOnce(),
      ]);
      // A control call may find the campaign already moved on by another; nothing else may fail.
      const unexpected = outcomes.filter(
        (o) => o.status === 'rejected' && !(o.reason instanceof InvalidCampaignTransitionError),
      );
      expect(unexpected).toEqual([]);
      const cancelled = await control.cancel(accountId, id);
      expect(cancelled.status).toBe('CANCELLED');

      await waitFor(
        'no batch in flight',
        async () =>
          (await prisma.batch.count({ where: { campaignId: id, state: { in: ['SUBMITTING', 'AMBIGUOUS'] } } })) === 0,
      );
      // Nothing is left waiting, and what was cancelled never reached the provider.
      expect(await prisma.message.count({ where: { campaignId: id, status: 'PENDING' } })).toBe(0);
      const cancelledNumbers = await prisma.message.findMany({
        where: { campaignId: id, status: 'CANCELLED' },
        select: { to: true },
      });
      expect(cancelledNumbers.filter((m) => sandbox.records.timesSubmitted(m.to) > 0)).toEqual([]);
      expect(recipients.filter((n) => sandbox.records.timesSubmitted(n) > 1)).toEqual([]);
    }

    // The counters the triggers keep still equal a GROUP BY over the messages.
    await applier.applyAll();
    const counters = await prisma.$queryRaw<Array<{ id: string; stored: number; counted: number }>>`
      SELECT c.id, c.cancelled + c.submitted + c.queued + c.sent + c.delivered + c.undelivered + c.failed
               + c.rejected + c.unconfirmed + c.pending AS stored,
             (SELECT count(*)::int FROM "Message" m WHERE m."campaignId" = c.id) AS counted
      FROM "Campaign" c WHERE c."accountId" = ${accountId}::uuid`;
    expect(counters.filter((c) => Number(c.stored) !== c.counted)).toEqual([]);
    const cancelledCounts = await prisma.$queryRaw<Array<{ id: string; stored: number; counted: number }>>`
      SELECT c.id, c.cancelled AS stored,
             (SELECT count(*)::int FROM "Message" m WHERE m."campaignId" = c.id AND m.status = 'CANCELLED') AS counted
      FROM "Campaign" c WHERE c."accountId" = ${accountId}::uuid`;
    expect(cancelledCounts.filter((c) => c.stored !== c.counted)).toEqual([]);
    // Closing the app ends its connections, so their backends have reported their statistics.
    await testApp.close();
    expect(await deadlocks()).toBe(before);
  });
});
