// Issue 11, item 10: a signed report cannot rewrite history or money. Negative or absurd amounts are
// refused at intake (400, counted, nothing stored); a message that reached a final status keeps it,
// its error code and its cost, whatever later report arrives (higher Sequence or not).
import { randomUUID } from 'node:crypto';
import { MetricsService } from '../../src/common/metrics/metrics.service';
import { AppConfig } from '../../src/config/app-config.service';
import { MessageStatus } from '../../src/domain/message-status.enum';
import { PrismaService } from '../../src/persistence/prisma.service';
import { CampaignFactory, gbNumber } from '../factories/campaign.factory';
import { plivoReport, sendReport, TEST_WEBHOOK_SECRET } from '../integration/delivery-reports/delivery-report-test-app';
import { waitFor } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';

describe('Delivery report integrity', () => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let factory: CampaignFactory;
  let target: { baseUrl: string; config: AppConfig };

  beforeAll(async () => {
    testApp = await startTestApp('postgres', { PLIVO_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET });
    prisma = testApp.app.get(PrismaService);
    factory = new CampaignFactory(prisma);
    target = { baseUrl: testApp.baseUrl, config: testApp.app.get(AppConfig) };
  });

  afterAll(async () => {
    await testApp?.close();
  });

  let nextNumber = 500;
  async function oneMessageCampaign() {
    const to = gbNumber(nextNumber++);
    const created = await factory.campaign({ batches: [{ state: 'ACCEPTED', recipients: [{ to }] }] });
    return { ...created, batchId: created.batches[0].id, messageId: created.batches[0].messages[0].id, to };
  }

  async function rejectedForAmount(): Promise<number> {
    const metric = await testApp.app
      .get(MetricsService)
      .registry.getSingleMetric('bulk_sms_delivery_report_rejected_total')
      ?.get();
    return metric?.values.find((v) => v.labels.reason === 'bad_amount')?.value ?? 0;
  }

  /** Sends a report and waits until the applier has processed it. */
  async function deliver(c: { batchId: string }, params: Record<string, string>): Promise<void> {
    const response = await sendReport(target, params, { batchId: c.batchId });
    expect(response.status).toBe(200);
    await waitFor('the report applied', async () => {
      const unapplied = await prisma.deliveryReport.count({
        where: { messageUuid: params.MessageUUID, appliedAt: null },
      });
      return unapplied === 0;
    });
  }

  it.each<[string, Partial<Record<string, string>>, RegExp]>([
    ['a negative TotalAmount', { TotalAmount: '-5' }, /TotalAmount/],
    ['an absurd TotalAmount', { TotalAmount: '250000' }, /TotalAmount/],
    ['a negative TotalRate', { TotalRate: '-0.0045' }, /TotalRate/],
    ['an absurd TotalRate', { TotalRate: '99999.5' }, /TotalRate/],
  ])('should refuse %s with 400, count it, and store nothing', async (_case, override, field) => {
    const c = await oneMessageCampaign();
    const uuid = randomUUID();
    const before = await rejectedForAmount();
    const params = { ...plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 }), ...override } as Record<
      string,
      string
    >;

    const response = await sendReport(target, params, { batchId: c.batchId });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('BAD_USER_INPUT');
    expect(body.message).toMatch(field);
    expect(await rejectedForAmount()).toBe(before + 1);
    expect(await prisma.deliveryReport.count({ where: { messageUuid: uuid } })).toBe(0);
    const { actualCost, truth } = await factory.countersAndTruth(c.campaignId);
    expect(actualCost).toBe('0.00000');
    expect(truth.submitted).toBe(1);
  });

  it('should store a report whose fields hold a NUL byte, and not fail the reports written with it', async () => {
    const [odd, plain] = [await oneMessageCampaign(), await oneMessageCampaign()];
    const [oddUuid, plainUuid] = [randomUUID(), randomUUID()];
    const oddParams = {
      ...plivoReport({ uuid: oddUuid, to: odd.to, status: 'delivered', sequence: 3 }),
      PartInfo: '1 of 1\u0000',
      'Extra\u0000Field': 'x',
    } as Record<string, string>;
    const plainParams = plivoReport({ uuid: plainUuid, to: plain.to, status: 'delivered', sequence: 3 });

    // Sent together, so that both go into one group-commit statement.
    const [oddResponse, plainResponse] = await Promise.all([
      sendReport(target, oddParams, { batchId: odd.batchId }),
      sendReport(target, plainParams, { batchId: plain.batchId }),
    ]);

    expect([oddResponse.status, plainResponse.status]).toEqual([200, 200]);
    const stored = await prisma.deliveryReport.findFirstOrThrow({ where: { messageUuid: oddUuid } });
    expect(stored.payload).toMatchObject({ PartInfo: '1 of 1\uFFFD', 'Extra\uFFFDField': 'x' });
    await waitFor('both messages delivered', async () => {
      const delivered = await prisma.message.count({
        where: { id: { in: [odd.messageId, plain.messageId] }, status: MessageStatus.DELIVERED },
      });
      return delivered === 2;
    });
  });

  it('should keep a DELIVERED message delivered when a later final report has a higher Sequence', async () => {
    const c = await oneMessageCampaign();
    const uuid = randomUUID();
    await deliver(c, plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 }));

    await deliver(
      c,
      plivoReport({ uuid, to: c.to, status: 'undelivered', sequence: 9, errorCode: '80', amount: '0.09000' }),
    );

    const message = await prisma.message.findUniqueOrThrow({ where: { id: c.messageId } });
    expect(message).toMatchObject({ status: MessageStatus.DELIVERED, errorCode: null, reportSequence: 3 });
    expect(message.amount?.toFixed(5)).toBe('0.00450');
    const counters = await factory.countersAndTruth(c.campaignId);
    expect(counters.counters).toEqual(counters.truth);
    expect(counters.truth.delivered).toBe(1);
    expect(counters.actualCost).toBe('0.00450');
  });

  it('should keep an UNDELIVERED message as it is when a delivered report with a higher Sequence follows', async () => {
    const c = await oneMessageCampaign();
    const uuid = randomUUID();
    await deliver(c, plivoReport({ uuid, to: c.to, status: 'undelivered', sequence: 4, errorCode: '30' }));

    await deliver(c, plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 5, amount: '1.00000' }));

    const message = await prisma.message.findUniqueOrThrow({ where: { id: c.messageId } });
    expect(message).toMatchObject({ status: MessageStatus.UNDELIVERED, errorCode: '30', reportSequence: 4 });
    expect((await factory.countersAndTruth(c.campaignId)).actualCost).toBe('0.00450');
  });

  it('should still let a final report move a message on from SENT and from UNCONFIRMED', async () => {
    const c = await oneMessageCampaign();
    const uuid = randomUUID();
    await deliver(c, plivoReport({ uuid, to: c.to, status: 'sent', sequence: 2 }));
    await prisma.message.update({ where: { id: c.messageId }, data: { status: MessageStatus.UNCONFIRMED } });

    await deliver(c, plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 }));

    expect(await prisma.message.findUniqueOrThrow({ where: { id: c.messageId } })).toMatchObject({
      status: MessageStatus.DELIVERED,
      reportSequence: 3,
    });
  });
});
