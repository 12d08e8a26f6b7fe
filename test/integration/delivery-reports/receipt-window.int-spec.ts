import { MessageStatus } from '../../../src/domain/message-status.enum';
import { gbNumber, usNumber } from '../../factories/campaign.factory';
import { TEST_DATABASES } from '../../utils/test-databases';
import { DeliveryReportTestApp, startDeliveryReportTestApp } from './delivery-report-test-app';

const HOUR = 3600 * 1000;

describe.each(TEST_DATABASES)('ReceiptWindowService (%s)', (database) => {
  let t: DeliveryReportTestApp;

  beforeAll(async () => {
    // US/CA: 60 s without a receipt; elsewhere 2 h. Unsent messages also wait for the poller (1 h + 1 h).
    t = await startDeliveryReportTestApp(database, {
      NO_RECEIPT_WINDOW_SECONDS: '60',
      RECEIPT_WINDOW_SECONDS: String(2 * 3600),
      OVERDUE_AFTER_SECONDS: '3600',
      OVERDUE_POLL_INTERVAL_SECONDS: '3600',
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  async function statuses(campaignId: string): Promise<Record<string, string>> {
    const rows = await t.prisma.message.findMany({ where: { campaignId }, select: { to: true, status: true } });
    return Object.fromEntries(rows.map((r) => [r.to, r.status]));
  }

  it('should mark US messages SENT past the short window UNCONFIRMED, and keep GB ones SENT until the long window', async () => {
    const ago = (ms: number) => new Date(Date.now() - ms);
    const c = await t.factory.campaign({
      batches: [
        {
          recipients: [
            { to: usNumber(1), status: MessageStatus.SENT, sentAt: ago(2 * 60_000) },
            { to: usNumber(2), status: MessageStatus.SENT, sentAt: ago(10_000) },
            { to: gbNumber(1), status: MessageStatus.SENT, sentAt: ago(2 * 60_000) },
            { to: gbNumber(2), status: MessageStatus.SENT, sentAt: ago(3 * HOUR) },
            { to: gbNumber(3), status: MessageStatus.DELIVERED, sentAt: ago(3 * HOUR) },
          ],
        },
      ],
    });

    await t.receiptWindow.sweep();

    expect(await statuses(c.campaignId)).toEqual({
      [usNumber(1)]: MessageStatus.UNCONFIRMED,
      [usNumber(2)]: MessageStatus.SENT,
      [gbNumber(1)]: MessageStatus.SENT,
      [gbNumber(2)]: MessageStatus.UNCONFIRMED,
      [gbNumber(3)]: MessageStatus.DELIVERED,
    });
    const counters = await t.factory.countersAndTruth(c.campaignId);
    expect(counters.counters).toEqual(counters.truth);
    expect(t.events.changed).toContain(c.campaignId);
  });

  it('should give unsent messages the poller its chance first, and leave batches that are not ACCEPTED alone', async () => {
    const ago = (ms: number) => new Date(Date.now() - ms);
    const c = await t.factory.campaign({
      batches: [
        {
          recipients: [
            { to: usNumber(11), status: MessageStatus.SUBMITTED, submittedAt: ago(30 * 60_000) },
            { to: usNumber(12), status: MessageStatus.QUEUED, submittedAt: ago(3 * HOUR) },
          ],
        },
        {
          state: 'AMBIGUOUS',
          recipients: [{ to: usNumber(13), status: MessageStatus.SUBMITTED, submittedAt: ago(3 * HOUR) }],
        },
      ],
    });

    await t.receiptWindow.sweep();

    expect(await statuses(c.campaignId)).toEqual({
      [usNumber(11)]: MessageStatus.SUBMITTED,
      [usNumber(12)]: MessageStatus.UNCONFIRMED,
      [usNumber(13)]: MessageStatus.SUBMITTED,
    });
  });

  it('should complete a campaign whose last waiting messages became UNCONFIRMED', async () => {
    const c = await t.factory.campaign({
      batches: [
        {
          recipients: [
            { to: usNumber(21), status: MessageStatus.SENT, sentAt: new Date(Date.now() - 5 * 60_000) },
            { to: usNumber(22), status: MessageStatus.FAILED },
          ],
        },
      ],
    });

    await t.receiptWindow.sweep();

    expect(await t.prisma.campaign.findUniqueOrThrow({ where: { id: c.campaignId } })).toMatchObject({
      status: 'COMPLETED',
      unconfirmed: 1,
      failed: 1,
      sent: 0,
    });
  });
});
