import { CampaignStatus } from '../../../src/domain/campaign-status.enum';
import { MessageStatus } from '../../../src/domain/message-status.enum';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { CampaignFactory, usNumber } from '../../factories/campaign.factory';
import { TEST_DATABASES } from '../../utils/test-databases';
import { startTestApp, TestApp } from '../../utils/test-app';
import { waitFor } from '../../utils/wait-for';

/**
 * A campaign completes in the follow-up after the commit that settled its last message. If the
 * process stopped in between (or the follow-up failed), the campaign would stay open for good with
 * nothing left to send: the dispatcher's lifecycle completes such campaigns that have not changed for
 * a minute, a second after the process starts and every ten seconds after that.
 */
describe.each(TEST_DATABASES)('campaigns left open with every message final (%s)', (database) => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let factory: CampaignFactory;
  let next = 7_000;

  beforeAll(async () => {
    testApp = await startTestApp(database);
    prisma = testApp.app.get(PrismaService);
    factory = new CampaignFactory(prisma);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  /** A campaign in `status` with one message in each of `statuses`, last changed `lastChange` ago. */
  async function campaign(
    status: CampaignStatus,
    statuses: MessageStatus[],
    lastChange = '2 minutes',
  ): Promise<string> {
    const { campaignId } = await factory.campaign({
      status,
      batches: [{ recipients: statuses.map((s) => ({ to: usNumber(next++), status: s })) }],
    });
    // The counters trigger stamped updatedAt just now.
    await prisma.$executeRaw`UPDATE "Campaign" SET "updatedAt" = now() - ${lastChange}::interval WHERE id = ${campaignId}::uuid`;
    return campaignId;
  }

  async function status(id: string): Promise<{ status: string; completed: boolean }> {
    const row = await prisma.campaign.findUniqueOrThrow({ where: { id } });
    return { status: row.status, completed: row.completedAt !== null };
  }

  it('should complete them, and leave the ones with messages still open alone', async () => {
    const { DELIVERED, UNDELIVERED, UNCONFIRMED, SENT } = MessageStatus;
    const sending = await campaign(CampaignStatus.SENDING, [DELIVERED, UNDELIVERED, UNCONFIRMED]);
    const paused = await campaign(CampaignStatus.PAUSED, [DELIVERED]);
    const stillSending = await campaign(CampaignStatus.SENDING, [DELIVERED, SENT]);
    // Finished a moment ago: its follow-up may still be under way, and it is left to it.
    const justFinished = await campaign(CampaignStatus.SENDING, [DELIVERED], '1 second');
    // The process that left them open stops; the next one to start completes them (its first sweep).
    await testApp.close();
    testApp = await startTestApp(database);
    prisma = testApp.app.get(PrismaService);
    await waitFor(
      'the sweep to complete the finished campaigns',
      async () => (await status(sending)).status === 'COMPLETED' && (await status(paused)).status === 'COMPLETED',
      5_000,
    );
    expect(await status(sending)).toEqual({ status: 'COMPLETED', completed: true });
    expect(await status(paused)).toEqual({ status: 'COMPLETED', completed: true });
    expect(await status(stillSending)).toEqual({ status: 'SENDING', completed: false });
    expect(await status(justFinished)).toEqual({ status: 'SENDING', completed: false });
  });
});
