import { PubSubEngine } from 'graphql-subscriptions';
import { mock } from 'jest-mock-extended';
import { AppConfig } from '../config/app-config.service';
import { CAMPAIGNS_CHANGED, CampaignProgressPublisher } from './campaign-progress.publisher';

function setup(updatesPerSecond = 4) {
  const pubSub = mock<PubSubEngine>();
  pubSub.publish.mockResolvedValue(undefined);
  const config = mock<AppConfig>({ progressUpdatesPerSecond: updatesPerSecond });
  return { pubSub, sut: new CampaignProgressPublisher(pubSub, config) };
}

describe(CampaignProgressPublisher.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  describe('campaignsChanged', () => {
    it('should publish a lone change at once, with the ids only', async () => {
      const { pubSub, sut } = setup();
      sut.campaignsChanged(['c1']);
      await jest.advanceTimersByTimeAsync(0);
      expect(pubSub.publish).toHaveBeenCalledWith(CAMPAIGNS_CHANGED, { campaignIds: ['c1'] });
    });

    it('should coalesce a burst into at most progressUpdatesPerSecond publishes a second', async () => {
      const { pubSub, sut } = setup(4);
      // 1,000 reports over one second, each one signalled.
      for (let i = 0; i < 1000; i++) {
        sut.campaignsChanged(['c1', i % 2 === 0 ? 'c2' : 'c1']);
        await jest.advanceTimersByTimeAsync(1);
      }
      await jest.advanceTimersByTimeAsync(250);
      expect(pubSub.publish.mock.calls.length).toBeGreaterThanOrEqual(4);
      expect(pubSub.publish.mock.calls.length).toBeLessThanOrEqual(5);
      for (const [, event] of pubSub.publish.mock.calls) {
        expect(event).toEqual({ campaignIds: expect.arrayContaining(['c1']) as unknown });
      }
    });

    it('should split many ids into messages small enough for NOTIFY', async () => {
      const { pubSub, sut } = setup();
      const ids = Array.from({ length: 400 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      sut.campaignsChanged(ids);
      await jest.advanceTimersByTimeAsync(0);
      expect(
        pubSub.publish.mock.calls.map(([, event]) => (event as { campaignIds: string[] }).campaignIds.length),
      ).toEqual([150, 150, 100]);
      for (const [, event] of pubSub.publish.mock.calls) {
        expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(7900);
      }
    });

    it('should keep going after a failed publish', async () => {
      const { pubSub, sut } = setup();
      pubSub.publish.mockRejectedValueOnce(new Error('connection lost'));
      sut.campaignsChanged(['c1']);
      await jest.advanceTimersByTimeAsync(0);
      sut.campaignsChanged(['c2']);
      await jest.advanceTimersByTimeAsync(250);
      expect(pubSub.publish).toHaveBeenLastCalledWith(CAMPAIGNS_CHANGED, { campaignIds: ['c2'] });
    });
  });

  describe('onModuleDestroy', () => {
    it('should publish what is still pending, then nothing more', async () => {
      const { pubSub, sut } = setup();
      sut.campaignsChanged(['c1']);
      await jest.advanceTimersByTimeAsync(0);
      sut.campaignsChanged(['c2']);
      await sut.onModuleDestroy();
      expect(pubSub.publish).toHaveBeenLastCalledWith(CAMPAIGNS_CHANGED, { campaignIds: ['c2'] });
      sut.campaignsChanged(['c3']);
      await jest.advanceTimersByTimeAsync(1000);
      expect(pubSub.publish).toHaveBeenCalledTimes(2);
    });
  });
});
