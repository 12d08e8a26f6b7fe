import Decimal from 'decimal.js';
import { dueBatch, pacingRow, strictMock } from '../../test/factories/dispatch.factory';
import { WindowClock } from '../quiet-hours/window-clock';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { CampaignRepository } from '../persistence/campaign.repository';
import { BatchRef, DispatchRepository } from '../persistence/dispatch.repository';
import { Transactor, UnitOfWork } from '../persistence/transactor';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { BatchClaimer, groupToWaitFor } from './batch-claimer';
import { PacingPlan } from './pacing-plan';

const NOW = new Date('2030-01-01T00:00:00Z');
const ACCOUNT_KEY = 'account:MA1';

function setup(env: Record<string, string> = {}, clock = new WindowClock()) {
  const config = new AppConfig(loadEnvironment({ PLIVO_MPS: '100', ...env }));
  const pacing = new PacingPlan(config, new ProviderAccount('sandbox', 'MA1', '+14155550100', []));
  const dispatch = strictMock<DispatchRepository>();
  const transactor = strictMock<Transactor>();
  const campaigns = strictMock<CampaignRepository>();
  const unit: UnitOfWork = { dispatch, campaigns };
  transactor.run.mockImplementation((work) => work(unit));
  dispatch.lockPacing.mockImplementation((keys) => Promise.resolve(keys.map((k) => pacingRow(k.key, NOW))));
  const outside = strictMock<DispatchRepository>();
  outside.hasDue.mockResolvedValue(true);
  return {
    sut: new BatchClaimer(transactor, outside, pacing, config, clock),
    dispatch,
    campaigns,
    outside,
    transactor,
  };
}

/** Every batch's claimable recipients, as the repository answers for several batches at once. */
function recipientsOf(recipients: (batchId: string) => string[]) {
  return (batches: readonly BatchRef[]) =>
    Promise.resolve(new Map(batches.map((batch) => [batch.id, { batch, recipients: recipients(batch.id) }])));
}

/** The campaign has no other waiting batch unless a test says so. */
function readyToSubmit(dispatch: ReturnType<typeof setup>['dispatch'], recipients = ['+14155550001', '+14155550002']) {
  dispatch.lockNextOfCampaign.mockResolvedValue([]);
  dispatch.countInFlight.mockResolvedValue(0);
  dispatch.claimableRecipients.mockImplementation(recipientsOf(() => recipients));
  dispatch.reservePacing.mockResolvedValue();
  dispatch.markSubmitting.mockResolvedValue();
  dispatch.takeTurn.mockResolvedValue();
}

describe(BatchClaimer.name, () => {
  describe('claimNext', () => {
    it('should wait a poll, not be idle, when what was due is being claimed by another transaction', async () => {
      const { sut, dispatch } = setup();
      dispatch.lockNextDue.mockResolvedValue(null);
      const before = Date.now();
      const claim = await sut.claimNext('me');
      expect(claim).toEqual({ kind: 'wait', untilMs: expect.any(Number) });
      const { pollMs } = new AppConfig(loadEnvironment({})).dispatch;
      expect((claim as { untilMs: number }).untilMs).toBeGreaterThanOrEqual(before + pollMs);
    });

    it('should be idle without a transaction when a first look finds nothing due', async () => {
      const clock: WindowClock = { now: () => new Date('2026-03-09T20:30:00Z') };
      const { sut, outside, transactor } = setup({}, clock);
      outside.hasDue.mockResolvedValue(false);
      await expect(sut.claimNext('me')).resolves.toEqual({ kind: 'idle' });
      expect(outside.hasDue).toHaveBeenCalledWith(new Date('2026-03-09T20:30:00Z'), false);
      expect(transactor.run).not.toHaveBeenCalled();
    });

    it('should look only for waiting batches when the instance may not check another one', async () => {
      const { sut, outside, dispatch } = setup();
      outside.hasDue.mockResolvedValue(true);
      dispatch.lockNextDue.mockResolvedValue(null);
      await sut.claimNext('me', { reconcile: false });
      expect(outside.hasDue).toHaveBeenCalledWith(expect.any(Date), true);
      expect(dispatch.lockNextDue).toHaveBeenCalledWith(expect.any(Date), { waitingOnly: true, exceptCampaignIds: [] });
    });

    it('should lock the account pacing row before the batch, so claims queue in fair-share order', async () => {
      const { sut, dispatch } = setup();
      dispatch.lockNextDue.mockResolvedValue(dueBatch());
      readyToSubmit(dispatch);
      await sut.claimNext('me');
      expect(dispatch.lockPacing.mock.calls[0][0]).toEqual([{ key: ACCOUNT_KEY, initialTokens: 0 }]);
      expect(dispatch.lockPacing.mock.invocationCallOrder[0]).toBeLessThan(
        dispatch.lockNextDue.mock.invocationCallOrder[0],
      );
    });

    it('should not submit a batch whose send window closed, and hold it until the window opens', async () => {
      const clock: WindowClock = { now: () => new Date('2026-03-09T20:30:00Z') };
      const { sut, dispatch } = setup({}, clock);
      const london = { windowZone: 'Europe/London', windowStartMinute: 540, windowEndMinute: 1200, windowDays: 127 };
      dispatch.lockNextDue.mockResolvedValue(dueBatch(london));
      dispatch.deferToWindow.mockResolvedValue();
      await expect(sut.claimNext('me')).resolves.toEqual({ kind: 'wait', untilMs: expect.any(Number) });
      expect(dispatch.lockNextDue).toHaveBeenCalledWith(new Date('2026-03-09T20:30:00Z'), {
        waitingOnly: false,
        exceptCampaignIds: [],
      });
      expect(dispatch.deferToWindow).toHaveBeenCalledWith('b1', new Date('2026-03-10T09:00:00Z'));
    });

    it('should submit a batch inside its send window', async () => {
      const clock: WindowClock = { now: () => new Date('2026-03-09T19:59:00Z') };
      const { sut, dispatch } = setup({}, clock);
      dispatch.lockNextDue.mockResolvedValue(
        dueBatch({ windowZone: 'Europe/London', windowStartMinute: 540, windowEndMinute: 1200, windowDays: 127 }),
      );
      readyToSubmit(dispatch);
      await expect(sut.claimNext('me')).resolves.toMatchObject({ kind: 'submit' });
    });

    it('should reconcile a batch whose submission may have reached the provider, never resubmit it', async () => {
      const { sut, dispatch } = setup();
      const batch = dueBatch({ state: 'SUBMITTING' });
      dispatch.lockNextDue.mockResolvedValue(batch);
      dispatch.markReconciling.mockResolvedValue();
      await expect(sut.claimNext('me')).resolves.toEqual({ kind: 'reconcile', batch });
      expect(dispatch.markReconciling).toHaveBeenCalledWith('b1', 'me', expect.any(Number));
    });

    it('should pause a campaign whose reported cost plus the estimate for the rest exceeds maxCost', async () => {
      const { sut, dispatch } = setup();
      // 100 messages estimated at 1.00 in all; 0.90 reported for the first half: 0.90 + 50 x 0.01 = 1.40.
      dispatch.lockNextDue.mockResolvedValue(
        dueBatch({ maxCost: new Decimal('1.2'), actualCost: new Decimal('0.9'), uncosted: 50, waiting: 50 }),
      );
      dispatch.uncostedMix.mockResolvedValue({
        waitingBatches: [{ country: 'GB', recipients: 50 }],
        inFlightBatches: [],
        pricePerMessage: new Map([['GB', new Decimal('0.01')]]),
      });
      dispatch.pauseSending.mockResolvedValue();
      const claim = await sut.claimNext('me');
      expect(claim).toEqual({
        kind: 'paused',
        campaignId: 'c1',
        reason: 'budget: projected cost 1.40000 (reported 0.90000 + estimate for 50 messages) exceeds maxCost 1.20000',
      });
      expect(dispatch.pauseSending).toHaveBeenCalledWith('c1', claim.kind === 'paused' ? claim.reason : '');
      expect(dispatch.uncostedMix).toHaveBeenCalledWith('c1', 0);
    });

    it('should wait while every request slot is taken', async () => {
      const { sut, dispatch } = setup({ PLIVO_API_CONCURRENCY: '3' });
      dispatch.lockNextDue.mockResolvedValue(dueBatch());
      dispatch.countInFlight.mockResolvedValue(3);
      await expect(sut.claimNext('me')).resolves.toMatchObject({ kind: 'wait' });
    });

    it('should settle a batch with nothing left to send without a request, and complete its campaign if done', async () => {
      const { sut, dispatch, campaigns } = setup();
      dispatch.lockNextDue.mockResolvedValue(dueBatch({ messageIdFrom: 100n, messageIdTo: 199n }));
      dispatch.countInFlight.mockResolvedValue(0);
      dispatch.claimableRecipients.mockImplementation(recipientsOf(() => []));
      dispatch.markDrained.mockResolvedValue();
      campaigns.completeFinished.mockResolvedValue([]);
      await expect(sut.claimNext('me')).resolves.toMatchObject({ kind: 'wait' });
      // The batch with its messages' id range: the statement reaches only their partition.
      expect(dispatch.claimableRecipients).toHaveBeenCalledWith(
        [expect.objectContaining({ id: 'b1', messageIdFrom: 100n, messageIdTo: 199n })],
        expect.any(String),
      );
      expect(dispatch.markDrained).toHaveBeenCalledWith('b1');
      expect(campaigns.completeFinished).toHaveBeenCalledWith([dueBatch().campaignId]);
    });

    it("should submit a list's batch with the message id range its claim made", async () => {
      const { sut, dispatch } = setup();
      dispatch.lockNextDue.mockResolvedValue(dueBatch({ messageIdFrom: null, messageIdTo: null }));
      readyToSubmit(dispatch);
      dispatch.claimableRecipients.mockImplementation((batches: readonly BatchRef[]) =>
        Promise.resolve(
          new Map(
            batches.map((batch) => [
              batch.id,
              { batch: { ...batch, messageIdFrom: 500n, messageIdTo: 501n }, recipients: ['+14155550001'] },
            ]),
          ),
        ),
      );
      const claim = await sut.claimNext('me');
      expect(claim).toMatchObject({
        kind: 'submit',
        batches: [{ batch: { id: 'b1', attempts: 1, messageIdFrom: 500n, messageIdTo: 501n } }],
      });
    });

    it('should reserve pacing, mark the batch submitting and move the campaign turn on, in that order', async () => {
      const { sut, dispatch } = setup();
      dispatch.lockNextDue.mockResolvedValue(dueBatch({ campaignPriority: 2 }));
      readyToSubmit(
        dispatch,
        Array.from({ length: 400 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`),
      );
      const claim = await sut.claimNext('me');
      expect(claim).toMatchObject({ kind: 'submit', batches: [{ batch: { id: 'b1', attempts: 1 } }] });
      // 400 messages at 100 MPS: the provider's queue drains 4 s from now.
      expect(dispatch.reservePacing).toHaveBeenCalledWith([
        {
          key: ACCOUNT_KEY,
          queueDrainsAt: new Date(NOW.getTime() + 4_000),
          apiTokens: 149,
          apiTokensAt: NOW,
          // The first claim of all starts the virtual time at the clock.
          virtualTurnAt: NOW,
        },
      ]);
      expect(dispatch.markSubmitting).toHaveBeenCalledWith(['b1'], 'me', expect.any(Number));
      // 4 s of sending at priority 2 moves the turn on by 2 s.
      expect(dispatch.takeTurn).toHaveBeenCalledWith('c1', new Date(NOW.getTime() + 2_000));
      const order = [dispatch.reservePacing, dispatch.markSubmitting, dispatch.takeTurn].map(
        (fn) => fn.mock.invocationCallOrder[0],
      );
      expect(order).toEqual([...order].sort((a, b) => a - b));
    });

    it('should wait, without marking anything, while the queue at the provider holds DISPATCH_LEAD_SECONDS', async () => {
      const { sut, dispatch } = setup({ DISPATCH_LEAD_SECONDS: '10' });
      dispatch.lockPacing.mockResolvedValue([
        pacingRow(ACCOUNT_KEY, NOW, { queueDrainsAt: new Date(NOW.getTime() + 3_000) }),
      ]);
      dispatch.lockNextDue.mockResolvedValue(dueBatch());
      readyToSubmit(
        dispatch,
        Array.from({ length: 1000 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`),
      );
      const before = Date.now();
      const claim = await sut.claimNext('me');
      // 3 s queued + 10 s for 1,000 more at 100 MPS is 13 s > 10 s: room in 3 s.
      expect(claim.kind).toBe('wait');
      const untilMs = claim.kind === 'wait' ? claim.untilMs : 0;
      expect(untilMs - before).toBeGreaterThanOrEqual(2_900);
      expect(untilMs - before).toBeLessThanOrEqual(3_100 + (Date.now() - before));
      expect(dispatch.reservePacing).not.toHaveBeenCalled();
      expect(dispatch.markSubmitting).not.toHaveBeenCalled();
    });

    it('should also hold a sender with its own MPS to its lane', async () => {
      const { sut, dispatch } = setup({ PLIVO_SENDER_MPS: '+14155550100=10' });
      dispatch.lockPacing
        .mockResolvedValueOnce([pacingRow(ACCOUNT_KEY, NOW)])
        .mockResolvedValueOnce([
          pacingRow('sender:MA1:+14155550100', NOW, { queueDrainsAt: new Date(NOW.getTime() + 9_000) }),
        ]);
      // No other campaign has a batch waiting.
      dispatch.lockNextDue.mockResolvedValueOnce(dueBatch()).mockResolvedValueOnce(null);
      readyToSubmit(
        dispatch,
        Array.from({ length: 100 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`),
      );
      const before = Date.now();
      const claim = await sut.claimNext('me');
      // The account lane has room; the sender's (9 s queued + 10 s at 10 MPS) does not: room in 9 s, but
      // it looks again after a poll for another campaign's batch.
      expect(claim.kind).toBe('wait');
      expect(dispatch.lockPacing).toHaveBeenLastCalledWith([{ key: 'sender:MA1:+14155550100', initialTokens: 0 }]);
      expect(dispatch.lockNextDue).toHaveBeenLastCalledWith(expect.any(Date), {
        waitingOnly: false,
        exceptCampaignIds: ['c1'],
      });
      expect(claim.kind === 'wait' && claim.untilMs - before).toBeLessThanOrEqual(500 + (Date.now() - before));
      expect(dispatch.markSubmitting).not.toHaveBeenCalled();
    });

    it("should pass over a campaign whose own lane is full, keeping its turn, for the next campaign's batch", async () => {
      // Waiting for the sender's lane would hold every campaign to its 10 MPS while the account's lane is empty.
      const { sut, dispatch } = setup({ PLIVO_SENDER_MPS: '+14155550100=10' });
      const fullSender = pacingRow('sender:MA1:+14155550100', NOW, { queueDrainsAt: new Date(NOW.getTime() + 9_000) });
      dispatch.lockPacing.mockImplementation((keys) =>
        Promise.resolve(keys.map((k) => (k.key === fullSender.key ? fullSender : pacingRow(k.key, NOW)))),
      );
      dispatch.lockNextDue
        .mockResolvedValueOnce(dueBatch({ campaignPriority: 4 }))
        .mockResolvedValueOnce(dueBatch({ id: 'b9', campaignId: 'c2', senderId: '+14155550199' }));
      readyToSubmit(
        dispatch,
        Array.from({ length: 100 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`),
      );
      await expect(sut.claimNext('me')).resolves.toMatchObject({ kind: 'submit', batches: [{ batch: { id: 'b9' } }] });
      expect(dispatch.lockNextDue.mock.calls.map((call) => call[1]?.exceptCampaignIds)).toEqual([[], ['c1']]);
      expect(dispatch.markSubmitting).toHaveBeenCalledWith(['b9'], 'me', expect.any(Number));
      expect(dispatch.takeTurn.mock.calls).toEqual([['c2', new Date(NOW.getTime() + 1_000)]]);
    });

    it('should wait once four campaigns in a row are passed over, until the first of their lanes has room', async () => {
      const { sut, dispatch } = setup({ PLIVO_SENDER_MPS: '+14155550100=10' });
      const fullSender = pacingRow('sender:MA1:+14155550100', NOW, { queueDrainsAt: new Date(NOW.getTime() + 9_000) });
      dispatch.lockPacing.mockImplementation((keys) =>
        Promise.resolve(keys.map((k) => (k.key === fullSender.key ? fullSender : pacingRow(k.key, NOW)))),
      );
      for (let i = 1; i <= 5; i++) {
        dispatch.lockNextDue.mockResolvedValueOnce(dueBatch({ id: `b${i}`, campaignId: `c${i}` }));
      }
      readyToSubmit(
        dispatch,
        Array.from({ length: 100 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`),
      );
      const before = Date.now();
      const claim = await sut.claimNext('me');
      expect(claim.kind).toBe('wait');
      expect(dispatch.lockNextDue).toHaveBeenCalledTimes(4);
      // Room for 100 more at 10 MPS once 9 s + 10 s is down to the 10 s lead: in 9 s.
      expect(claim.kind === 'wait' && claim.untilMs - before).toBeGreaterThanOrEqual(8_900);
      expect(dispatch.markSubmitting).not.toHaveBeenCalled();
    });

    it('should hold an account with its own MPS cap to its own lane, and move its turn on at that rate', async () => {
      const { sut, dispatch } = setup();
      const capped = dueBatch({ accountId: 'a1', accountMps: 10 });
      const recipients = Array.from({ length: 20 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);
      // Its lane holds 9 s: 20 more at 10 MPS would make it 11 s, past the 10 s lead.
      dispatch.lockPacing
        .mockResolvedValueOnce([pacingRow(ACCOUNT_KEY, NOW)])
        .mockResolvedValueOnce([pacingRow('tenant:MA1:a1', NOW, { queueDrainsAt: new Date(NOW.getTime() + 9_000) })]);
      dispatch.lockNextDue.mockResolvedValueOnce(capped).mockResolvedValueOnce(null);
      readyToSubmit(dispatch, recipients);
      await expect(sut.claimNext('me')).resolves.toMatchObject({ kind: 'wait' });
      expect(dispatch.markSubmitting).not.toHaveBeenCalled();
      dispatch.lockNextDue.mockResolvedValue(capped);

      // With room: both lanes reserved, and 20 messages at 10 MPS move its turn on by 2 s (not 0.2 s at 100).
      dispatch.lockPacing.mockImplementation((keys) => Promise.resolve(keys.map((k) => pacingRow(k.key, NOW))));
      await expect(sut.claimNext('me')).resolves.toMatchObject({ kind: 'submit' });
      expect(dispatch.reservePacing).toHaveBeenCalledWith([
        {
          key: ACCOUNT_KEY,
          queueDrainsAt: new Date(NOW.getTime() + 200),
          apiTokens: 149,
          apiTokensAt: NOW,
          virtualTurnAt: NOW,
        },
        {
          key: 'tenant:MA1:a1',
          queueDrainsAt: new Date(NOW.getTime() + 2_000),
          apiTokens: expect.any(Number),
          apiTokensAt: NOW,
        },
      ]);
      expect(dispatch.takeTurn).toHaveBeenCalledWith('c1', new Date(NOW.getTime() + 2_000));
    });

    describe('fair-share turn', () => {
      const twoHundred = Array.from({ length: 200 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);

      it('should move a turn that is in the past on from itself, not from the clock, so priority holds when claims are paced', async () => {
        // The rate limit spaced the claims: the campaign's turn is a minute behind the clock.
        const { sut, dispatch } = setup();
        const turnAt = new Date(NOW.getTime() - 60_000);
        dispatch.lockPacing.mockImplementation((keys) =>
          Promise.resolve(keys.map((k) => pacingRow(k.key, NOW, { virtualTurnAt: new Date(NOW.getTime() - 62_000) }))),
        );
        dispatch.lockNextDue.mockResolvedValue(dueBatch({ campaignPriority: 4, campaignTurnAt: turnAt }));
        readyToSubmit(dispatch, twoHundred);
        await expect(sut.claimNext('me')).resolves.toMatchObject({ kind: 'submit' });
        // 200 at 100 MPS is 2 s, at priority 4 0.5 s, from its own turn; the virtual time is where it started.
        expect(dispatch.takeTurn).toHaveBeenCalledWith('c1', new Date(turnAt.getTime() + 500));
        expect(dispatch.reservePacing).toHaveBeenCalledWith([expect.objectContaining({ virtualTurnAt: turnAt })]);
      });

      it('should start a campaign that fell behind the virtual time, or has no turn yet, from the virtual time', async () => {
        const { sut, dispatch } = setup();
        const virtualTurnAt = new Date(NOW.getTime() - 10_000);
        dispatch.lockPacing.mockImplementation((keys) =>
          Promise.resolve(keys.map((k) => pacingRow(k.key, NOW, { virtualTurnAt }))),
        );
        readyToSubmit(dispatch, twoHundred);
        // Paused an hour ago: it does not make up for the hour.
        dispatch.lockNextDue.mockResolvedValueOnce(dueBatch({ campaignTurnAt: new Date(NOW.getTime() - 3_600_000) }));
        // New.
        dispatch.lockNextDue.mockResolvedValueOnce(dueBatch({ campaignId: 'c2', campaignTurnAt: null }));
        await sut.claimNext('me');
        await sut.claimNext('me');
        expect(dispatch.takeTurn.mock.calls).toEqual([
          ['c1', new Date(virtualTurnAt.getTime() + 2_000)],
          ['c2', new Date(virtualTurnAt.getTime() + 2_000)],
        ]);
        // The virtual time stays where it was.
        expect(dispatch.reservePacing.mock.calls.map(([rows]) => rows[0].virtualTurnAt)).toEqual([
          virtualTurnAt,
          virtualTurnAt,
        ]);
      });
    });

    describe('small batches', () => {
      const thirty = (batch: number) =>
        Array.from({ length: 30 }, (_, i) => `+1415555${batch}${String(i).padStart(3, '0')}`);

      /** Batches b1, b2, … of campaign c1 with 30 recipients each; `waiting` of them after b1. */
      function campaignOfSmallBatches(dispatch: ReturnType<typeof setup>['dispatch'], waiting: number) {
        readyToSubmit(dispatch);
        dispatch.lockNextDue.mockResolvedValue(dueBatch({ id: 'b1' }));
        dispatch.lockNextOfCampaign.mockImplementation((_, campaignId, exceptIds, limit) =>
          Promise.resolve(
            Array.from({ length: Math.min(limit, waiting) }, (_, i) => dueBatch({ id: `b${i + 2}`, campaignId })),
          ),
        );
        dispatch.claimableRecipients.mockImplementation(recipientsOf((batchId) => thirty(Number(batchId.slice(1)))));
      }

      it('should claim more waiting batches of the campaign in the same transaction, up to a second of the MPS', async () => {
        const { sut, dispatch } = setup();
        campaignOfSmallBatches(dispatch, 10);
        const claim = await sut.claimNext('me');
        // 30 + 30 + 30 at 100 MPS is 0.9 s; a fourth would make 1.2 s.
        expect(claim).toMatchObject({
          kind: 'submit',
          batches: [
            { batch: { id: 'b1', attempts: 1 }, recipients: thirty(1) },
            { batch: { id: 'b2', attempts: 1 }, recipients: thirty(2) },
            { batch: { id: 'b3', attempts: 1 }, recipients: thirty(3) },
          ],
        });
        // The next ones read at once (up to 16 in all), never the batch it holds already (its own
        // locks do not make SKIP LOCKED skip it); a statement for their recipients, one to mark all three.
        expect(dispatch.lockNextOfCampaign).toHaveBeenCalledWith(expect.any(Date), 'c1', ['b1'], 15);
        expect(dispatch.claimableRecipients).toHaveBeenCalledTimes(2);
        // One reservation for the three: 0.9 s of queue, three API tokens; the turn moves on by all of it.
        expect(dispatch.reservePacing).toHaveBeenCalledTimes(1);
        expect(dispatch.reservePacing).toHaveBeenCalledWith([
          {
            key: ACCOUNT_KEY,
            queueDrainsAt: new Date(NOW.getTime() + 900),
            apiTokens: 147,
            apiTokensAt: NOW,
            virtualTurnAt: NOW,
          },
        ]);
        expect(dispatch.markSubmitting.mock.calls.map((call) => call[0])).toEqual([['b1', 'b2', 'b3']]);
        expect(dispatch.takeTurn).toHaveBeenCalledWith('c1', new Date(NOW.getTime() + 900));
        const order = [dispatch.reservePacing, dispatch.markSubmitting, dispatch.takeTurn].map(
          (fn) => fn.mock.invocationCallOrder[0],
        );
        expect(order).toEqual([...order].sort((a, b) => a - b));
      });

      it('should take no more batches than request slots and API tokens allow', async () => {
        const slots = setup({ PLIVO_API_CONCURRENCY: '4' });
        campaignOfSmallBatches(slots.dispatch, 10);
        slots.dispatch.countInFlight.mockResolvedValue(2);
        const bySlots = await slots.sut.claimNext('me');
        expect(bySlots.kind === 'submit' && bySlots.batches.map((b) => b.batch.id)).toEqual(['b1', 'b2']);

        const tokens = setup();
        campaignOfSmallBatches(tokens.dispatch, 10);
        tokens.dispatch.lockPacing.mockResolvedValue([pacingRow(ACCOUNT_KEY, NOW, { apiTokens: 2 })]);
        const byTokens = await tokens.sut.claimNext('me');
        expect(byTokens.kind === 'submit' && byTokens.batches.map((b) => b.batch.id)).toEqual(['b1', 'b2']);
      });

      it('should take at most 16 batches in one claim, however small they are', async () => {
        // 1,000 MPS: a second would hold 33 batches of 30; the claim's transaction stays short instead.
        const { sut, dispatch } = setup({ PLIVO_MPS: '1000', PLIVO_API_CONCURRENCY: '100' });
        campaignOfSmallBatches(dispatch, 40);
        const claim = await sut.claimNext('me');
        expect(claim.kind === 'submit' && claim.batches.length).toBe(16);
      });

      it('should claim a full batch alone, even when it is under a second of the MPS', async () => {
        // 2,000 MPS and a 0.5 s lead: full batches of 1,000, half a second each.
        const { sut, dispatch } = setup({ PLIVO_MPS: '2000', DISPATCH_LEAD_SECONDS: '0.5' });
        campaignOfSmallBatches(dispatch, 10);
        const full = Array.from({ length: 1000 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);
        dispatch.claimableRecipients.mockImplementation(recipientsOf(() => full));
        const claim = await sut.claimNext('me');
        expect(claim.kind === 'submit' && claim.batches.map((b) => b.batch.id)).toEqual(['b1']);
        expect(dispatch.lockNextOfCampaign).not.toHaveBeenCalled();
      });

      it('should claim a small batch only once a group of them fits in the lane, not as soon as it does', async () => {
        // 25 MPS and a 1 s lead: the lane holds 25 messages and is full; one-number batches (templated texts).
        const { sut, dispatch } = setup({ PLIVO_MPS: '25', DISPATCH_LEAD_SECONDS: '1' });
        readyToSubmit(dispatch, ['+14155550001']);
        dispatch.lockNextDue.mockResolvedValue(dueBatch());
        dispatch.lockPacing.mockResolvedValue([
          pacingRow(ACCOUNT_KEY, NOW, { queueDrainsAt: new Date(NOW.getTime() + 1_000) }),
        ]);
        const before = Date.now();
        const claim = await sut.claimNext('me');
        // Room for one comes in 40 ms; for a group of 12 (half the lane), in 480 ms.
        const untilMs = claim.kind === 'wait' ? claim.untilMs : 0;
        expect(untilMs - before).toBeGreaterThanOrEqual(470);
        expect(untilMs - before).toBeLessThanOrEqual(490 + (Date.now() - before));

        // With room for two, it still waits for the group: 0.9 s queued, 12 more fit in 380 ms.
        dispatch.lockPacing.mockResolvedValue([
          pacingRow(ACCOUNT_KEY, NOW, { queueDrainsAt: new Date(NOW.getTime() + 900) }),
        ]);
        const again = Date.now();
        const second = await sut.claimNext('me');
        const secondUntil = second.kind === 'wait' ? second.untilMs : 0;
        expect(secondUntil - again).toBeGreaterThanOrEqual(370);
        expect(secondUntil - again).toBeLessThanOrEqual(390 + (Date.now() - again));
        expect(dispatch.markSubmitting).not.toHaveBeenCalled();
      });

      it('should size the group it waits for by the MPS, the batch and the lane', () => {
        expect(groupToWaitFor(1, 25, 25)).toBe(12);
        expect(groupToWaitFor(1, 1000, 1000)).toBe(16);
        expect(groupToWaitFor(30, 100, 1000)).toBe(100);
        expect(groupToWaitFor(30, 40, 40)).toBe(30);
        expect(groupToWaitFor(1, 1, 10)).toBe(1);
      });

      it('should claim the batch alone when the campaign has no other waiting batch', async () => {
        const { sut, dispatch } = setup();
        campaignOfSmallBatches(dispatch, 0);
        const claim = await sut.claimNext('me');
        expect(claim.kind === 'submit' && claim.batches.map((b) => b.batch.id)).toEqual(['b1']);
        expect(dispatch.takeTurn).toHaveBeenCalledWith('c1', new Date(NOW.getTime() + 300));
      });
    });
  });
});
