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
    it('should count the messages Plivo accepted, in one query, when the field is asked for', async () => {
      const campaigns = strictMock<CampaignsService>();
      campaigns.countMessagesWithProvider.mockResolvedValue(2);
      const resolver = new AlreadyWithProviderResolver(campaigns);

      await expect(resolver.alreadyWithProvider({ campaignId: 'c7', cancelledMessages: 1 })).resolves.toBe(2);
      expect(campaigns.countMessagesWithProvider).toHaveBeenCalledTimes(1);
      expect(campaigns.countMessagesWithProvider).toHaveBeenCalledWith('c7');
    });
  });
});
