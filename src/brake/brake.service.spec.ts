import { strictMock } from '../../test/factories/dispatch.factory';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { CampaignEvents } from '../domain/campaign-events';
import { BrakeRepository } from '../persistence/brake.repository';
import { BrakeService, OPT_OUT_ERROR_CODES } from './brake.service';
import { isOptOutErrorCode } from '../sms-gateway/plivo-status.mapper';

function setup(env: Record<string, string> = {}) {
  const brakes = strictMock<BrakeRepository>();
  const events = strictMock<CampaignEvents>();
  events.campaignsChanged.mockReturnValue(undefined);
  const sut = new BrakeService(brakes, new AppConfig(loadEnvironment(env)), events);
  return { sut, brakes, events };
}

const failing = {
  campaignId: 'c1',
  country: 'IN',
  sent: { count: 100, failures: 60, optOuts: 0 },
  receipts: { count: 40, failures: 0, optOuts: 0 },
  topErrorCodes: [{ code: '300', count: 60 }],
};
const healthy = {
  campaignId: 'c1',
  country: 'GB',
  sent: { count: 100, failures: 3, optOuts: 0 },
  receipts: { count: 97, failures: 0, optOuts: 0 },
  topErrorCodes: [],
};

describe(BrakeService.name, () => {
  afterEach(() => jest.useRealTimers());

  it('should count the same code as opt-out as the gateway does', () => {
    expect(OPT_OUT_ERROR_CODES.every((code) => isOptOutErrorCode(code))).toBe(true);
  });

  describe('evaluate', () => {
    it('should trip the failing country only, with the configured scope, and tell progress', async () => {
      const { sut, brakes, events } = setup({ BRAKE_SCOPE: 'campaign' });
      brakes.recentOutcomes.mockResolvedValue([healthy, failing]);
      brakes.trip.mockResolvedValue(true);
      await expect(sut.evaluate(['c1'])).resolves.toEqual(['c1']);
      expect(brakes.recentOutcomes).toHaveBeenCalledWith(['c1'], 200, ['200']);
      expect(brakes.trip).toHaveBeenCalledTimes(1);
      expect(brakes.trip).toHaveBeenCalledWith('c1', 'IN', expect.stringMatching(/^brake: IN: 60 %/), 'campaign');
      expect(events.campaignsChanged).toHaveBeenCalledWith(['c1']);
    });

    it("should judge each campaign by its account's own thresholds, else the service's", async () => {
      const { sut, brakes, events } = setup();
      const tenPercent = {
        ...failing,
        sent: { count: 100, failures: 10, optOuts: 0 },
        topErrorCodes: [{ code: '300', count: 10 }],
      };
      const strict = { windowReports: null, minReports: null, failureRate: 0.05, optOutRate: null };
      brakes.recentOutcomes.mockResolvedValue([
        { ...tenPercent, campaignId: 'strict', accountThresholds: strict },
        { ...tenPercent, campaignId: 'default', accountThresholds: null },
      ]);
      brakes.trip.mockResolvedValue(true);
      await expect(sut.evaluate(['strict', 'default'])).resolves.toEqual(['strict']);
      expect(brakes.recentOutcomes).toHaveBeenCalledTimes(1);
      expect(brakes.trip).toHaveBeenCalledTimes(1);
      expect(brakes.trip).toHaveBeenCalledWith('strict', 'IN', expect.stringMatching(/threshold 5\.0 %/), 'country');
      expect(events.campaignsChanged).toHaveBeenCalledWith(['strict']);
    });

    it('should do nothing when disabled', async () => {
      const { sut } = setup({ BRAKE_ENABLED: 'false' });
      await expect(sut.evaluate(['c1'])).resolves.toEqual([]);
    });
  });

  describe('afterReports', () => {
    it('should check a campaign at most every 500 ms, and the skipped ones when the interval ends', async () => {
      jest.useFakeTimers();
      const { sut, brakes } = setup();
      brakes.recentOutcomes.mockResolvedValue([]);
      await sut.afterReports(['c1']);
      await sut.afterReports(['c1']);
      expect(brakes.recentOutcomes).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(500);
      expect(brakes.recentOutcomes).toHaveBeenCalledTimes(2);
      sut.onModuleDestroy();
    });
  });
});
