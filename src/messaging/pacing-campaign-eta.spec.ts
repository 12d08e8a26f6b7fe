import { campaignRecord, strictMock } from '../../test/factories/dispatch.factory';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { DispatchRepository } from '../persistence/dispatch.repository';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { PacingCampaignEta } from './pacing-campaign-eta';
import { PacingPlan } from './pacing-plan';

const NOW = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

type Load = { id: string; accountId?: string; pending: number; priority: number };

function setup(queueDrainsAt: Date | null, others: Load[] = [], accountMps: number | null = null) {
  const config = new AppConfig(loadEnvironment({ PLIVO_MPS: '100' }));
  const pacing = new PacingPlan(config, new ProviderAccount('sandbox', 'MA1', '+14155550100', []));
  const dispatch = strictMock<DispatchRepository>();
  dispatch.queueDrainsAt.mockResolvedValue(queueDrainsAt);
  dispatch.sendingCampaignsLoad.mockResolvedValue(others.map((c) => ({ accountId: 'other-account', ...c })));
  dispatch.accountMpsCap.mockResolvedValue(accountMps);
  const clock = strictMock<Clock>();
  clock.now.mockReturnValue(NOW);
  return new PacingCampaignEta(dispatch, pacing, clock);
}

describe(PacingCampaignEta.name, () => {
  describe('estimateCompletion', () => {
    it('should be the drain of the provider queue plus the waiting messages at the MPS', async () => {
      const eta = setup(at(4_000));
      const campaign = campaignRecord({ pending: 1_000 });
      await expect(eta.estimateCompletion(campaign)).resolves.toEqual(at(14_000));
    });

    it('should never be in the past while sending, whatever the pacing row says', async () => {
      const eta = setup(at(-3_600_000));
      await expect(eta.estimateCompletion(campaignRecord({ pending: 0 }))).resolves.toEqual(NOW);
      await expect(eta.estimateCompletion(campaignRecord({ pending: 500 }))).resolves.toEqual(at(5_000));
    });

    it('should share the MPS with the other sending campaigns, by priority', async () => {
      const others = [
        { id: 'c1', pending: 1_000, priority: 1 },
        { id: 'big', pending: 1_000_000, priority: 1 },
      ];
      // 1,000 at half of 100 MPS: 20 s; at priority 4 against 1: 12.5 s.
      await expect(setup(null, others).estimateCompletion(campaignRecord({ pending: 1_000 }))).resolves.toEqual(
        at(20_000),
      );
      await expect(
        setup(null, others).estimateCompletion(campaignRecord({ pending: 1_000, priority: 4 })),
      ).resolves.toEqual(at(12_500));
    });

    it("should send at most at the account's own MPS cap, shared with the account's other campaigns", async () => {
      const campaign = campaignRecord({ pending: 1_000 });
      // Alone: 1,000 at the account's 10 MPS (not the service's 100): 100 s.
      await expect(setup(null, [], 10).estimateCompletion(campaign)).resolves.toEqual(at(100_000));
      // Beside another campaign of the same account with 1,000 left: half of 10 MPS, 200 s.
      const same = [{ id: 'c2', accountId: campaign.accountId, pending: 1_000, priority: 1 }];
      await expect(setup(null, same, 10).estimateCompletion(campaign)).resolves.toEqual(at(200_000));
      // A cap above PLIVO_MPS changes nothing: 1,000 at 100 MPS.
      await expect(setup(null, [], 500).estimateCompletion(campaign)).resolves.toEqual(at(10_000));
    });

    it('should start a scheduled campaign at its schedule, alone', async () => {
      const eta = setup(null, [{ id: 'big', pending: 1_000_000, priority: 1 }]);
      const campaign = campaignRecord({ status: CampaignStatus.SCHEDULED, scheduledAt: at(60_000), pending: 100 });
      await expect(eta.estimateCompletion(campaign)).resolves.toEqual(at(61_000));
    });

    it('should have no estimate while paused', async () => {
      const eta = setup(at(1_000));
      await expect(
        eta.estimateCompletion(campaignRecord({ status: CampaignStatus.PAUSED, pending: 5 })),
      ).resolves.toBeNull();
    });
  });
});
