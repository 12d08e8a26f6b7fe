import Decimal from 'decimal.js';
import { mock } from 'jest-mock-extended';
import { NotFoundError } from '../common/errors/domain-error';
import { InMemoryPubSub } from '../common/pubsub/in-memory-pubsub';
import { AppConfig } from '../config/app-config.service';
import { CampaignEta } from '../domain/campaign-eta';
import { CampaignRecord } from '../domain/campaign.record';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { Encoding } from '../domain/encoding.enum';
import { CampaignRepository } from '../persistence/campaign.repository';
import { CAMPAIGNS_CHANGED } from './campaign-progress.publisher';
import { CampaignProgressService } from './campaign-progress.service';

function record(overrides: Partial<CampaignRecord> = {}): CampaignRecord {
  return {
    id: 'c1',
    accountId: 'a1',
    name: null,
    status: CampaignStatus.SENDING,
    statusReason: null,
    text: 'hi',
    senderId: '+14155550100',
    encoding: Encoding.GSM7,
    segmentsPerMessage: 1,
    idempotencyKey: null,
    currency: 'USD',
    estimatedCost: new Decimal(0),
    maxCost: null,
    actualCost: new Decimal(0),
    rejectedCount: 0,
    requestHash: null,
    scheduledAt: null,
    startedAt: null,
    completedAt: null,
    priority: 1,
    createdAt: new Date('2030-01-01T00:00:00Z'),
    updatedAt: new Date('2030-01-01T00:00:00Z'),
    total: 10,
    pending: 0,
    submitted: 10,
    queued: 0,
    sent: 0,
    delivered: 0,
    undelivered: 0,
    failed: 0,
    rejected: 0,
    unconfirmed: 0,
    suppressed: 0,
    cancelled: 0,
    ...overrides,
  };
}

async function setup(eta?: CampaignEta) {
  const campaigns = mock<CampaignRepository>();
  let current = record();
  campaigns.findForAccount.mockImplementation((accountId, id) =>
    Promise.resolve(accountId === 'a1' && id === 'c1' ? current : null),
  );
  const pubSub = new InMemoryPubSub();
  const sut = new CampaignProgressService(campaigns, pubSub, mock<AppConfig>({ progressUpdatesPerSecond: 4 }), eta);
  await sut.onModuleInit();
  return {
    sut,
    campaigns,
    /** What the database holds now, and the signal the publisher would send. */
    async change(overrides: Partial<CampaignRecord>) {
      current = record({ ...current, ...overrides });
      await pubSub.publish(CAMPAIGNS_CHANGED, { campaignIds: ['c1'] });
    },
  };
}

describe(CampaignProgressService.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  describe('subscribe', () => {
    it('should yield the current snapshot at once', async () => {
      const { sut } = await setup();
      const stream = await sut.subscribe('a1', 'c1');
      await expect(stream.next()).resolves.toEqual({
        done: false,
        value: expect.objectContaining({
          campaignId: 'c1',
          status: 'SENDING',
          total: 10,
          submitted: 10,
          estimatedCompletionAt: null,
        }),
      });
    });

    it('should answer NOT_FOUND for another account or an unknown id, and keep no feed', async () => {
      const { sut } = await setup();
      await expect(sut.subscribe('a2', 'c1')).rejects.toThrow(NotFoundError);
      await expect(sut.subscribe('a1', 'c9')).rejects.toThrow(NotFoundError);
      expect(sut.watchedCampaigns).toBe(0);
    });

    it('should read once per flush for every subscriber of a campaign, at most 4 times a second', async () => {
      const { sut, campaigns, change } = await setup();
      const streams = await Promise.all([
        sut.subscribe('a1', 'c1'),
        sut.subscribe('a1', 'c1'),
        sut.subscribe('a1', 'c1'),
      ]);
      await Promise.all(streams.map((s) => s.next()));
      campaigns.findForAccount.mockClear();

      for (let delivered = 1; delivered <= 10; delivered++) {
        await change({ submitted: 10 - delivered, delivered });
        await jest.advanceTimersByTimeAsync(10);
      }
      await jest.advanceTimersByTimeAsync(500);

      // A leading read and one after the 250 ms interval: 2 reads for 10 signals and 3 subscribers.
      expect(campaigns.findForAccount).toHaveBeenCalledTimes(2);
      for (const stream of streams) {
        await expect(stream.next()).resolves.toMatchObject({ value: { delivered: 10 } });
      }
    });

    it('should give a slow subscriber only the newest snapshot', async () => {
      const { sut, change } = await setup();
      const stream = await sut.subscribe('a1', 'c1');
      await stream.next();
      await change({ delivered: 1, submitted: 9 });
      await jest.advanceTimersByTimeAsync(300);
      await change({ delivered: 2, submitted: 8 });
      await jest.advanceTimersByTimeAsync(300);
      await expect(stream.next()).resolves.toMatchObject({ value: { delivered: 2 } });
    });

    it('should not repeat a snapshot that did not change', async () => {
      const { sut, change } = await setup();
      const stream = await sut.subscribe('a1', 'c1');
      await stream.next();
      await change({});
      await jest.advanceTimersByTimeAsync(300);
      let settled = false;
      void stream.next().then(() => (settled = true));
      await jest.advanceTimersByTimeAsync(300);
      expect(settled).toBe(false);
      await stream.return();
    });

    it('should emit the final snapshot, then end, and drop the feed', async () => {
      const { sut, change } = await setup();
      const stream = await sut.subscribe('a1', 'c1');
      await stream.next();
      await change({ status: CampaignStatus.CANCELLED, submitted: 0, cancelled: 10 });
      await jest.advanceTimersByTimeAsync(0);
      await expect(stream.next()).resolves.toMatchObject({
        done: false,
        value: { status: 'CANCELLED', cancelled: 10 },
      });
      await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
      expect(sut.watchedCampaigns).toBe(0);
    });

    it('should go on after a cancel until the messages already at the provider have reported', async () => {
      const { sut, change } = await setup();
      const stream = await sut.subscribe('a1', 'c1');
      await stream.next();
      // Cancelled with 4 of 10 messages at the provider: their outcomes and costs are still to come.
      await change({ status: CampaignStatus.CANCELLED, submitted: 0, queued: 3, sent: 1, delivered: 0, cancelled: 6 });
      await jest.advanceTimersByTimeAsync(0);
      await expect(stream.next()).resolves.toMatchObject({ done: false, value: { status: 'CANCELLED', queued: 3 } });
      await change({ queued: 0, sent: 0, delivered: 3, undelivered: 1, actualCost: new Decimal('0.0316') });
      await jest.advanceTimersByTimeAsync(300);
      await expect(stream.next()).resolves.toMatchObject({
        done: false,
        value: { status: 'CANCELLED', delivered: 3, undelivered: 1, cost: { amount: 0.0316 } },
      });
      await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
      expect(sut.watchedCampaigns).toBe(0);
    });

    it('should end at once after the snapshot of a campaign that is already final', async () => {
      const { sut, change } = await setup();
      await change({ status: CampaignStatus.COMPLETED, submitted: 0, delivered: 10 });
      const stream = await sut.subscribe('a1', 'c1');
      await expect(stream.next()).resolves.toMatchObject({ done: false, value: { status: 'COMPLETED' } });
      await expect(stream.next()).resolves.toMatchObject({ done: true });
    });

    it('should stop reading for a subscriber that went away', async () => {
      const { sut, campaigns, change } = await setup();
      const stream = await sut.subscribe('a1', 'c1');
      await stream.next();
      await stream.return();
      campaigns.findForAccount.mockClear();
      await change({ delivered: 1 });
      await jest.advanceTimersByTimeAsync(1000);
      expect(campaigns.findForAccount).not.toHaveBeenCalled();
      expect(sut.watchedCampaigns).toBe(0);
    });

    it('should take estimatedCompletionAt from CampaignEta while the campaign runs', async () => {
      const eta = mock<CampaignEta>();
      eta.estimateCompletion.mockResolvedValue(new Date('2030-01-01T01:00:00Z'));
      const { sut } = await setup(eta);
      const stream = await sut.subscribe('a1', 'c1');
      await expect(stream.next()).resolves.toMatchObject({
        value: { estimatedCompletionAt: new Date('2030-01-01T01:00:00Z') },
      });
    });
  });

  describe('onModuleDestroy', () => {
    it('should end every subscription', async () => {
      const { sut } = await setup();
      const stream = await sut.subscribe('a1', 'c1');
      await stream.next();
      const next = stream.next();
      sut.onModuleDestroy();
      await expect(next).resolves.toEqual({ done: true, value: undefined });
    });
  });
});
