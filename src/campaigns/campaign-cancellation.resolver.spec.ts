import { strictMock } from '../../test/factories/dispatch.factory';
import { campaignRecord } from '../../test/factories/dispatch.factory';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { AlreadyWithProviderResolver } from './already-with-provider.resolver';
import { CampaignCancellationResolver } from './campaign-cancellation.resolver';
import { toCampaignView } from './campaign.mapper';
import { CampaignsService } from './campaigns.service';

describe(CampaignCancellationResolver.name, () => {
  const resolver = new CampaignCancellationResolver();

  describe('cancellation', () => {
    it('should give the cancelled messages from the counters and leave the provider count to its own field', () => {
      const campaign = toCampaignView(
        campaignRecord({ id: 'c7', status: CampaignStatus.CANCELLED, total: 4, sent: 2, failed: 1, cancelled: 1 }),
      );
      expect(resolver.cancellation(campaign)).toEqual({ campaignId: 'c7', cancelledMessages: 1 });
    });

    it('should be null for a campaign that is not cancelled', () => {
      expect(resolver.cancellation(toCampaignView(campaignRecord({ status: CampaignStatus.PAUSED })))).toBeNull();
    });
  });
});

describe(AlreadyWithProviderResolver.name, () => {
  describe('alreadyWithProvider', () => {
    it('should count the messages Plivo accepted, in one query for every campaign of one operation', async () => {
      const campaigns = strictMock<CampaignsService>();
      campaigns.countMessagesWithProvider.mockResolvedValue(
        new Map([
          ['c7', 2],
          ['c8', 5],
        ]),
      );
      const resolver = new AlreadyWithProviderResolver(campaigns);
      const operation = { req: { headers: {} } };

      await expect(
        Promise.all([
          resolver.alreadyWithProvider({ campaignId: 'c7', cancelledMessages: 1 }, operation),
          resolver.alreadyWithProvider({ campaignId: 'c8', cancelledMessages: 0 }, operation),
        ]),
      ).resolves.toEqual([2, 5]);
      expect(campaigns.countMessagesWithProvider).toHaveBeenCalledTimes(1);
      expect(campaigns.countMessagesWithProvider).toHaveBeenCalledWith(['c7', 'c8']);
    });

    it('should count again for each request, never answering from an earlier one', async () => {
      const campaigns = strictMock<CampaignsService>();
      campaigns.countMessagesWithProvider
        .mockResolvedValueOnce(new Map([['c7', 2]]))
        .mockResolvedValueOnce(new Map([['c7', 3]]));
      const resolver = new AlreadyWithProviderResolver(campaigns);
      const cancellation = { campaignId: 'c7', cancelledMessages: 1 };

      const operation = { req: { headers: {} } };

      await expect(resolver.alreadyWithProvider(cancellation, operation)).resolves.toBe(2);
      await expect(resolver.alreadyWithProvider(cancellation, operation)).resolves.toBe(3);
      expect(campaigns.countMessagesWithProvider).toHaveBeenCalledTimes(2);
    });
  });
});
