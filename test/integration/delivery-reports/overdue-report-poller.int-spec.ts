import { AppConfig } from '../../../src/config/app-config.service';
import { DeliveryReportApplier } from '../../../src/delivery-reports/delivery-report-applier.service';
import { DeliveryReportIntake } from '../../../src/delivery-reports/delivery-report-intake.service';
import { DeliveryReportMetrics } from '../../../src/delivery-reports/delivery-report.metrics';
import { OverdueReportPoller } from '../../../src/delivery-reports/overdue-report-poller.service';
import { MessageStatus } from '../../../src/domain/message-status.enum';
import { AccountSmsGateways } from '../../../src/messaging/account-sms-gateways';
import { ProviderApiBudget } from '../../../src/messaging/provider-api-budget';
import { AccountSettingsRepository } from '../../../src/persistence/account-settings.repository';
import { ReceiptWindowRepository } from '../../../src/persistence/receipt-window.repository';
import { PlivoSandbox } from '../../../src/sandbox/sandbox';
import { SmsGateway } from '../../../src/sms-gateway/sms-gateway';
import { gbNumber } from '../../factories/campaign.factory';
import { startSandbox } from '../../utils/sandbox';
import { TEST_DATABASES } from '../../utils/test-databases';
import { DeliveryReportTestApp, startDeliveryReportTestApp } from './delivery-report-test-app';
import { scaledTimeout } from '../../utils/time-factor';

describe.each(TEST_DATABASES)('OverdueReportPoller (%s)', (database) => {
  let sandbox: PlivoSandbox;
  let t: DeliveryReportTestApp;

  beforeAll(async () => {
    // Every callback is lost: only polling Plivo's records can recover the outcomes.
    sandbox = await startSandbox({
      callbackLossRate: 1,
      outcomeByNumber: {
        [gbNumber(901)]: { status: 'delivered' },
        [gbNumber(902)]: { status: 'undelivered', errorCode: '200' },
        [gbNumber(903)]: { status: 'failed', errorCode: '300' },
      },
    });
    t = await startDeliveryReportTestApp(database, {
      PLIVO_AUTH_ID: sandbox.authId,
      PLIVO_AUTH_TOKEN: sandbox.authToken,
      PLIVO_SENDER_ID: '+14155550100',
      PLIVO_API_URL: sandbox.apiUrl,
      PLIVO_WEBHOOK_SECRET: sandbox.webhookSecret,
      OVERDUE_AFTER_SECONDS: '3600',
      OVERDUE_POLL_INTERVAL_SECONDS: '3600',
    });
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  /** Submits a batch to the sandbox as the dispatcher would, with its callback URL. */
  function submit(batchId: string, recipients: string[], text: string) {
    return t.app.get(SmsGateway).submitBatch({
      batchId,
      src: '+14155550100',
      recipients,
      text,
      callbackUrl: `${t.config.deliveryReportUrl}?batch=${batchId}`,
      messageExpirySeconds: 600,
    });
  }

  it('should recover lost reports through the Message API, learning UUIDs from the batch', async () => {
    const recipients = [gbNumber(901), gbNumber(902), gbNumber(903)];
    const c = await t.factory.campaign({
      batches: [{ state: 'SUBMITTING', recipients: recipients.map((to) => ({ to })) }],
    });
    const batch = c.batches[0];
    const submitted = await submit(batch.id, recipients, 'Hello');
    await sandbox.whenIdle(scaledTimeout(30_000));
    // As the dispatcher records an acceptance (here a day ago, so the batch is overdue); the first
    // message learnt its UUID (e.g. a one-recipient batch), the others did not.
    const first = sandbox.records.messagesFor(recipients[0])[0];
    await t.prisma.batch.update({
      where: { id: batch.id },
      data: {
        state: 'ACCEPTED',
        providerUuids: submitted.messageUuids,
        acceptedAt: new Date(Date.now() - 24 * 3600 * 1000),
      },
    });
    await t.prisma.message.updateMany({
      where: { batchId: batch.id },
      data: { status: 'SUBMITTED', submittedAt: new Date(Date.now() - 24 * 3600 * 1000) },
    });
    await t.prisma.message.update({ where: { id: batch.messages[0].id }, data: { providerMessageId: first.uuid } });

    const recovered = await t.poller.poll();

    expect(recovered).toBe(3);
    const messages = await t.prisma.message.findMany({ where: { batchId: batch.id }, orderBy: { id: 'asc' } });
    expect(messages.map((m) => [m.to, m.status, m.errorCode, m.providerMessageId])).toEqual(
      recipients.map((to, index) => [
        to,
        [MessageStatus.DELIVERED, MessageStatus.UNDELIVERED, MessageStatus.FAILED][index],
        [null, '200', '300'][index],
        sandbox.records.messagesFor(to)[0].uuid,
      ]),
    );
    expect(await t.prisma.suppression.count({ where: { accountId: c.accountId, phone: gbNumber(902) } })).toBe(1);
    expect(await t.prisma.campaign.findUniqueOrThrow({ where: { id: c.campaignId } })).toMatchObject({
      status: 'COMPLETED',
    });
    const reports = await t.prisma.deliveryReport.findMany({ where: { batchId: batch.id } });
    expect(reports.every((r) => (r.payload as Record<string, unknown>).Source === 'poll')).toBe(true);
  });

  it('should look numbers up by time when the submission answer was lost and no UUID is known', async () => {
    const recipients = [gbNumber(911), gbNumber(912), gbNumber(913)];
    // Another campaign texted the first number just before: its record is not ours to take.
    const earlier = await t.factory.campaign({
      batches: [{ state: 'SUBMITTING', recipients: [{ to: recipients[0] }] }],
    });
    const [earlierUuid] = (await submit(earlier.batches[0].id, [recipients[0]], 'Earlier')).messageUuids;
    await t.prisma.message.update({
      where: { id: earlier.batches[0].messages[0].id },
      data: { providerMessageId: earlierUuid, status: 'DELIVERED' },
    });
    const c = await t.factory.campaign({
      batches: [{ state: 'SUBMITTING', recipients: recipients.map((to) => ({ to })) }],
    });
    const batch = c.batches[0];
    const submittedAt = new Date();
    await submit(batch.id, recipients, 'Hello');
    await sandbox.whenIdle(scaledTimeout(30_000));
    // As reconciliation settles a batch whose answer was lost: accepted, no UUIDs, every message
    // SUBMITTED without its id (accepted a day ago here, so that the batch is overdue).
    await t.prisma.batch.update({
      where: { id: batch.id },
      data: { state: 'ACCEPTED', providerUuids: [], submittedAt, acceptedAt: new Date(Date.now() - 24 * 3600 * 1000) },
    });
    await t.prisma.message.updateMany({ where: { batchId: batch.id }, data: { status: 'SUBMITTED', submittedAt } });

    const recovered = await t.poller.poll();

    expect(recovered).toBe(3);
    const messages = await t.prisma.message.findMany({ where: { batchId: batch.id }, orderBy: { id: 'asc' } });
    expect(messages.map((m) => [m.to, m.status, m.providerMessageId])).toEqual(
      recipients.map((to) => {
        const ours = sandbox.records.messagesFor(to).find((record) => record.uuid !== earlierUuid)!;
        return [to, ours.status.toUpperCase(), ours.uuid];
      }),
    );
    expect(await t.prisma.campaign.findUniqueOrThrow({ where: { id: c.campaignId } })).toMatchObject({
      status: 'COMPLETED',
    });
  });

  it('should reach every overdue message in turn, however many the provider cannot settle, across restarts', async () => {
    // Older than ours and waiting too: 250 messages the provider has no record of (or still "sent"),
    // which every pass would look up first if the oldest always went first.
    const day = 24 * 3600 * 1000;
    const unsettled = await t.factory.campaign({
      batches: [
        {
          state: 'ACCEPTED',
          acceptedAt: new Date(Date.now() - 2 * day),
          recipients: Array.from({ length: 250 }, (_, i) => ({
            to: gbNumber(2_000 + i),
            status: MessageStatus.SENT,
            providerMessageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            sentAt: new Date(Date.now() - 2 * day),
            submittedAt: new Date(Date.now() - 2 * day),
          })),
        },
      ],
    });
    const c = await t.factory.campaign({ batches: [{ state: 'SUBMITTING', recipients: [{ to: gbNumber(901) }] }] });
    const batch = c.batches[0];
    const [uuid] = (await submit(batch.id, [gbNumber(901)], 'Hello')).messageUuids;
    await sandbox.whenIdle(scaledTimeout(30_000));
    await t.prisma.batch.update({
      where: { id: batch.id },
      data: { state: 'ACCEPTED', providerUuids: [uuid], acceptedAt: new Date(Date.now() - day) },
    });
    await t.prisma.message.update({
      where: { id: batch.messages[0].id },
      data: {
        status: 'SENT',
        providerMessageId: uuid,
        submittedAt: new Date(Date.now() - day),
        sentAt: new Date(Date.now() - day),
      },
    });

    // Each pass by a new poller, as after a restart: the rotation is in the database, not in memory.
    const passes: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      const poller = new OverdueReportPoller(
        t.app.get(ReceiptWindowRepository),
        t.app.get(AccountSmsGateways),
        t.app.get(AccountSettingsRepository),
        t.app.get(DeliveryReportIntake),
        t.app.get(DeliveryReportApplier),
        t.app.get(AppConfig),
        t.app.get(DeliveryReportMetrics),
        t.app.get(ProviderApiBudget),
      );
      poller.configure({ maxLookupsPerPass: 100 });
      passes.push(await poller.poll());
    }

    // 251 overdue messages, 100 lookups a pass: the third pass reaches ours.
    expect(passes).toEqual([0, 0, 1]);
    expect(await t.prisma.message.findUniqueOrThrow({ where: { id: batch.messages[0].id } })).toMatchObject({
      status: MessageStatus.DELIVERED,
    });
    const polled = await t.prisma.message.count({
      where: { campaignId: unsettled.campaignId, reportPolledAt: { not: null } },
    });
    expect(polled).toBe(250);
    // Not polled again within the re-poll gap (4 intervals, here 4 h).
    expect(await t.poller.poll()).toBe(0);
    await t.prisma.message.updateMany({
      where: { campaignId: unsettled.campaignId },
      data: { status: MessageStatus.UNCONFIRMED },
    });
  });

  it('should keep half of each pass for batches whose messages never learnt their UUID', async () => {
    const day = 24 * 3600 * 1000;
    const backlog = await t.factory.campaign({
      batches: [
        {
          state: 'ACCEPTED',
          acceptedAt: new Date(Date.now() - 2 * day),
          recipients: Array.from({ length: 250 }, (_, i) => ({
            to: gbNumber(3_000 + i),
            status: MessageStatus.SENT,
            providerMessageId: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
            sentAt: new Date(Date.now() - 2 * day),
            submittedAt: new Date(Date.now() - 2 * day),
          })),
        },
      ],
    });
    // Accepted with its UUID, but every callback was lost: the message never learnt it.
    const c = await t.factory.campaign({ batches: [{ state: 'SUBMITTING', recipients: [{ to: gbNumber(901) }] }] });
    const batch = c.batches[0];
    const { messageUuids } = await submit(batch.id, [gbNumber(901)], 'Hello');
    await sandbox.whenIdle(scaledTimeout(30_000));
    await t.prisma.batch.update({
      where: { id: batch.id },
      data: { state: 'ACCEPTED', providerUuids: messageUuids, acceptedAt: new Date(Date.now() - day) },
    });
    await t.prisma.message.update({
      where: { id: batch.messages[0].id },
      data: { status: 'SUBMITTED', submittedAt: new Date(Date.now() - day) },
    });
    t.poller.configure({ maxLookupsPerPass: 100 });

    try {
      expect(await t.poller.poll()).toBe(1);
    } finally {
      t.poller.configure({ maxLookupsPerPass: 200 });
      await t.prisma.message.updateMany({
        where: { campaignId: backlog.campaignId },
        data: { status: MessageStatus.UNCONFIRMED },
      });
    }
    expect(await t.prisma.message.findUniqueOrThrow({ where: { id: batch.messages[0].id } })).toMatchObject({
      status: MessageStatus.DELIVERED,
      providerMessageId: messageUuids[0],
    });
    // The rest of the pass went to the backlog, oldest first.
    expect(
      await t.prisma.message.count({ where: { campaignId: backlog.campaignId, reportPolledAt: { not: null } } }),
    ).toBe(99);
  });

  it('should not look anything up again when the messages are final', async () => {
    expect(await t.poller.poll()).toBe(0);
  });
});
