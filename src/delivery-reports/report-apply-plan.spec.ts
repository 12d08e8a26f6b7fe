import { MessageStatus } from '../domain/message-status.enum';
import type { ClaimedReport } from '../persistence/delivery-report.repository';
import { planReportApply } from './report-apply-plan';

const NOW = new Date('2026-11-27T12:00:00Z');
const DAY = 24 * 3600 * 1000;
let nextId = 1;

function claimed(overrides: Partial<ClaimedReport>): ClaimedReport {
  return {
    id: String(nextId++),
    messageUuid: 'uuid-1',
    batchId: 'batch-1',
    to: '+447700900001',
    status: 'sent',
    sequence: 2,
    errorCode: null,
    units: 1,
    totalAmount: '0.00450',
    sentTime: '2026-11-27 10:00:01.123456',
    deliveryReportTime: null,
    receivedAt: new Date(NOW.getTime() - 1000),
    ...overrides,
  };
}

describe(planReportApply.name, () => {
  it('should keep one update per message: the highest rank, then the highest Sequence', () => {
    const plan = planReportApply(
      [
        claimed({ status: 'delivered', sequence: 3, deliveryReportTime: '2026-11-27 10:00:05.000000' }),
        claimed({ status: 'queued', sequence: 1 }),
        claimed({ status: 'sent', sequence: 2 }),
        claimed({ messageUuid: 'uuid-2', status: 'undelivered', sequence: 4, errorCode: '80' }),
        claimed({ messageUuid: 'uuid-2', status: 'delivered', sequence: 3 }),
      ],
      NOW,
      DAY,
    );

    expect(plan.updates).toEqual([
      expect.objectContaining({
        messageUuid: 'uuid-1',
        status: MessageStatus.DELIVERED,
        rank: 5,
        sequence: 3,
        deliveredAt: new Date('2026-11-27T10:00:05.000Z'),
        sentAt: new Date('2026-11-27T10:00:01.123Z'),
      }),
      expect.objectContaining({
        messageUuid: 'uuid-2',
        status: MessageStatus.UNDELIVERED,
        errorCode: '80',
        sequence: 4,
      }),
    ]);
    expect(plan.reports).toHaveLength(5);
    expect(plan.reports.every((r) => !r.force)).toBe(true);
  });

  it('should prefer the later report when rank and Sequence are equal', () => {
    const first = claimed({ messageUuid: 'uuid-3', status: 'delivered', sequence: null, totalAmount: '0.1' });
    const second = claimed({ messageUuid: 'uuid-3', status: 'delivered', sequence: null, totalAmount: '0.2' });

    expect(planReportApply([second, first], NOW, DAY).updates).toEqual([expect.objectContaining({ amount: '0.2' })]);
  });

  it('should lend a batch id from another report of the same message to a winner without one', () => {
    const plan = planReportApply(
      [
        claimed({ messageUuid: 'uuid-4', status: 'sent', sequence: 2, batchId: 'batch-9' }),
        claimed({ messageUuid: 'uuid-4', status: 'delivered', sequence: 3, batchId: null }),
      ],
      NOW,
      DAY,
    );

    expect(plan.updates).toEqual([expect.objectContaining({ status: MessageStatus.DELIVERED, batchId: 'batch-9' })]);
  });

  it('should force-mark unknown statuses without an update, and reports past the retry cap', () => {
    const unknown = claimed({ messageUuid: 'uuid-5', status: 'read' });
    const old = claimed({ messageUuid: 'uuid-6', receivedAt: new Date(NOW.getTime() - DAY - 1) });

    const plan = planReportApply([unknown, old], NOW, DAY);

    expect(plan.updates.map((u) => u.messageUuid)).toEqual(['uuid-6']);
    expect(plan.reports).toEqual([
      { id: unknown.id, messageUuid: 'uuid-5', force: true },
      { id: old.id, messageUuid: 'uuid-6', force: true },
    ]);
    expect(plan.unknownStatus).toEqual([unknown]);
    expect(plan.givenUp).toEqual([old]);
  });

  it('should drop the error code of statuses that carry none', () => {
    const plan = planReportApply(
      [claimed({ messageUuid: 'uuid-7', status: 'delivered', sequence: 3, errorCode: '0' })],
      NOW,
      DAY,
    );

    expect(plan.updates[0].errorCode).toBeNull();
  });
});
