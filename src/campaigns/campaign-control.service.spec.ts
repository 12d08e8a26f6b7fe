import Decimal from 'decimal.js';
import { campaignRecord, strictMock } from '../../test/factories/dispatch.factory';
import { NotFoundError, UserInputError } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { CampaignEvents } from '../domain/campaign-events';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { DispatcherWakeup } from '../messaging/dispatcher-wakeup';
import { CampaignRepository } from '../persistence/campaign.repository';
import { DispatchRepository } from '../persistence/dispatch.repository';
import { Transactor, UnitOfWork } from '../persistence/transactor';
import { InvalidCampaignTransitionError } from './campaign.errors';
import { CampaignControlService } from './campaign-control.service';

const NOW = new Date('2030-01-01T00:00:00Z');
const CANCELLABLE = [CampaignStatus.SCHEDULED, CampaignStatus.QUEUED, CampaignStatus.SENDING, CampaignStatus.PAUSED];

function setup(current = campaignRecord()) {
  const campaigns = strictMock<CampaignRepository>();
  campaigns.findForAccount.mockImplementation((accountId, id) =>
    Promise.resolve(accountId === 'a1' && id === 'c1' ? current : null),
  );
  const inTx = strictMock<CampaignRepository>();
  const transactor = strictMock<Transactor>();
  const dispatch = strictMock<DispatchRepository>();
  // The budget rule's view: every waiting message in the US at 0.08, none at the provider.
  dispatch.uncostedMix.mockImplementation(() =>
    Promise.resolve({
      waitingBatches: [{ country: 'US', recipients: current.pending }],
      inFlightBatches: [],
      pricePerMessage: new Map([['US', new Decimal('0.08')]]),
    }),
  );
  const unit: UnitOfWork = { campaigns: inTx, dispatch };
  transactor.run.mockImplementation((work) => work(unit));
  const events = strictMock<CampaignEvents>();
  events.campaignsChanged.mockReturnValue(undefined);
  const wakeup = strictMock<DispatcherWakeup>();
  wakeup.wake.mockReturnValue(undefined);
  const clock = strictMock<Clock>();
  clock.now.mockReturnValue(NOW);
  const sut = new CampaignControlService(campaigns, transactor, events, wakeup, clock);
  return { sut, campaigns, inTx, events, wakeup, transactor };
}

describe(CampaignControlService.name, () => {
  describe('cancel', () => {
    it('should cancel waiting batches, then their messages, then the campaign, in one transaction', async () => {
      const { sut, inTx, events, transactor } = setup();
      const cancelled = campaignRecord({ status: CampaignStatus.CANCELLED, cancelled: 4_500, total: 5_000 });
      inTx.cancelWaitingBatches.mockResolvedValue(9);
      inTx.cancelWaitingMessages.mockResolvedValue(4_500);
      inTx.markCancelled.mockResolvedValue(cancelled);
      await expect(sut.cancel('a1', 'c1')).resolves.toBe(cancelled);
      expect(inTx.cancelWaitingBatches).toHaveBeenCalledWith('a1', 'c1', CANCELLABLE);
      expect(inTx.cancelWaitingMessages).toHaveBeenCalledWith('c1');
      expect(inTx.markCancelled).toHaveBeenCalledWith('a1', 'c1', CANCELLABLE);
      // A million waiting messages take longer than the default 30 s on a busy machine.
      expect(transactor.run).toHaveBeenCalledWith(expect.any(Function), { timeout: 300_000 });
      // The lock order every writer follows: batches, messages, then the campaign.
      const order = [inTx.cancelWaitingBatches, inTx.cancelWaitingMessages, inTx.markCancelled].map(
        (fn) => fn.mock.invocationCallOrder[0],
      );
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(events.campaignsChanged).toHaveBeenCalledWith(['c1']);
    });

    it('should roll back and explain when the campaign finished in between', async () => {
      const { sut, inTx, campaigns } = setup();
      inTx.cancelWaitingBatches.mockResolvedValue(0);
      inTx.cancelWaitingMessages.mockResolvedValue(0);
      inTx.markCancelled.mockResolvedValue(null);
      campaigns.findForAccount
        .mockResolvedValueOnce(campaignRecord())
        .mockResolvedValueOnce(campaignRecord({ status: CampaignStatus.COMPLETED }));
      await expect(sut.cancel('a1', 'c1')).rejects.toThrow(
        new InvalidCampaignTransitionError('cancel', CampaignStatus.COMPLETED),
      );
    });

    it('should answer the campaign as it is when a cancel at the same moment cancelled it first', async () => {
      const { sut, inTx, campaigns, events } = setup();
      const cancelledByTheOther = campaignRecord({ status: CampaignStatus.CANCELLED, cancelled: 10 });
      inTx.cancelWaitingBatches.mockResolvedValue(0);
      inTx.cancelWaitingMessages.mockResolvedValue(0);
      inTx.markCancelled.mockResolvedValue(null);
      campaigns.findForAccount.mockResolvedValueOnce(campaignRecord()).mockResolvedValueOnce(cancelledByTheOther);
      await expect(sut.cancel('a1', 'c1')).resolves.toBe(cancelledByTheOther);
      expect(events.campaignsChanged).not.toHaveBeenCalled();
    });

    it('should answer a cancelled campaign as it is, without writing', async () => {
      const cancelled = campaignRecord({ status: CampaignStatus.CANCELLED });
      const { sut } = setup(cancelled);
      await expect(sut.cancel('a1', 'c1')).resolves.toBe(cancelled);
    });

    it("should not find another account's campaign", async () => {
      const { sut } = setup();
      await expect(sut.cancel('a2', 'c1')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('pause', () => {
    it('should pause an active campaign with the reason, in one conditional update', async () => {
      const { sut, campaigns } = setup();
      const paused = campaignRecord({ status: CampaignStatus.PAUSED, statusReason: 'paused by the account' });
      campaigns.transition.mockResolvedValue(paused);
      await expect(sut.pause('a1', 'c1')).resolves.toBe(paused);
      expect(campaigns.transition).toHaveBeenCalledWith(
        'a1',
        'c1',
        [CampaignStatus.SCHEDULED, CampaignStatus.QUEUED, CampaignStatus.SENDING],
        CampaignStatus.PAUSED,
        { statusReason: 'paused by the account' },
      );
    });

    it('should answer the campaign as it is when a pause at the same moment paused it first, and refuse after a cancel', async () => {
      const { sut, campaigns } = setup();
      const pausedByTheOther = campaignRecord({ status: CampaignStatus.PAUSED });
      campaigns.transition.mockResolvedValue(null);
      campaigns.findForAccount
        .mockResolvedValueOnce(campaignRecord())
        .mockResolvedValueOnce(pausedByTheOther)
        .mockResolvedValueOnce(campaignRecord())
        .mockResolvedValueOnce(campaignRecord({ status: CampaignStatus.CANCELLED }));
      await expect(sut.pause('a1', 'c1')).resolves.toBe(pausedByTheOther);
      await expect(sut.pause('a1', 'c1')).rejects.toThrow(
        new InvalidCampaignTransitionError('pause', CampaignStatus.CANCELLED),
      );
    });
  });

  describe('resume', () => {
    it('should resume a started campaign as SENDING with a new budget, and wake the dispatcher', async () => {
      const { sut, campaigns, wakeup } = setup(
        campaignRecord({ status: CampaignStatus.PAUSED, startedAt: new Date('2029-12-31T23:00:00Z') }),
      );
      const sending = campaignRecord({ status: CampaignStatus.SENDING });
      campaigns.transition.mockResolvedValue(sending);
      await expect(sut.resume('a1', 'c1', 12.5)).resolves.toBe(sending);
      expect(campaigns.transition).toHaveBeenCalledWith(
        'a1',
        'c1',
        [CampaignStatus.PAUSED, CampaignStatus.SCHEDULED, CampaignStatus.QUEUED, CampaignStatus.SENDING],
        CampaignStatus.SENDING,
        { maxCost: new Decimal(12.5) },
      );
      expect(wakeup.wake).toHaveBeenCalled();
    });

    it('should refuse a budget below the projected cost, which would pause the campaign again at once', async () => {
      // Paused by its budget: 19.80 reported, 100 messages waiting at 0.08 (projected 27.80).
      const paused = campaignRecord({
        status: CampaignStatus.PAUSED,
        startedAt: new Date('2029-12-31T23:00:00Z'),
        maxCost: new Decimal(12),
        estimatedCost: new Decimal(12),
        actualCost: new Decimal('19.8'),
        total: 150,
        pending: 100,
        delivered: 50,
      });
      const { sut, campaigns } = setup(paused);
      await expect(sut.resume('a1', 'c1', 5)).rejects.toEqual(
        new UserInputError(
          'maxCost',
          "maxCost 5 is below the campaign's projected cost 27.80000 (reported 19.80000 + estimate for 100 messages " +
            'not costed yet): the campaign would pause again at once',
        ),
      );
      await expect(sut.resume('a1', 'c1', 27.79)).rejects.toBeInstanceOf(UserInputError);
      expect(campaigns.transition).not.toHaveBeenCalled();

      const sending = campaignRecord({ status: CampaignStatus.SENDING });
      campaigns.transition.mockResolvedValue(sending);
      await expect(sut.resume('a1', 'c1', 27.8)).resolves.toBe(sending);
    });

    it('should refuse a budget that is not positive, naming maxCost', async () => {
      const { sut } = setup(campaignRecord({ status: CampaignStatus.PAUSED }));
      await expect(sut.resume('a1', 'c1', 0)).rejects.toEqual(
        new UserInputError('maxCost', 'maxCost must be a positive amount'),
      );
    });
  });
});
