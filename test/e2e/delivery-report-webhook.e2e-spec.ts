import { randomUUID } from 'node:crypto';
import { MessageStatus } from '../../src/domain/message-status.enum';
import { gbNumber } from '../factories/campaign.factory';
import {
  DeliveryReportTestApp,
  plivoReport,
  sendReport,
  startDeliveryReportTestApp,
} from '../integration/delivery-reports/delivery-report-test-app';
import { TEST_DATABASES } from '../utils/test-databases';

// Enough for every interleaving to happen at 64 connections (each message's 2-3 reports and their
// retries are spread over the whole storm); throughput is the bench's (bench/delivery-reports.ts).
const MESSAGES = 800;
const REPORTS = 2000;
const BATCH_SIZE = 200;
const CONCURRENCY = 64;

interface Planned {
  params: Record<string, string>;
  batchId?: string;
}

/** Deterministic shuffle (LCG), so a failure reproduces. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed;
  for (let i = items.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

describe.each(TEST_DATABASES)('Delivery report webhook - POST /api/webhooks/plivo/delivery-report (%s)', (database) => {
  let t: DeliveryReportTestApp;

  beforeAll(async () => {
    t = await startDeliveryReportTestApp(database);
  });

  afterAll(async () => {
    await t?.close();
  });

  it(`should absorb a storm of ${REPORTS} signed, duplicated and reordered reports with counters equal to a GROUP BY`, async () => {
    const c = await t.factory.campaign({
      batches: Array.from({ length: MESSAGES / BATCH_SIZE }, (_, b) => ({
        recipients: Array.from({ length: BATCH_SIZE }, (_, i) => {
          const index = b * BATCH_SIZE + i;
          // A quarter already know their UUID (their reports carry no batch id).
          return { to: gbNumber(index), providerMessageId: index % 4 === 0 ? `known-${c0}-${index}` : null };
        }),
      })),
    });
    const expected = new Map<bigint, { status: MessageStatus; amount: string; errorCode: string | null }>();
    const plan: Planned[] = [];
    let index = 0;
    for (const batch of c.batches) {
      for (const m of batch.messages) {
        const uuid = m.providerMessageId ?? randomUUID();
        const batchId = m.providerMessageId ? undefined : batch.id;
        const kind = index % 20;
        if (kind === 0) {
          plan.push({ params: plivoReport({ uuid, to: m.to, status: 'queued', sequence: 1 }), batchId });
          plan.push({
            params: plivoReport({ uuid, to: m.to, status: 'failed', sequence: 2, errorCode: '300' }),
            batchId,
          });
          expected.set(m.id, { status: MessageStatus.FAILED, amount: '0.00000', errorCode: '300' });
        } else {
          const final = kind === 1 ? 'undelivered' : 'delivered';
          plan.push({ params: plivoReport({ uuid, to: m.to, status: 'sent', sequence: 2 }), batchId });
          plan.push({
            params: plivoReport({ uuid, to: m.to, status: final, sequence: 3, ...(kind === 1 && { errorCode: '80' }) }),
            batchId,
          });
          if (index < MESSAGES / 4) {
            plan.push({ params: plivoReport({ uuid, to: m.to, status: 'queued', sequence: 1 }), batchId });
          }
          expected.set(m.id, {
            status: kind === 1 ? MessageStatus.UNDELIVERED : MessageStatus.DELIVERED,
            amount: '0.00450',
            errorCode: kind === 1 ? '80' : null,
          });
        }
        index++;
      }
    }
    const distinct = plan.length;
    // Plivo's retries: the same report again with a fresh nonce.
    for (let i = 0; plan.length < REPORTS; i += 7) {
      plan.push(plan[i % distinct]);
    }
    shuffle(plan, 42);

    // The final answer to each report; a 503 (the intake sheds load) is sent again, as Plivo does.
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < plan.length) {
          const { params, batchId } = plan[next++];
          let response = await sendReport(t, params, { batchId });
          while (response.status === 503) {
            await response.arrayBuffer();
            response = await sendReport(t, params, { batchId });
          }
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      }),
    );
    await t.applier.applyAll();

    expect(Object.fromEntries(statuses)).toEqual({ 200: REPORTS });
    const { counters, truth, actualCost, sumAmount } = await t.factory.countersAndTruth(c.campaignId);
    expect(counters).toEqual(truth);
    expect(actualCost).toBe(sumAmount);
    const deliveredOrUndelivered = [...expected.values()].filter((e) => e.amount !== '0.00000').length;
    expect(actualCost).toBe((deliveredOrUndelivered * 0.0045).toFixed(5));
    expect(truth).toMatchObject({
      delivered: [...expected.values()].filter((e) => e.status === MessageStatus.DELIVERED).length,
      undelivered: MESSAGES / 20,
      failed: MESSAGES / 20,
      submitted: 0,
      sent: 0,
      queued: 0,
    });
    const messages = await t.prisma.message.findMany({ where: { campaignId: c.campaignId } });
    const wrong = messages.filter((m) => {
      const e = expected.get(m.id)!;
      return (
        m.status !== (e.status as string) ||
        m.amount?.toFixed(5) !== e.amount ||
        m.errorCode !== e.errorCode ||
        !m.providerMessageId
      );
    });
    expect(wrong).toEqual([]);
    expect(
      await t.prisma.deliveryReport.count({ where: { batchId: { in: c.batches.map((b) => b.id) }, appliedAt: null } }),
    ).toBe(0);
    expect(await t.prisma.campaign.findUniqueOrThrow({ where: { id: c.campaignId } })).toMatchObject({
      status: 'COMPLETED',
    });
  });
});

// Distinguishes this run's "known" UUIDs from earlier runs' on a kept database.
const c0 = randomUUID().slice(0, 8);
