import { dueBatch, strictMock } from '../../test/factories/dispatch.factory';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { CampaignRepository } from '../persistence/campaign.repository';
import { DispatchRepository } from '../persistence/dispatch.repository';
import { Transactor, UnitOfWork } from '../persistence/transactor';
import { SmsGateway } from '../sms-gateway/sms-gateway';
import { SmsGatewayError } from '../sms-gateway/sms-gateway.error';
import { SmsGatewayFactory } from '../sms-gateway/sms-gateway-factory';
import { AccountSmsGateways } from './account-sms-gateways';
import { ProviderMessageRecord } from '../sms-gateway/sms-gateway.types';
import { AmbiguousBatchReconciler } from './ambiguous-batch-reconciler';
import { ProviderApiBudget } from './provider-api-budget';

const SUBMITTED_AT = new Date('2030-01-01T00:00:00Z');
const RECIPIENTS = ['+14155550001', '+14155550002'];

function record(to: string, messageUuid: string): ProviderMessageRecord {
  return {
    messageUuid,
    to: to.slice(1),
    from: '14155550100',
    status: 'QUEUED',
    errorCode: null,
    units: 1,
    totalAmount: null,
    totalRate: null,
    messageTime: SUBMITTED_AT,
  };
}

function setup(nowMs = SUBMITTED_AT.getTime() + 120_000, env: Record<string, string> = {}) {
  const config = new AppConfig(
    loadEnvironment({ DISPATCH_RECONCILE_DELAY_SECONDS: '60', DISPATCH_RECONCILE_ATTEMPTS: '3', ...env }),
  );
  const gateway = strictMock<SmsGateway>();
  const dispatch = strictMock<DispatchRepository>();
  const campaigns = strictMock<CampaignRepository>();
  campaigns.completeFinished.mockResolvedValue([]);
  const inTx = strictMock<DispatchRepository>();
  const transactor = strictMock<Transactor>();
  const unit: UnitOfWork = { dispatch: inTx, campaigns: strictMock<CampaignRepository>() };
  transactor.run.mockImplementation((work) => work(unit));
  const clock = strictMock<Clock>();
  clock.now.mockReturnValue(new Date(nowMs));
  const budget = strictMock<ProviderApiBudget>();
  budget.beforeRead.mockResolvedValue();
  dispatch.extendLease.mockResolvedValue();
  dispatch.providerIdsTakenElsewhere.mockResolvedValue(new Set());
  const sut = new AmbiguousBatchReconciler(
    new AccountSmsGateways(gateway, strictMock<SmsGatewayFactory>(), config),
    dispatch,
    campaigns,
    transactor,
    config,
    clock,
    budget,
  );
  return { sut, gateway, dispatch, inTx, campaigns, clock, config };
}

const ambiguous = dueBatch({
  state: 'AMBIGUOUS',
  submittedAt: SUBMITTED_AT,
  attempts: 1,
  messageIdFrom: 100n,
  messageIdTo: 199n,
});
// Statements on the batch's messages get its id range, so PostgreSQL prunes them to its partition.
const THE_BATCH = expect.objectContaining({ id: 'b1', messageIdFrom: 100n, messageIdTo: 199n });

function settles(inTx: ReturnType<typeof setup>['inTx']) {
  inTx.settleAmbiguousBatch.mockResolvedValue(true);
  inTx.submitFoundMessages.mockResolvedValue();
  inTx.submitAllWaitingMessages.mockResolvedValue();
  inTx.cancelWaitingMessages.mockResolvedValue();
}

describe(AmbiguousBatchReconciler.name, () => {
  describe('reconcile', () => {
    it('should accept the whole batch, resending nothing, when delivery reports prove the provider has it', async () => {
      const { sut, dispatch, inTx, campaigns } = setup();
      dispatch.hasProviderEvidence.mockResolvedValue(true);
      settles(inTx);
      await sut.reconcile('me', ambiguous);
      expect(dispatch.hasProviderEvidence).toHaveBeenCalledWith(THE_BATCH);
      expect(inTx.settleAmbiguousBatch).toHaveBeenCalledWith('b1', 'ACCEPTED', false);
      expect(inTx.submitAllWaitingMessages).toHaveBeenCalledWith(THE_BATCH);
      expect(campaigns.completeFinished).toHaveBeenCalledWith(['c1']);
    });

    it('should wait until the reconcile delay has passed since the attempt', async () => {
      const { sut, dispatch } = setup(SUBMITTED_AT.getTime() + 10_000);
      dispatch.hasProviderEvidence.mockResolvedValue(false);
      dispatch.recordReconcileAttempt.mockResolvedValue();
      await sut.reconcile('me', ambiguous);
      expect(dispatch.recordReconcileAttempt).toHaveBeenCalledWith(
        'b1',
        null,
        new Date(SUBMITTED_AT.getTime() + 60_000),
      );
    });

    it('should send again only the numbers a complete listing proves are not at the provider', async () => {
      const { sut, dispatch, gateway, inTx } = setup();
      dispatch.hasProviderEvidence.mockResolvedValue(false);
      dispatch.pendingRecipients.mockResolvedValue(RECIPIENTS);
      gateway.listMessages.mockImplementation((query) =>
        Promise.resolve(query.toNumber === RECIPIENTS[0] ? [record(RECIPIENTS[0], 'u1')] : []),
      );
      settles(inTx);
      await sut.reconcile('me', ambiguous);
      expect(dispatch.pendingRecipients).toHaveBeenCalledWith(THE_BATCH);
      expect(inTx.settleAmbiguousBatch).toHaveBeenCalledWith('b1', 'PENDING', true);
      expect(inTx.submitFoundMessages).toHaveBeenCalledWith(THE_BATCH, [{ to: RECIPIENTS[0], messageUuid: 'u1' }]);
      expect(inTx.submitAllWaitingMessages).not.toHaveBeenCalled();
      expect(inTx.cancelWaitingMessages).not.toHaveBeenCalled();
    });

    it("should not take another message's record of the same number (another campaign's) as proof", async () => {
      const { sut, dispatch, gateway, inTx } = setup();
      dispatch.hasProviderEvidence.mockResolvedValue(false);
      dispatch.pendingRecipients.mockResolvedValue(RECIPIENTS);
      // The first number has another campaign's message and this batch's; the second only another's.
      gateway.listMessages.mockImplementation((query) =>
        Promise.resolve(
          query.toNumber === RECIPIENTS[0]
            ? [record(RECIPIENTS[0], 'theirs-1'), record(RECIPIENTS[0], 'ours')]
            : query.toNumber === RECIPIENTS[1]
              ? [record(RECIPIENTS[1], 'theirs-2')]
              : [],
        ),
      );
      dispatch.providerIdsTakenElsewhere.mockResolvedValue(new Set(['theirs-1', 'theirs-2']));
      settles(inTx);
      await sut.reconcile('me', ambiguous);
      expect(dispatch.providerIdsTakenElsewhere).toHaveBeenCalledWith(
        THE_BATCH,
        expect.arrayContaining(['theirs-1', 'ours', 'theirs-2']),
        expect.any(Date),
        expect.any(Date),
      );
      expect(inTx.submitFoundMessages).toHaveBeenCalledWith(THE_BATCH, [{ to: RECIPIENTS[0], messageUuid: 'ours' }]);
      // The rest, the second number included, is provably not at the provider: sent again.
      expect(inTx.settleAmbiguousBatch).toHaveBeenCalledWith('b1', 'PENDING', true);
    });

    it('should cancel, not resend, what is provably not at the provider when the campaign was cancelled', async () => {
      const { sut, dispatch, gateway, inTx } = setup();
      dispatch.hasProviderEvidence.mockResolvedValue(false);
      dispatch.pendingRecipients.mockResolvedValue(RECIPIENTS);
      gateway.listMessages.mockResolvedValue([]);
      settles(inTx);
      await sut.reconcile('me', { ...ambiguous, campaignStatus: 'CANCELLED' });
      expect(inTx.settleAmbiguousBatch).toHaveBeenCalledWith('b1', 'CANCELLED', false);
      expect(inTx.cancelWaitingMessages).toHaveBeenCalledWith(THE_BATCH);
    });

    it('should renew its lease on the batch once a third of the lease has passed, not after every lookup', async () => {
      const { sut, dispatch, gateway, inTx, clock, config } = setup();
      const { leaseMs } = config.dispatch;
      const numbers = Array.from({ length: 9 }, (_, i) => `+1415555010${i}`);
      dispatch.hasProviderEvidence.mockResolvedValue(false);
      dispatch.pendingRecipients.mockResolvedValue(numbers);
      settles(inTx);
      const start = SUBMITTED_AT.getTime() + 120_000;
      let now = start;
      clock.now.mockImplementation(() => new Date(now));
      const renewedAt: number[] = [];
      dispatch.extendLease.mockImplementation(() => {
        renewedAt.push(now);
        return Promise.resolve();
      });

      // Lookups that take no time: the lease taken with the claim is enough.
      gateway.listMessages.mockResolvedValue([]);
      await sut.reconcile('me', ambiguous);
      expect(gateway.listMessages).toHaveBeenCalledTimes(numbers.length);
      expect(renewedAt).toEqual([]);

      // Each lookup takes a sixth of the lease: renewed, never sooner than a third of it after the last.
      gateway.listMessages.mockReset();
      gateway.listMessages.mockImplementation(() => {
        now += leaseMs / 6;
        return Promise.resolve([]);
      });
      await sut.reconcile('me', ambiguous);
      expect(gateway.listMessages).toHaveBeenCalledTimes(numbers.length);
      expect(renewedAt.length).toBeGreaterThan(0);
      expect(renewedAt.length).toBeLessThan(numbers.length);
      const gaps = renewedAt.map((at, i) => at - (i === 0 ? start : renewedAt[i - 1]));
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(leaseMs / 3);
      expect(dispatch.extendLease).toHaveBeenCalledWith('b1', 'me', leaseMs);
      expect(inTx.settleAmbiguousBatch).toHaveBeenLastCalledWith('b1', 'PENDING', false);
    });

    it('should change no message when the batch is no longer ambiguous (another instance settled it)', async () => {
      const { sut, dispatch, inTx } = setup();
      dispatch.hasProviderEvidence.mockResolvedValue(true);
      inTx.settleAmbiguousBatch.mockResolvedValue(false);
      await sut.reconcile('me', ambiguous);
      expect(inTx.settleAmbiguousBatch).toHaveBeenCalled();
    });

    it('should ask for a page again after an eighth of the retry base times the attempt when it fails for a passing reason', async () => {
      jest.useFakeTimers();
      try {
        // DISPATCH_RETRY_BASE_SECONDS 8: pauses of 1 s, then 2 s.
        const { sut, dispatch, gateway, inTx } = setup(undefined, { DISPATCH_RETRY_BASE_SECONDS: '8' });
        dispatch.hasProviderEvidence.mockResolvedValue(false);
        dispatch.pendingRecipients.mockResolvedValue([RECIPIENTS[0]]);
        gateway.listMessages
          .mockRejectedValueOnce(new SmsGatewayError('transient', 'HTTP 503', { status: 503 }))
          .mockRejectedValueOnce(new SmsGatewayError('transient', 'HTTP 503', { status: 503 }))
          .mockResolvedValue([record(RECIPIENTS[0], 'u1')]);
        settles(inTx);
        const done = sut.reconcile('me', ambiguous);
        const callsAfter = async (ms: number) => {
          await jest.advanceTimersByTimeAsync(ms);
          return gateway.listMessages.mock.calls.length;
        };
        expect(await callsAfter(0)).toBe(1);
        expect(await callsAfter(999)).toBe(1);
        expect(await callsAfter(1)).toBe(2);
        expect(await callsAfter(1_999)).toBe(2);
        expect(await callsAfter(1)).toBe(3);
        await done;
        expect(inTx.settleAmbiguousBatch).toHaveBeenCalledWith('b1', 'ACCEPTED', true);
      } finally {
        jest.useRealTimers();
      }
    });

    it('should try again later while the listing fails, and fail the messages unconfirmed after the last check', async () => {
      const { sut, dispatch, gateway, inTx } = setup();
      dispatch.hasProviderEvidence.mockResolvedValue(false);
      dispatch.pendingRecipients.mockResolvedValue(RECIPIENTS);
      gateway.listMessages.mockRejectedValue(new SmsGatewayError('permanent', 'not allowed', { status: 403 }));
      dispatch.recordReconcileAttempt.mockResolvedValue();
      await sut.reconcile('me', { ...ambiguous, reconcileAttempts: 0 });
      expect(dispatch.recordReconcileAttempt).toHaveBeenCalledWith(
        'b1',
        'listing failed: not allowed',
        new Date(SUBMITTED_AT.getTime() + 120_000 + 60_000),
      );

      inTx.markFailed.mockResolvedValue();
      inTx.failWaitingMessages.mockResolvedValue();
      await sut.reconcile('me', { ...ambiguous, reconcileAttempts: 2 });
      expect(inTx.markFailed).toHaveBeenCalledWith(
        'b1',
        'submission outcome unknown after 3 checks (listing failed: not allowed)',
      );
      expect(inTx.failWaitingMessages).toHaveBeenCalledWith(THE_BATCH, 'submission_unconfirmed');
    });
  });
});
