import { randomUUID } from 'node:crypto';
import { DeliveryReportApplier } from '../../../src/delivery-reports/delivery-report-applier.service';
import { SubmissionErrorCode } from '../../../src/domain/message-error-code';
import { MessageStatus } from '../../../src/domain/message-status.enum';
import { CostReportRepository } from '../../../src/persistence/cost-report.repository';
import { DispatchRepository } from '../../../src/persistence/dispatch.repository';
import { gbNumber, usNumber } from '../../factories/campaign.factory';
import { TEST_DATABASES } from '../../utils/test-databases';
import {
  DeliveryReportTestApp,
  nextNonce,
  plivoReport,
  sendReport,
  startDeliveryReportTestApp,
} from './delivery-report-test-app';
import { scaledTimeout } from '../../utils/time-factor';

describe.each(TEST_DATABASES)('Delivery report ingestion (%s)', (database) => {
  let t: DeliveryReportTestApp;

  beforeAll(async () => {
    t = await startDeliveryReportTestApp(database);
  });

  afterAll(async () => {
    await t?.close();
  });

  async function message(id: bigint) {
    return t.prisma.message.findUniqueOrThrow({ where: { id } });
  }

  async function reportRows(uuid: string) {
    return t.prisma.deliveryReport.findMany({ where: { messageUuid: uuid }, orderBy: { id: 'asc' } });
  }

  async function oneMessageCampaign(to = gbNumber(1), state: 'ACCEPTED' | 'SUBMITTING' = 'ACCEPTED') {
    const created = await t.factory.campaign({ batches: [{ state, recipients: [{ to }] }] });
    const batch = created.batches[0];
    return { ...created, batchId: batch.id, messageId: batch.messages[0].id, to };
  }

  describe('signature', () => {
    it('should store and apply a validly signed form POST, matching the message by batch and To', async () => {
      const c = await oneMessageCampaign();
      const uuid = randomUUID();

      const response = await sendReport(t, plivoReport({ uuid, to: c.to, status: 'sent', sequence: 2 }), {
        batchId: c.batchId,
      });
      await t.applier.applyAll();

      expect(response.status).toBe(200);
      expect(await reportRows(uuid)).toHaveLength(1);
      expect(await message(c.messageId)).toMatchObject({
        status: MessageStatus.SENT,
        providerMessageId: uuid,
        reportSequence: 2,
        units: 1,
      });
      expect((await message(c.messageId)).amount?.toFixed(5)).toBe('0.00450');
      expect(t.events.changed).toContain(c.campaignId);
    });

    it.each([
      { name: 'a forged signature', options: { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' } },
      { name: 'no signature', options: { signature: null } },
      { name: 'a signature with another secret', options: { secret: 'not-the-webhook-secret' } },
      { name: 'no nonce', options: { extraHeaders: { 'X-Plivo-Signature-V3-Nonce': '' } } },
    ])('should answer 403 and write nothing for $name', async ({ options }) => {
      const c = await oneMessageCampaign();
      const uuid = randomUUID();

      const response = await sendReport(t, plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 }), {
        batchId: c.batchId,
        ...options,
      });
      await t.applier.applyAll();

      expect(response.status).toBe(403);
      expect(await reportRows(uuid)).toHaveLength(0);
      expect((await message(c.messageId)).status).toBe(MessageStatus.SUBMITTED);
    });

    it('should answer 403 when the body was tampered with after signing', async () => {
      const c = await oneMessageCampaign();
      const uuid = randomUUID();
      const nonce = nextNonce();
      const signed = plivoReport({ uuid, to: c.to, status: 'undelivered', sequence: 3, errorCode: '80' });
      const { signPlivoV3 } = await import('../../../src/common/plivo-signature/plivo-v3-signature');
      const signature = signPlivoV3(
        'POST',
        `${t.config.deliveryReportUrl}?batch=${c.batchId}`,
        nonce,
        'dr-test-webhook-secret-0001',
        signed,
      );

      const response = await sendReport(
        t,
        { ...signed, Status: 'delivered' },
        { batchId: c.batchId, nonce, signature },
      );

      expect(response.status).toBe(403);
      expect(await reportRows(uuid)).toHaveLength(0);
    });

    it('should answer 403 when the batch id in the URL was changed after signing', async () => {
      const c = await oneMessageCampaign();
      const other = await oneMessageCampaign();
      const uuid = randomUUID();
      const nonce = nextNonce();
      const params = plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 });
      const { signPlivoV3 } = await import('../../../src/common/plivo-signature/plivo-v3-signature');
      const signature = signPlivoV3(
        'POST',
        `${t.config.deliveryReportUrl}?batch=${c.batchId}`,
        nonce,
        'dr-test-webhook-secret-0001',
        params,
      );

      const response = await sendReport(t, params, { batchId: other.batchId, nonce, signature });

      expect(response.status).toBe(403);
    });

    it('should accept the Ma-V3 header, a GET callback and a JSON body', async () => {
      const c = await t.factory.campaign({
        batches: [{ recipients: [{ to: gbNumber(11) }, { to: gbNumber(12) }, { to: gbNumber(13) }] }],
      });
      const [a, b, d] = c.batches[0].messages;
      const uuids = [randomUUID(), randomUUID(), randomUUID()];

      const responses = await Promise.all([
        sendReport(t, plivoReport({ uuid: uuids[0], to: a.to, status: 'delivered', sequence: 3 }), {
          batchId: c.batches[0].id,
          header: 'x-plivo-signature-ma-v3',
        }),
        sendReport(t, plivoReport({ uuid: uuids[1], to: b.to, status: 'delivered', sequence: 3 }), {
          batchId: c.batches[0].id,
          method: 'GET',
        }),
        sendReport(t, plivoReport({ uuid: uuids[2], to: d.to, status: 'delivered', sequence: 3 }), {
          batchId: c.batches[0].id,
          json: true,
        }),
      ]);
      await t.applier.applyAll();

      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      for (const [index, m] of [a, b, d].entries()) {
        expect(await message(m.id)).toMatchObject({ status: MessageStatus.DELIVERED, providerMessageId: uuids[index] });
      }
    });

    it('should refuse a body over WEBHOOK_BODY_LIMIT with 413 and store nothing', async () => {
      const c = await oneMessageCampaign();
      const uuid = randomUUID();
      const params = {
        ...plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 }),
        Padding: 'x'.repeat(70 * 1024),
      };

      const response = await sendReport(t, params, { batchId: c.batchId });

      expect(response.status).toBe(413);
      expect(await reportRows(uuid)).toHaveLength(0);
    });

    it('should answer 400 for a signed callback without MessageUUID', async () => {
      const c = await oneMessageCampaign();
      const { MessageUUID: _omitted, ...params } = plivoReport({ uuid: 'x', to: c.to, status: 'sent', sequence: 2 });

      const response = await sendReport(t, params, { batchId: c.batchId });

      expect(response.status).toBe(400);
    });
  });

  describe('idempotency and order', () => {
    it('should treat a replayed nonce as a replay: 200 without effect', async () => {
      const c = await oneMessageCampaign();
      const uuid = randomUUID();
      const nonce = nextNonce();
      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'sent', sequence: 2 }), { batchId: c.batchId, nonce });

      // Same nonce, another (validly signed) body: a captured header must not authorise anything new.
      const replay = await sendReport(t, plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 }), {
        batchId: c.batchId,
        nonce,
      });
      await t.applier.applyAll();

      expect(replay.status).toBe(200);
      expect((await reportRows(uuid)).map((r) => r.status)).toEqual(['sent']);
      expect((await message(c.messageId)).status).toBe(MessageStatus.SENT);
    });

    it('should store a duplicate report once (Plivo retry with a new nonce) and answer 200 both times', async () => {
      const c = await oneMessageCampaign();
      const uuid = randomUUID();
      const params = plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 });

      const first = await sendReport(t, params, { batchId: c.batchId });
      const again = await Promise.all([
        sendReport(t, params, { batchId: c.batchId }),
        sendReport(t, params, { batchId: c.batchId }),
      ]);
      await t.applier.applyAll();

      expect([first.status, ...again.map((r) => r.status)]).toEqual([200, 200, 200]);
      expect(await reportRows(uuid)).toHaveLength(1);
      const counters = await t.factory.countersAndTruth(c.campaignId);
      expect(counters.counters).toEqual(counters.truth);
      expect(counters.truth.delivered).toBe(1);
      expect(counters.actualCost).toBe('0.00450');
    });

    it('should keep a message delivered when sent and queued arrive after delivered', async () => {
      const c = await oneMessageCampaign();
      const uuid = randomUUID();

      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 }), { batchId: c.batchId });
      await t.applier.applyAll();
      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'sent', sequence: 2 }), { batchId: c.batchId });
      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'queued', sequence: 1 }), { batchId: c.batchId });
      await t.applier.applyAll();

      const m = await message(c.messageId);
      expect(m).toMatchObject({ status: MessageStatus.DELIVERED, reportSequence: 3, providerMessageId: uuid });
      expect(m.deliveredAt?.toISOString()).toBe('2026-11-27T10:00:05.000Z');
      expect(m.sentAt?.toISOString()).toBe('2026-11-27T10:00:01.000Z');
      expect(await t.prisma.deliveryReport.count({ where: { messageUuid: uuid, appliedAt: null } })).toBe(0);
      const counters = await t.factory.countersAndTruth(c.campaignId);
      expect(counters.counters).toEqual(counters.truth);
      expect(counters.actualCost).toBe('0.00450');
    });

    it('should pick the winning report when several for one message are applied in one batch', async () => {
      const c = await oneMessageCampaign();
      const uuid = randomUUID();
      const applier = t.app.get(DeliveryReportApplier);
      await applier.stop();
      try {
        for (const [status, sequence] of [
          ['delivered', 3],
          ['queued', 1],
          ['sent', 2],
        ] as const) {
          await sendReport(t, plivoReport({ uuid, to: c.to, status, sequence }), { batchId: c.batchId });
        }
        await applier.applyAll();
      } finally {
        applier.start();
      }

      expect(await message(c.messageId)).toMatchObject({ status: MessageStatus.DELIVERED, reportSequence: 3 });
    });

    it('should decide equal ranks by Sequence', async () => {
      const c = await oneMessageCampaign();
      const uuid = randomUUID();

      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'undelivered', sequence: 4, errorCode: '80' }), {
        batchId: c.batchId,
      });
      await t.applier.applyAll();
      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 }), { batchId: c.batchId });
      await t.applier.applyAll();

      expect(await message(c.messageId)).toMatchObject({
        status: MessageStatus.UNDELIVERED,
        errorCode: '80',
        reportSequence: 4,
      });
    });

    it('should match later reports by the provider UUID once it is known', async () => {
      const c = await oneMessageCampaign();
      const uuid = randomUUID();
      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'sent', sequence: 2 }), { batchId: c.batchId });
      await t.applier.applyAll();

      // No batch in the URL this time: the UUID alone identifies the message.
      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'delivered', sequence: 3 }));
      await t.applier.applyAll();

      expect((await message(c.messageId)).status).toBe(MessageStatus.DELIVERED);
    });
  });

  describe('times', () => {
    it('should keep a message handed over no later than it was sent, whatever the provider clock says', async () => {
      // Submitted now; the report's SentTime (2026-11-27 10:00:01) is days behind our clock.
      const c = await oneMessageCampaign(gbNumber(23));
      const early = await oneMessageCampaign(gbNumber(24), 'SUBMITTING');
      const uuid = randomUUID();
      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'sent', sequence: 2 }), { batchId: c.batchId });
      await sendReport(t, plivoReport({ uuid: randomUUID(), to: early.to, status: 'sent', sequence: 2 }), {
        batchId: early.batchId,
      });
      await t.applier.applyAll();

      const sent = new Date('2026-11-27T10:00:01Z');
      expect(await message(c.messageId)).toMatchObject({ status: MessageStatus.SENT, sentAt: sent, submittedAt: sent });
      // A report before the submission was recorded leaves the message unstamped (handedOverAt stamps it).
      expect(await message(early.messageId)).toMatchObject({
        status: MessageStatus.SENT,
        sentAt: sent,
        submittedAt: null,
      });
    });
  });

  describe('early reports', () => {
    it('should apply a report that arrives while the message is still PENDING (submission not yet recorded)', async () => {
      const c = await oneMessageCampaign(gbNumber(21), 'SUBMITTING');
      const uuid = randomUUID();

      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'queued', sequence: 1 }), { batchId: c.batchId });
      await t.applier.applyAll();

      expect(await message(c.messageId)).toMatchObject({ status: MessageStatus.QUEUED, providerMessageId: uuid });
      const counters = await t.factory.countersAndTruth(c.campaignId);
      expect(counters.counters).toEqual(counters.truth);
    });

    it('should keep a report whose message is unknown unapplied and apply it once the message exists', async () => {
      const uuid = randomUUID();
      const batchId = randomUUID();
      const to = usNumber(31);
      await sendReport(t, plivoReport({ uuid, to, status: 'sent', sequence: 2 }), { batchId });
      const first = await t.applier.applyAll();
      expect(first.unmatched).toBeGreaterThanOrEqual(0);
      expect(await t.prisma.deliveryReport.count({ where: { messageUuid: uuid, appliedAt: null } })).toBe(1);

      // The batch and its message commit only now (the report outran them).
      const created = await t.factory.campaign({ batches: [{ recipients: [{ to }] }] });
      await t.prisma.$executeRawUnsafe(
        `UPDATE "Batch" SET id = $1::uuid WHERE id = $2::uuid`,
        batchId,
        created.batches[0].id,
      );
      await t.prisma.$executeRawUnsafe(
        `UPDATE "Message" SET "batchId" = $1::uuid WHERE "batchId" = $2::uuid`,
        batchId,
        created.batches[0].id,
      );
      const deadline = Date.now() + scaledTimeout(10_000);
      let status: string = MessageStatus.SUBMITTED;
      while (status !== (MessageStatus.SENT as string) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await t.applier.applyAll();
        status = (await message(created.batches[0].messages[0].id)).status;
      }

      expect(status).toBe(MessageStatus.SENT);
      expect(await t.prisma.deliveryReport.count({ where: { messageUuid: uuid, appliedAt: null } })).toBe(0);
    });
  });

  describe('opt-out', () => {
    it('should add the number to the account suppression list on error 200', async () => {
      const c = await oneMessageCampaign(gbNumber(41));
      const uuid = randomUUID();

      await sendReport(t, plivoReport({ uuid, to: c.to, status: 'undelivered', sequence: 3, errorCode: '200' }), {
        batchId: c.batchId,
      });
      await t.applier.applyAll();

      expect(await t.prisma.suppression.findMany({ where: { accountId: c.accountId } })).toEqual([
        expect.objectContaining({
          phone: c.to,
          reason: expect.stringContaining('200'),
          source: 'CARRIER_OPT_OUT',
          campaignId: c.campaignId,
        }),
      ]);
      // The consent evidence: the report's message UUID and the campaign (docs/consent.md).
      expect(await t.prisma.consentRecord.findMany({ where: { accountId: c.accountId } })).toEqual([
        expect.objectContaining({
          phone: c.to,
          action: 'OPT_OUT',
          source: 'CARRIER_OPT_OUT',
          campaignId: c.campaignId,
          messageUuid: uuid,
        }),
      ]);
      expect(await message(c.messageId)).toMatchObject({ status: MessageStatus.UNDELIVERED, errorCode: '200' });
    });

    it('should not suppress for other error codes', async () => {
      const c = await oneMessageCampaign(gbNumber(42));

      await sendReport(
        t,
        plivoReport({ uuid: randomUUID(), to: c.to, status: 'undelivered', sequence: 3, errorCode: '80' }),
        {
          batchId: c.batchId,
        },
      );
      await t.applier.applyAll();

      expect(await t.prisma.suppression.count({ where: { accountId: c.accountId } })).toBe(0);
    });
  });

  describe('messages the service failed itself', () => {
    it("should cost them 0 (reported), and a revived one what the provider's report says, or nothing", async () => {
      const c = await t.factory.campaign({
        batches: [
          { state: 'SUBMITTING', recipients: [{ to: gbNumber(71) }, { to: gbNumber(72) }, { to: gbNumber(73) }] },
        ],
      });
      const batch = c.batches[0];
      const [revived, revivedWithoutAmount] = batch.messages;
      const costs = t.app.get(CostReportRepository);
      const amounts = async () =>
        (await t.prisma.message.findMany({ where: { batchId: batch.id }, orderBy: { id: 'asc' } })).map((m) => [
          m.status,
          m.errorCode,
          m.amount?.toFixed(5) ?? null,
        ]);

      await t.app.get(DispatchRepository).failWaitingMessages({ id: batch.id }, SubmissionErrorCode.REFUSED);

      expect(await amounts()).toEqual(Array(3).fill([MessageStatus.FAILED, 'submission_refused', '0.00000']));
      expect((await costs.findCampaignCosts(c.campaignId)).actual).toEqual([
        expect.objectContaining({ country: 'GB', messages: 3, reportedMessages: 3 }),
      ]);

      // Plivo had the batch after all: its reports take over, with their own amounts.
      await sendReport(t, plivoReport({ uuid: randomUUID(), to: revived.to, status: 'delivered', sequence: 3 }), {
        batchId: batch.id,
      });
      const { TotalAmount: _amount, ...withoutAmount } = plivoReport({
        uuid: randomUUID(),
        to: revivedWithoutAmount.to,
        status: 'delivered',
        sequence: 3,
      });
      await sendReport(t, withoutAmount, { batchId: batch.id });
      await t.applier.applyAll();

      expect(await amounts()).toEqual([
        [MessageStatus.DELIVERED, null, '0.00450'],
        [MessageStatus.DELIVERED, null, null],
        [MessageStatus.FAILED, 'submission_refused', '0.00000'],
      ]);
      expect((await costs.findCampaignCosts(c.campaignId)).actual).toEqual([
        expect.objectContaining({ country: 'GB', messages: 3, reportedMessages: 2 }),
      ]);
      const counters = await t.factory.countersAndTruth(c.campaignId);
      expect(counters.counters).toEqual(counters.truth);
      expect([counters.actualCost, counters.sumAmount]).toEqual(['0.00450', '0.00450']);
    });

    it("should cost 0 the numbers Plivo called invalid at acceptance (reported), and a revived one what the provider's report says", async () => {
      const c = await t.factory.campaign({
        batches: [
          { state: 'SUBMITTING', recipients: [{ to: gbNumber(81) }, { to: gbNumber(82) }, { to: gbNumber(83) }] },
        ],
      });
      const batch = c.batches[0];
      const [invalid, revived] = batch.messages;
      const amounts = async () =>
        (await t.prisma.message.findMany({ where: { batchId: batch.id }, orderBy: { id: 'asc' } })).map((m) => [
          m.status,
          m.errorCode,
          m.amount?.toFixed(5) ?? null,
        ]);

      // Plivo's answer lists two numbers in invalid_number (digits, without the +).
      await t.app
        .get(DispatchRepository)
        .submitWaitingMessages({ id: batch.id }, [invalid.to.slice(1), revived.to.slice(1)], null);

      expect(await amounts()).toEqual([
        [MessageStatus.REJECTED, 'invalid_number', '0.00000'],
        [MessageStatus.REJECTED, 'invalid_number', '0.00000'],
        [MessageStatus.SUBMITTED, null, null],
      ]);
      expect((await t.app.get(CostReportRepository).findCampaignCosts(c.campaignId)).actual).toEqual([
        expect.objectContaining({ country: 'GB', messages: 3, reportedMessages: 2 }),
      ]);

      await sendReport(t, plivoReport({ uuid: randomUUID(), to: revived.to, status: 'delivered', sequence: 3 }), {
        batchId: batch.id,
      });
      await t.applier.applyAll();

      expect((await amounts())[1]).toEqual([MessageStatus.DELIVERED, null, '0.00450']);
      const counters = await t.factory.countersAndTruth(c.campaignId);
      expect(counters.counters).toEqual(counters.truth);
      expect([counters.actualCost, counters.sumAmount]).toEqual(['0.00450', '0.00450']);
    });
  });

  describe('completion and unknown statuses', () => {
    it('should complete the campaign when its last message gets a final report', async () => {
      const c = await t.factory.campaign({ batches: [{ recipients: [{ to: gbNumber(51) }, { to: gbNumber(52) }] }] });
      const [a, b] = c.batches[0].messages;

      await sendReport(t, plivoReport({ uuid: randomUUID(), to: a.to, status: 'delivered', sequence: 3 }), {
        batchId: c.batches[0].id,
      });
      await t.applier.applyAll();
      const midway = await t.prisma.campaign.findUniqueOrThrow({ where: { id: c.campaignId } });
      await sendReport(
        t,
        plivoReport({ uuid: randomUUID(), to: b.to, status: 'failed', sequence: 2, errorCode: '300' }),
        {
          batchId: c.batches[0].id,
        },
      );
      await t.applier.applyAll();

      expect(midway.status).toBe('SENDING');
      expect(await t.prisma.campaign.findUniqueOrThrow({ where: { id: c.campaignId } })).toMatchObject({
        status: 'COMPLETED',
        delivered: 1,
        failed: 1,
      });
    });

    it('should mark a report with an unknown status applied without touching the message', async () => {
      const c = await oneMessageCampaign(gbNumber(61));
      const uuid = randomUUID();

      const response = await sendReport(t, plivoReport({ uuid, to: c.to, status: 'read', sequence: 4 }), {
        batchId: c.batchId,
      });
      await t.applier.applyAll();

      expect(response.status).toBe(200);
      expect((await reportRows(uuid))[0].appliedAt).not.toBeNull();
      expect((await message(c.messageId)).status).toBe(MessageStatus.SUBMITTED);
    });
  });

  it('should count refused requests in /metrics-style counters', async () => {
    const before = await t.metrics.registry.getSingleMetricAsString('bulk_sms_delivery_report_rejected_total');
    const c = await oneMessageCampaign();
    await sendReport(t, plivoReport({ uuid: randomUUID(), to: c.to, status: 'sent', sequence: 2 }), {
      signature: 'nope',
    });

    const after = await t.metrics.registry.getSingleMetricAsString('bulk_sms_delivery_report_rejected_total');
    const count = (text: string) => Number(/reason="bad_signature"} (\d+)/.exec(text)?.[1] ?? 0);
    expect(count(after)).toBe(count(before) + 1);
  });
});
