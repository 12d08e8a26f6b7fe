import { randomBytes } from 'node:crypto';
import { dueBatch, strictMock } from '../../test/factories/dispatch.factory';
import { SettingsCipher } from '../accounts/settings-cipher';
import { MetricsService } from '../common/metrics/metrics.service';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { CampaignRepository } from '../persistence/campaign.repository';
import { DispatchRepository, NothingSubmittedRolledBack } from '../persistence/dispatch.repository';
import { Transactor, UnitOfWork } from '../persistence/transactor';
import { SmsGateway } from '../sms-gateway/sms-gateway';
import { SmsGatewayError } from '../sms-gateway/sms-gateway.error';
import { SmsGatewayFactory } from '../sms-gateway/sms-gateway-factory';
import { AccountSmsGateways } from './account-sms-gateways';
import { BatchSubmitter } from './batch-submitter';
import { DispatchMetrics } from './dispatch.metrics';
import { PacingKey } from './pacing-plan';
import { PacingLedger } from './pacing-ledger';

const NOW = new Date('2030-01-01T00:00:10Z');
const KEYS: PacingKey[] = [
  { key: 'account:MA1', limits: { mps: 5, maxQueueMs: 10_000, apiBurst: 150, apiRefillPerMs: 0.03 } },
];
const RECIPIENTS = ['+14155550001', '+14155550002'];

const SETTINGS_KEY = randomBytes(32);

function setup(env: Record<string, string> = { SETTINGS_ENCRYPTION_KEY: SETTINGS_KEY.toString('base64') }) {
  const config = new AppConfig(
    loadEnvironment({ API_BASE_URL: 'https://sms.example', DISPATCH_RECONCILE_DELAY_SECONDS: '60', ...env }),
  );
  const gateway = strictMock<SmsGateway>();
  const factory = strictMock<SmsGatewayFactory>();
  const dispatch = strictMock<DispatchRepository>();
  const campaigns = strictMock<CampaignRepository>();
  const inTx = strictMock<DispatchRepository>();
  const transactor = strictMock<Transactor>();
  const unit: UnitOfWork = { dispatch: inTx, campaigns: strictMock<CampaignRepository>() };
  transactor.run.mockImplementation((work) => work(unit));
  const ledger = strictMock<PacingLedger>();
  ledger.release.mockResolvedValue();
  const clock = strictMock<Clock>();
  clock.now.mockReturnValue(NOW);
  campaigns.completeFinished.mockResolvedValue([]);
  const metrics = new DispatchMetrics(new MetricsService());
  const sut = new BatchSubmitter(
    new AccountSmsGateways(gateway, factory, config),
    dispatch,
    campaigns,
    transactor,
    ledger,
    config,
    clock,
    metrics,
  );
  return { sut, gateway, factory, dispatch, inTx, ledger, campaigns };
}

describe(BatchSubmitter.name, () => {
  describe('submit', () => {
    it('should send the batch with a callback naming it and an explicit message_expiry', async () => {
      const { sut, gateway, inTx } = setup();
      gateway.submitBatch.mockResolvedValue({ apiId: 'api-1', messageUuids: ['u1', 'u2'], invalidNumbers: [] });
      inTx.markAccepted.mockResolvedValue();
      inTx.submitWaitingMessages.mockResolvedValue();
      await sut.submit('me', dueBatch(), RECIPIENTS, KEYS);
      expect(gateway.submitBatch).toHaveBeenCalledWith({
        batchId: 'b1',
        src: '+14155550100',
        recipients: RECIPIENTS,
        text: 'hello',
        callbackUrl: 'https://sms.example/api/webhooks/plivo/delivery-report?batch=b1',
        callbackMethod: 'POST',
        messageExpirySeconds: 10_799,
      });
    });

    it('should record an accepted batch and its messages in one transaction, numbers called invalid rejected', async () => {
      const { sut, gateway, inTx, campaigns } = setup();
      gateway.submitBatch.mockResolvedValue({ apiId: 'api-1', messageUuids: ['u1'], invalidNumbers: ['14155550002'] });
      inTx.markAccepted.mockResolvedValue();
      inTx.submitWaitingMessages.mockResolvedValue();
      await sut.submit('me', dueBatch({ messageIdFrom: 100n, messageIdTo: 199n }), RECIPIENTS, KEYS);
      expect(inTx.markAccepted).toHaveBeenCalledWith('b1', 'api-1', ['u1']);
      // With its messages' id range, so that the statement reaches only their partition.
      expect(inTx.submitWaitingMessages).toHaveBeenCalledWith(
        expect.objectContaining({ id: 'b1', messageIdFrom: 100n, messageIdTo: 199n }),
        ['14155550002'],
        null,
      );
      expect(campaigns.completeFinished).toHaveBeenCalledWith(['c1']);
    });

    it('should learn the provider id of a one-recipient batch at once', async () => {
      const { sut, gateway, inTx } = setup();
      gateway.submitBatch.mockResolvedValue({ apiId: 'api-1', messageUuids: ['u1'], invalidNumbers: [] });
      inTx.markAccepted.mockResolvedValue();
      inTx.submitWaitingMessages.mockResolvedValue();
      await sut.submit('me', dueBatch(), ['+14155550001'], KEYS);
      expect(inTx.submitWaitingMessages).toHaveBeenCalledWith(expect.objectContaining({ id: 'b1' }), [], 'u1');
    });

    it('should give the queue time back and retry later after a transient failure', async () => {
      const { sut, gateway, dispatch, ledger } = setup();
      gateway.submitBatch.mockRejectedValue(
        new SmsGatewayError('transient', 'too many requests', { status: 429, retryAfterMs: 5_000 }),
      );
      dispatch.markRetry.mockResolvedValue();
      await sut.submit('me', dueBatch({ attempts: 1 }), RECIPIENTS, KEYS);
      expect(ledger.release).toHaveBeenCalledWith(KEYS, 2);
      const [, owner, reason, nextAttemptAt] = dispatch.markRetry.mock.calls[0];
      expect(owner).toBe('me');
      expect(reason).toBe('transient (HTTP 429): too many requests');
      expect(nextAttemptAt.getTime()).toBeGreaterThanOrEqual(NOW.getTime() + 5_000);
    });

    it('should count the retry age from the first attempt, not from creation (a batch that waited for its window)', async () => {
      const { sut, gateway, dispatch } = setup();
      gateway.submitBatch.mockRejectedValue(new SmsGatewayError('transient', 'bad gateway', { status: 502 }));
      dispatch.markRetry.mockResolvedValue();
      // Created a day before, held by quiet hours, tried for the first time now (DISPATCH_MAX_AGE 6 h).
      const waited = dueBatch({
        attempts: 1,
        createdAt: new Date(NOW.getTime() - 24 * 3600_000),
        firstAttemptAt: null,
      });
      await sut.submit('me', waited, RECIPIENTS, KEYS);
      expect(dispatch.markRetry).toHaveBeenCalledTimes(1);
    });

    it('should give up on a transient failure once the first attempt is older than DISPATCH_MAX_AGE_SECONDS', async () => {
      const { sut, gateway, inTx } = setup();
      gateway.submitBatch.mockRejectedValue(new SmsGatewayError('transient', 'bad gateway', { status: 502 }));
      inTx.markFailed.mockResolvedValue();
      inTx.failWaitingMessages.mockResolvedValue();
      const tried = dueBatch({ attempts: 2, firstAttemptAt: new Date(NOW.getTime() - 6 * 3600_000) });
      await sut.submit('me', tried, RECIPIENTS, KEYS);
      expect(inTx.markFailed).toHaveBeenCalledWith(
        'b1',
        expect.stringMatching(/gave up: the batch would be older than 21600 s/),
      );
    });

    it('should fail the batch and its messages when the provider refuses it for good', async () => {
      const { sut, gateway, inTx, ledger } = setup();
      gateway.submitBatch.mockRejectedValue(new SmsGatewayError('permanent', 'bad src', { status: 400 }));
      inTx.markFailed.mockResolvedValue();
      inTx.failWaitingMessages.mockResolvedValue();
      await sut.submit('me', dueBatch({ messageIdFrom: 100n, messageIdTo: 199n }), RECIPIENTS, KEYS);
      expect(ledger.release).toHaveBeenCalledWith(KEYS, 2);
      expect(inTx.markFailed).toHaveBeenCalledWith('b1', 'permanent (HTTP 400): bad src');
      expect(inTx.failWaitingMessages).toHaveBeenCalledWith(
        expect.objectContaining({ id: 'b1', messageIdFrom: 100n, messageIdTo: 199n }),
        'submission_refused',
      );
    });

    it('should pause the campaign, batch first, when the account is refused after some of it was submitted, without counting the attempt', async () => {
      const { sut, gateway, inTx } = setup();
      gateway.submitBatch.mockRejectedValue(new SmsGatewayError('pause', 'authentication failed', { status: 401 }));
      inTx.markWaitingForResume.mockResolvedValue();
      inTx.failIfNothingSubmitted.mockResolvedValue(false);
      inTx.pauseSending.mockResolvedValue();
      await sut.submit('me', dueBatch(), RECIPIENTS, KEYS);
      const reason = 'pause (HTTP 401): authentication failed';
      expect(inTx.markWaitingForResume).toHaveBeenCalledWith('b1', 'me', reason);
      expect(inTx.failIfNothingSubmitted).toHaveBeenCalledWith('c1', reason);
      expect(inTx.pauseSending).toHaveBeenCalledWith('c1', reason);
      expect(inTx.markWaitingForResume.mock.invocationCallOrder[0]).toBeLessThan(
        inTx.pauseSending.mock.invocationCallOrder[0],
      );
    });

    it('should fail the campaign instead when the account is refused before anything of it was submitted', async () => {
      const { sut, gateway, inTx } = setup();
      gateway.submitBatch.mockRejectedValue(new SmsGatewayError('pause', 'authentication failed', { status: 401 }));
      inTx.markWaitingForResume.mockResolvedValue();
      inTx.failIfNothingSubmitted.mockResolvedValue(true);
      await sut.submit('me', dueBatch(), RECIPIENTS, KEYS);
      expect(inTx.failIfNothingSubmitted).toHaveBeenCalledWith('c1', 'pause (HTTP 401): authentication failed');
      expect(inTx.pauseSending).not.toHaveBeenCalled();
    });

    it('should pause the campaign after all when failing it was rolled back (paused by its account, a message on its way)', async () => {
      const { sut, gateway, inTx } = setup();
      gateway.submitBatch.mockRejectedValue(new SmsGatewayError('pause', 'authentication failed', { status: 401 }));
      inTx.markWaitingForResume.mockResolvedValue();
      inTx.failIfNothingSubmitted.mockRejectedValue(new NothingSubmittedRolledBack());
      inTx.pauseSending.mockResolvedValue();
      await sut.submit('me', dueBatch(), RECIPIENTS, KEYS);
      expect(inTx.markWaitingForResume).toHaveBeenCalledTimes(2);
      expect(inTx.pauseSending).toHaveBeenCalledWith('c1', 'pause (HTTP 401): authentication failed');
    });

    it("should send an account's batch through its own Plivo sub-account when it has one", async () => {
      const { sut, gateway, factory, inTx } = setup();
      const subaccount = strictMock<SmsGateway>();
      factory.forCredentials.mockReturnValue(subaccount);
      subaccount.submitBatch.mockResolvedValue({ apiId: 'api-1', messageUuids: ['u1', 'u2'], invalidNumbers: [] });
      inTx.markAccepted.mockResolvedValue();
      inTx.submitWaitingMessages.mockResolvedValue();
      const sealed = new SettingsCipher(SETTINGS_KEY).seal('sub-token', 'a1');
      await sut.submit('me', dueBatch({ plivoAuthId: 'SA1', plivoAuthTokenEncrypted: sealed }), RECIPIENTS, KEYS);
      expect(factory.forCredentials).toHaveBeenCalledWith('SA1', 'sub-token');
      expect(subaccount.submitBatch).toHaveBeenCalledTimes(1);
      expect(gateway.submitBatch).not.toHaveBeenCalled();
      expect(inTx.markAccepted).toHaveBeenCalledWith('b1', 'api-1', ['u1', 'u2']);
    });

    it("should pause the campaign, sending nothing, when the account's token cannot be opened", async () => {
      const { sut, gateway, inTx, ledger } = setup({});
      inTx.markWaitingForResume.mockResolvedValue();
      inTx.failIfNothingSubmitted.mockResolvedValue(false);
      inTx.pauseSending.mockResolvedValue();
      const sealed = new SettingsCipher(SETTINGS_KEY).seal('sub-token', 'a1');
      await sut.submit('me', dueBatch({ plivoAuthId: 'SA1', plivoAuthTokenEncrypted: sealed }), RECIPIENTS, KEYS);
      expect(gateway.submitBatch).not.toHaveBeenCalled();
      expect(ledger.release).toHaveBeenCalledWith(KEYS, 2);
      expect(inTx.pauseSending).toHaveBeenCalledWith('c1', expect.stringMatching(/^pause: .*SETTINGS_ENCRYPTION_KEY/));
    });

    it('should never resend a batch whose outcome is unknown, nor give its queue time back: it is reconciled', async () => {
      const { sut, gateway, dispatch, ledger } = setup();
      gateway.submitBatch.mockRejectedValue(new SmsGatewayError('ambiguous', 'socket hang up'));
      dispatch.markAmbiguous.mockResolvedValue();
      await sut.submit('me', dueBatch(), RECIPIENTS, KEYS);
      expect(dispatch.markAmbiguous).toHaveBeenCalledWith(
        'b1',
        'ambiguous: socket hang up',
        new Date(NOW.getTime() + 60_000),
      );
      expect(ledger.release).not.toHaveBeenCalled();
    });
  });
});
