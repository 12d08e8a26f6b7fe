import Decimal from 'decimal.js';
import { MessageStatus } from '../../../src/domain/message-status.enum';
import { CostReportRepository } from '../../../src/persistence/cost-report.repository';
import { pricingFactory } from '../../factories/pricing.factory';
import { graphql } from '../../utils/graphql-client';
import { TEST_DATABASES } from '../../utils/test-databases';
import { startTestApp, TestApp } from '../../utils/test-app';

const COST_REPORT = `
  query($id: ID!) {
    campaign(id: $id) {
      id
      costReport {
        currency
        estimatedTotal { amount currency }
        actualTotal { amount currency }
        perCountry { country recipients estimated { amount } actual { amount } reportedMessages }
      }
    }
  }`;

const US = ['+12015550131', '+12015550132', '+12015550133'];
const GB = ['+447400123461', '+447400123462'];

describe.each(TEST_DATABASES)('campaign cost report on %s', (database) => {
  let testApp: TestApp;
  let factory: ReturnType<typeof pricingFactory>;

  beforeAll(async () => {
    testApp = await startTestApp(database);
    factory = pricingFactory(testApp.app);
  });

  afterAll(async () => {
    await testApp.close();
  });

  async function newCampaignWithReports() {
    const { accountId, apiKey } = await testApp.newAccount();
    const campaign = await factory.campaign(
      accountId,
      [...US.map((phone) => ({ phone, country: 'US' })), ...GB.map((phone) => ({ phone, country: 'GB' }))],
      {
        estimatedCost: new Decimal('0.09650'),
        estimatedCostByCountry: [
          { country: 'US', recipients: 3, pricePerSegment: '0.00550', cost: '0.01650' },
          { country: 'GB', recipients: 2, pricePerSegment: '0.04000', cost: '0.08000' },
        ],
      },
    );
    await factory.reportAmounts(campaign.id, [
      { phone: US[0], status: MessageStatus.DELIVERED, amount: '0.00550' },
      { phone: US[1], status: MessageStatus.DELIVERED, amount: '0.00551' },
      // Failed messages are not charged: Plivo reports 0.
      { phone: US[2], status: MessageStatus.FAILED, amount: '0.00000' },
      { phone: GB[0], status: MessageStatus.DELIVERED, amount: '0.04200' },
      // GB[1] has no report yet.
    ]);
    return { campaign, apiKey };
  }

  it('should compare the stored estimate with the provider-reported amounts per country', async () => {
    const { campaign, apiKey } = await newCampaignWithReports();

    const response = await graphql(testApp.baseUrl, apiKey, COST_REPORT, { id: campaign.id });

    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      campaign: {
        id: campaign.id,
        costReport: {
          currency: 'USD',
          estimatedTotal: { amount: 0.0965, currency: 'USD' },
          actualTotal: { amount: 0.05301, currency: 'USD' },
          perCountry: [
            {
              country: 'US',
              recipients: 3,
              estimated: { amount: 0.0165 },
              actual: { amount: 0.01101 },
              reportedMessages: 3,
            },
            {
              country: 'GB',
              recipients: 2,
              estimated: { amount: 0.08 },
              actual: { amount: 0.042 },
              reportedMessages: 1,
            },
          ],
        },
      },
    });
  });

  it('should read the costs with exact decimals in one repository call', async () => {
    const { campaign } = await newCampaignWithReports();

    const costs = await testApp.app.get(CostReportRepository).findCampaignCosts(campaign.id);

    expect(
      costs.estimated.map((e) => [e.country, e.recipients, e.pricePerSegment.toFixed(5), e.cost.toFixed(5)]),
    ).toEqual([
      ['US', 3, '0.00550', '0.01650'],
      ['GB', 2, '0.04000', '0.08000'],
    ]);
    expect(costs.actual.map((a) => [a.country, a.messages, a.reportedMessages, a.amount.toFixed(5)])).toEqual([
      ['GB', 2, 1, '0.04200'],
      ['US', 3, 3, '0.01101'],
    ]);
  });

  it('should agree with the counters the Message trigger keeps on the campaign', async () => {
    const { campaign, apiKey } = await newCampaignWithReports();
    const response = await graphql<{
      campaign: { costReport: { actualTotal: { amount: number } }; progress: { cost: { amount: number } } };
    }>(
      testApp.baseUrl,
      apiKey,
      'query($id: ID!) { campaign(id: $id) { costReport { actualTotal { amount } } progress { cost { amount } } } }',
      { id: campaign.id },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.campaign.costReport.actualTotal.amount).toBe(response.data!.campaign.progress.cost.amount);
  });

  it('should report zeros for a campaign with no message reported yet', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const campaign = await factory.campaign(accountId, [{ phone: US[0], country: 'US' }], {
      estimatedCost: new Decimal('0.0055'),
      estimatedCostByCountry: [{ country: 'US', recipients: 1, pricePerSegment: '0.0055', cost: '0.0055' }],
    });

    const response = await graphql(testApp.baseUrl, apiKey, COST_REPORT, { id: campaign.id });

    expect(response.data).toMatchObject({
      campaign: {
        costReport: {
          estimatedTotal: { amount: 0.0055 },
          actualTotal: { amount: 0 },
          perCountry: [
            { country: 'US', recipients: 1, estimated: { amount: 0.0055 }, actual: { amount: 0 }, reportedMessages: 0 },
          ],
        },
      },
    });
  });
});
