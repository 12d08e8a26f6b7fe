import { mock } from 'jest-mock-extended';
import { strictMock } from '../../test/factories/dispatch.factory';
import { MetricsService } from '../common/metrics/metrics.service';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { CampaignEvents } from '../domain/campaign-events';
import { MessageStatus } from '../domain/message-status.enum';
import { CampaignRepository } from '../persistence/campaign.repository';
import {
  ClaimedReport,
  DeliveryReportRepository,
  ReportApplyStatements,
} from '../persistence/delivery-report.repository';
import { AppliedReportsFollowUp } from './applied-reports-follow-up.service';
import { DeliveryReportApplier } from './delivery-report-applier.service';
import { DeliveryReportIntake } from './delivery-report-intake.service';
import { DeliveryReportMetrics } from './delivery-report.metrics';
import { OPT_OUT_SUPPRESSION_REASON } from './report-apply-plan';

const NOW = new Date('2030-01-01T00:00:00Z');

function report(overrides: Partial<ClaimedReport>): ClaimedReport {
  return {
    id: '1',
    messageUuid: 'u1',
    batchId: 'b1',
    to: '+447400123456',
    status: 'delivered',
    sequence: 1,
    errorCode: null,
    units: 1,
    totalAmount: '0.04000',
    sentTime: null,
    deliveryReportTime: null,
    receivedAt: NOW,
    ...overrides,
  };
}

function setup(claimed: ClaimedReport[]) {
  const reports = strictMock<DeliveryReportRepository>();
  const tx = strictMock<ReportApplyStatements>();
  reports.inApplyTransaction.mockImplementation((work) => work(tx));
  tx.claimUnapplied.mockResolvedValueOnce(claimed).mockResolvedValue([]);
  tx.applyPlan.mockResolvedValue({
    applied: 2,
    campaignIds: ['c1'],
    matchedUuids: new Set(['u1', 'u2']),
    suppressed: 1,
  });
  const campaigns = strictMock<CampaignRepository>();
  campaigns.completeFinished.mockResolvedValue(['c1']);
  const events = strictMock<CampaignEvents>();
  events.campaignsChanged.mockReturnValue(undefined);
  const intake = mock<DeliveryReportIntake>();
  const clock = strictMock<Clock>();
  clock.now.mockReturnValue(NOW);
  const config = new AppConfig(loadEnvironment({ REPORT_APPLY_BATCH_SIZE: '100' }));
  const metrics = new DeliveryReportMetrics(new MetricsService());
  const sut = new DeliveryReportApplier(
    reports,
    new AppliedReportsFollowUp(campaigns, events),
    intake,
    config,
    clock,
    metrics,
  );
  return { sut, tx, campaigns, events };
}

describe(DeliveryReportApplier.name, () => {
  describe('applyOnce', () => {
    it('should claim, plan and apply in one transaction, flagging opt-outs as the gateway mapper says', async () => {
      const { sut, tx } = setup([
        report({ id: '1', messageUuid: 'u1', status: 'delivered' }),
        report({ id: '2', messageUuid: 'u2', to: '+447400123457', status: 'undelivered', errorCode: '200' }),
      ]);
      const summary = await sut.applyOnce();
      expect(tx.claimUnapplied).toHaveBeenCalledWith(100, []);
      const [updates, reports, reason] = tx.applyPlan.mock.calls[0];
      expect(updates.map((u) => [u.messageUuid, u.status, u.optOut])).toEqual([
        ['u1', MessageStatus.DELIVERED, false],
        ['u2', MessageStatus.UNDELIVERED, true],
      ]);
      expect(reports).toEqual([
        { id: '1', messageUuid: 'u1', force: false },
        { id: '2', messageUuid: 'u2', force: false },
      ]);
      expect(reason).toBe(OPT_OUT_SUPPRESSION_REASON);
      expect(summary).toEqual({ claimed: 2, applied: 2, unmatched: 0, campaignIds: ['c1'] });
    });

    it('should complete finished campaigns and tell subscribers after the commit', async () => {
      const { sut, campaigns, events } = setup([report({})]);
      await sut.applyOnce();
      expect(campaigns.completeFinished).toHaveBeenCalledWith(['c1']);
      expect(events.campaignsChanged).toHaveBeenCalledWith(['c1']);
    });

    it('should keep an unmatched report for a later pass and leave it out until its retry is due', async () => {
      const { sut, tx } = setup([report({ id: '7', messageUuid: 'unknown' })]);
      tx.applyPlan.mockResolvedValue({ applied: 0, campaignIds: [], matchedUuids: new Set(), suppressed: 0 });
      await expect(sut.applyOnce()).resolves.toMatchObject({ claimed: 1, unmatched: 1 });
      await sut.applyOnce();
      expect(tx.claimUnapplied).toHaveBeenLastCalledWith(100, ['7']);
    });

    it('should do nothing when no report waits', async () => {
      const { sut, tx } = setup([]);
      await expect(sut.applyOnce()).resolves.toEqual({ claimed: 0, applied: 0, unmatched: 0, campaignIds: [] });
      expect(tx.applyPlan).not.toHaveBeenCalled();
    });
  });

  describe('polling', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('should poll every 50 ms while it finds reports, every second once a second of passes found none, and fast again when woken with reports waiting', async () => {
      const { sut, tx } = setup([]);
      const passes = () => tx.claimUnapplied.mock.calls.length;
      sut.start();

      // Passes at 0, 50, ..., 950 ms: the twentieth empty one slows the loop down.
      await jest.advanceTimersByTimeAsync(1_000);
      expect(passes()).toBe(20);
      await jest.advanceTimersByTimeAsync(5_000);
      expect(passes()).toBe(25);

      // The intake stored a report it could not apply: a pass at once, then 50 ms apart again.
      tx.claimUnapplied.mockResolvedValueOnce([report({})]);
      sut.notify();
      await jest.advanceTimersByTimeAsync(0);
      expect(passes()).toBe(26);
      await jest.advanceTimersByTimeAsync(500);
      expect(passes()).toBe(36);

      await sut.stop();
    });
  });
});
