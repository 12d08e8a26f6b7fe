import Decimal from 'decimal.js';
import { mock } from 'jest-mock-extended';
import { CampaignRecord } from '../domain/campaign.record';
import { CampaignCosts, CostReportRepository } from '../persistence/cost-report.repository';
import { CostReportService } from './cost-report.service';

const strict = {
  fallbackMockImplementation: () => {
    throw new Error('unexpected call');
  },
};

const campaign = (overrides: Partial<CampaignRecord> = {}) =>
  ({ id: 'c1', currency: 'USD', estimatedCost: new Decimal('0.09050'), ...overrides }) as CampaignRecord;

function setup(costs: CampaignCosts) {
  const repository = mock<CostReportRepository>(undefined, strict);
  repository.findCampaignCosts.mockResolvedValue(costs);
  return { sut: new CostReportService(repository), repository };
}

const d = (value: string) => new Decimal(value);

describe(CostReportService.name, () => {
  describe('forCampaign', () => {
    it('should set the estimate per country beside the provider-reported amounts', async () => {
      const { sut, repository } = setup({
        estimated: [
          { country: 'US', recipients: 3, pricePerSegment: d('0.0035'), cost: d('0.0105') },
          { country: 'GB', recipients: 2, pricePerSegment: d('0.04'), cost: d('0.08') },
        ],
        actual: [
          { country: 'GB', messages: 2, reportedMessages: 1, amount: d('0.042') },
          { country: 'US', messages: 3, reportedMessages: 3, amount: d('0.0105') },
        ],
      });

      const report = await sut.forCampaign(campaign());

      expect(repository.findCampaignCosts).toHaveBeenCalledWith('c1');
      expect(report).toEqual({
        currency: 'USD',
        estimatedTotal: { amount: 0.0905, currency: 'USD' },
        actualTotal: { amount: 0.0525, currency: 'USD' },
        perCountry: [
          {
            country: 'US',
            recipients: 3,
            estimated: { amount: 0.0105, currency: 'USD' },
            actual: { amount: 0.0105, currency: 'USD' },
            reportedMessages: 3,
          },
          {
            country: 'GB',
            recipients: 2,
            estimated: { amount: 0.08, currency: 'USD' },
            actual: { amount: 0.042, currency: 'USD' },
            reportedMessages: 1,
          },
        ],
      });
    });

    it('should sum exactly and round only the displayed totals', async () => {
      // 3 × 0.000004 = 0.000012: each rounds to 0.00000 but the total rounds to 0.00001.
      const { sut } = setup({
        estimated: [],
        actual: [
          { country: 'US', messages: 1, reportedMessages: 1, amount: d('0.000004') },
          { country: 'GB', messages: 1, reportedMessages: 1, amount: d('0.000004') },
          { country: 'FR', messages: 1, reportedMessages: 1, amount: d('0.000004') },
        ],
      });
      const report = await sut.forCampaign(campaign());
      expect(report.actualTotal.amount).toBe(0.00001);
      expect(report.perCountry.map((c) => c.actual.amount)).toEqual([0, 0, 0]);
    });

    it('should report countries only the messages have, with their message count as recipients, and a missing country as ZZ', async () => {
      const { sut } = setup({
        estimated: [{ country: 'US', recipients: 1, pricePerSegment: d('0.0035'), cost: d('0.0035') }],
        actual: [
          { country: null, messages: 2, reportedMessages: 0, amount: d('0') },
          { country: 'CA', messages: 4, reportedMessages: 4, amount: d('0.022') },
        ],
      });
      const report = await sut.forCampaign(campaign());
      expect(
        report.perCountry.map((c) => [
          c.country,
          c.recipients,
          c.estimated.amount,
          c.actual.amount,
          c.reportedMessages,
        ]),
      ).toEqual([
        ['US', 1, 0.0035, 0, 0],
        ['ZZ', 2, 0, 0, 0],
        ['CA', 4, 0, 0.022, 4],
      ]);
      expect(report.estimatedTotal.amount).toBe(0.0035);
    });

    it('should fall back to the campaign total when no per-country estimate was stored', async () => {
      const { sut } = setup({ estimated: [], actual: [] });
      const report = await sut.forCampaign(campaign({ estimatedCost: d('1.23456'), currency: 'USD' }));
      expect(report).toEqual({
        currency: 'USD',
        estimatedTotal: { amount: 1.23456, currency: 'USD' },
        actualTotal: { amount: 0, currency: 'USD' },
        perCountry: [],
      });
    });
  });
});
