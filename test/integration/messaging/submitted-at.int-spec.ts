import { randomUUID } from 'node:crypto';
import { MessageStatus } from '../../../src/domain/message-status.enum';
import { DispatchRepository } from '../../../src/persistence/dispatch.repository';
import { Transactor } from '../../../src/persistence/transactor';
import { callbackTime } from '../../../src/sandbox/sandbox-message';
import { gbNumber } from '../../factories/campaign.factory';
import { TEST_DATABASES } from '../../utils/test-databases';
import {
  DeliveryReportTestApp,
  plivoReport,
  sendReport,
  startDeliveryReportTestApp,
} from '../delivery-reports/delivery-report-test-app';

/**
 * A message's submittedAt is when its batch was handed to Plivo (the claim, durable before the
 * request goes out), so it is never later than the sentAt of Plivo's report, however the report and
 * the storing of Plivo's answer to the request interleave (the sandbox reports "sent" within
 * milliseconds, often before the dispatcher has stored the answer).
 */
describe.each(TEST_DATABASES)('Message.submittedAt against a fast "sent" report (%s)', (database) => {
  let t: DeliveryReportTestApp;
  let dispatch: DispatchRepository;
  let transactor: Transactor;

  beforeAll(async () => {
    t = await startDeliveryReportTestApp(database);
    dispatch = t.app.get(DispatchRepository);
    transactor = t.app.get(Transactor);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Plivo's "sent" for one recipient of the batch, received and applied. */
  async function reportSent(batchId: string, to: string, uuid: string, sentTime: Date): Promise<void> {
    const params = {
      ...plivoReport({ uuid, to, status: 'sent', sequence: 2 }),
      SentTime: callbackTime(sentTime.getTime()),
    };
    const response = await sendReport(t, params, { batchId });
    expect(response.status).toBe(200);
    await t.applier.applyAll();
  }

  it('should stamp every message with the claim, never later than its sentAt, whether its report came before or after the answer was stored', async () => {
    const [early, late, skewed] = [gbNumber(101), gbNumber(102), gbNumber(103)];
    const created = await t.factory.campaign({
      batches: [{ state: 'PENDING', recipients: [{ to: early }, { to: late }, { to: skewed }] }],
    });
    const batch = created.batches[0];
    const uuids = batch.messages.map(() => randomUUID());
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

    await dispatch.markSubmitting([batch.id], 'test-instance', 60_000);
    const { submittedAt: claimedAt } = await t.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } });
    await pause();
    // Reported and applied before Plivo's answer is stored: one sent after the claim, one whose
    // provider clock says it was sent before it (a clock behind ours).
    await reportSent(batch.id, early, uuids[0], new Date());
    await reportSent(batch.id, skewed, uuids[2], new Date(claimedAt!.getTime() - 500));
    const lateSentAt = new Date();
    await pause();
    await transactor.run(async (tx) => {
      await tx.dispatch.markAccepted(batch.id, 'api-1', uuids);
      await tx.dispatch.submitWaitingMessages(batch, [], null);
    });
    // Reported after the answer was stored, with the time Plivo sent it (before the answer was stored).
    await reportSent(batch.id, late, uuids[1], lateSentAt);

    const messages = await t.prisma.message.findMany({ where: { batchId: batch.id }, orderBy: { id: 'asc' } });
    expect(messages.map((m) => [m.to, m.status, m.providerMessageId])).toEqual([
      [early, MessageStatus.SENT, uuids[0]],
      [late, MessageStatus.SENT, uuids[1]],
      [skewed, MessageStatus.SENT, uuids[2]],
    ]);
    for (const message of messages) {
      expect(message.submittedAt).not.toBeNull();
      expect(message.sentAt).not.toBeNull();
      expect(message.submittedAt!.getTime()).toBeLessThanOrEqual(message.sentAt!.getTime());
    }
    expect(messages.map((m) => m.submittedAt)).toEqual([claimedAt, claimedAt, messages[2].sentAt]);
  });
});
