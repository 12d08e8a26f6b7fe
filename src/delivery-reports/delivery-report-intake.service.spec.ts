import { mock } from 'jest-mock-extended';
import { MetricsService } from '../common/metrics/metrics.service';
import { AppConfig } from '../config/app-config.service';
import { MessageStatus } from '../domain/message-status.enum';
import {
  AppendOutcome,
  AppendRequest,
  AppendResult,
  DeliveryReportRepository,
  NewDeliveryReport,
} from '../persistence/delivery-report.repository';
import { AppliedReportsFollowUp } from './applied-reports-follow-up.service';
import { DeliveryReportIntake, IntakeSaturatedError } from './delivery-report-intake.service';
import { DeliveryReportMetrics } from './delivery-report.metrics';

function report(key: string): NewDeliveryReport {
  return {
    dedupeKey: key,
    messageUuid: key,
    batchId: null,
    to: null,
    status: 'sent',
    sequence: 2,
    errorCode: null,
    units: null,
    totalAmount: null,
    totalRate: null,
    payload: {},
  };
}

/** What the statement answers when none of the stored reports found its message. */
function leftUnapplied(outcomes: AppendOutcome[]): AppendResult {
  const stored = outcomes.filter((o) => o === 'stored').length;
  return { outcomes, appliedReports: 0, unappliedReports: stored, applied: 0, campaignIds: [], suppressed: 0 };
}

describe(DeliveryReportIntake.name, () => {
  let repository: ReturnType<typeof mock<DeliveryReportRepository>>;
  let followUp: ReturnType<typeof mock<AppliedReportsFollowUp>>;
  let intake: DeliveryReportIntake;
  let calls: AppendRequest[][];

  beforeEach(() => {
    calls = [];
    repository = mock<DeliveryReportRepository>(undefined, {
      fallbackMockImplementation: () => {
        throw new Error('unexpected call');
      },
    });
    repository.appendMany.mockImplementation((requests) => {
      calls.push([...requests]);
      return Promise.resolve(leftUnapplied(requests.map((r) => (r.report.dedupeKey === 'old' ? 'duplicate' : 'stored'))));
    });
    followUp = mock<AppliedReportsFollowUp>();
    const config = {
      deliveryReports: { replayWindowMs: 600_000, maxPendingReports: 3, answerTimeoutMs: 100 },
    } as unknown as AppConfig;
    intake = new DeliveryReportIntake(repository, config, new DeliveryReportMetrics(new MetricsService()), followUp);
  });

  describe('append', () => {
    it('should write concurrent reports in one statement and resolve each after it', async () => {
      const stored = jest.fn();
      intake.onLeftUnapplied(stored);

      const outcomes = await Promise.all([
        intake.append(report('a'), 'n1'),
        intake.append(report('b'), 'n2'),
        intake.append(report('old'), 'n3'),
      ]);

      expect(outcomes).toEqual(['stored', 'stored', 'duplicate']);
      expect(calls).toHaveLength(1);
      expect(calls[0].map((c) => c.nonce)).toEqual(['n1', 'n2', 'n3']);
      expect(stored).toHaveBeenCalledTimes(1);
    });

    it("should pass each report's planned message update, opt-outs flagged, and no update for an unknown status", async () => {
      await Promise.all([
        intake.append({ ...report('a'), status: 'delivered', payload: { DeliveryReportTime: '2030-01-01 10:00:00' } }, 'n1'),
        intake.append({ ...report('b'), status: 'undelivered', errorCode: '200' }, 'n2'),
        intake.append({ ...report('c'), status: 'read' }, 'n3'),
      ]);

      const [delivered, optedOut, unknown] = calls[0].map((c) => c.apply);
      expect(delivered).toMatchObject({ status: MessageStatus.DELIVERED, optOut: false });
      expect(delivered?.deliveredAt).toEqual(new Date('2030-01-01T10:00:00Z'));
      expect(optedOut).toMatchObject({ status: MessageStatus.UNDELIVERED, errorCode: '200', optOut: true });
      expect(unknown).toBeNull();
    });

    it('should wake the applier only when a stored report was left unapplied, and hand moved campaigns on', async () => {
      const woken = jest.fn();
      intake.onLeftUnapplied(woken);
      repository.appendMany.mockResolvedValueOnce({
        outcomes: ['stored'],
        appliedReports: 1,
        unappliedReports: 0,
        applied: 1,
        campaignIds: ['c1'],
        suppressed: 0,
      });

      await intake.append(report('a'), 'n1');

      expect(woken).not.toHaveBeenCalled();
      expect(followUp.schedule).toHaveBeenCalledWith(['c1']);
    });

    it('should answer a second use of a nonce in the same flush as a replay without writing it', async () => {
      const outcomes = await Promise.all([intake.append(report('a'), 'same'), intake.append(report('b'), 'same')]);

      expect(outcomes).toEqual(['stored', 'replay']);
      expect(calls[0].map((c) => c.report.dedupeKey)).toEqual(['a']);
    });

    it('should answer a second copy of a report in the same flush as a duplicate', async () => {
      const outcomes = await Promise.all([intake.append(report('a'), 'n1'), intake.append(report('a'), 'n2')]);

      expect(outcomes).toEqual(['stored', 'duplicate']);
      expect(calls[0]).toHaveLength(1);
    });

    it('should split a burst into statements of at most maxBatch reports', async () => {
      intake.configure({ maxBatch: 2, maxInFlight: 1 });

      await Promise.all(['a', 'b', 'c', 'd', 'e'].map((key, i) => intake.append(report(key), `n${i}`)));

      expect(calls.map((c) => c.length)).toEqual([2, 2, 1]);
    });

    it('should reject every request of a failed statement, so Plivo retries them', async () => {
      repository.appendMany.mockRejectedValueOnce(new Error('database down'));

      const results = await Promise.allSettled([intake.append(report('a'), 'n1'), intake.append(report('b'), 'n2')]);

      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    });

    it('should retry a deadlocked statement', async () => {
      repository.appendMany.mockRejectedValueOnce(Object.assign(new Error('deadlock detected'), { code: '40P01' }));

      await expect(intake.append(report('a'), 'n1')).resolves.toBe('stored');
      expect(repository.appendMany).toHaveBeenCalledTimes(2);
    });
  });

  describe('appendWithinDeadline', () => {
    it('should refuse at once past WEBHOOK_MAX_PENDING waiting reports, and store the others', async () => {
      const accepted = ['a', 'b', 'c'].map((key) => intake.appendWithinDeadline(report(key), `n-${key}`));
      const refused = intake.appendWithinDeadline(report('d'), 'n-d');

      await expect(refused).rejects.toEqual(new IntakeSaturatedError('queue_full'));
      await expect(Promise.all(accepted)).resolves.toEqual(['stored', 'stored', 'stored']);
      expect(calls.flat().map((c) => c.report.dedupeKey)).toEqual(['a', 'b', 'c']);
    });

    it('should answer a slow commit with IntakeSaturatedError and still write the report', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
      try {
        let commit!: () => void;
        repository.appendMany.mockImplementationOnce((requests) => {
          calls.push([...requests]);
          return new Promise((resolve) => (commit = () => resolve(leftUnapplied(requests.map(() => 'stored')))));
        });
        const answer = intake.appendWithinDeadline(report('slow'), 'n1');
        const outcome = answer.catch((error: unknown) => error);
        await new Promise((resolve) => setImmediate(resolve));

        jest.advanceTimersByTime(100);

        expect(await outcome).toEqual(new IntakeSaturatedError('answer_timeout'));
        commit();
        await intake.drain();
        expect(calls.flat().map((c) => c.report.dedupeKey)).toEqual(['slow']);
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
