import { dueBatch, strictMock } from '../../test/factories/dispatch.factory';
import { AppConfig } from '../config/app-config.service';
import { loadEnvironment } from '../config/env.schema';
import { CampaignEvents } from '../domain/campaign-events';
import { CampaignRepository } from '../persistence/campaign.repository';
import { DispatchRepository } from '../persistence/dispatch.repository';
import { AmbiguousBatchReconciler } from './ambiguous-batch-reconciler';
import { BatchClaimer, Claim } from './batch-claimer';
import { BatchSubmitter } from './batch-submitter';
import { DispatcherWakeup } from './dispatcher-wakeup';
import { DispatcherService } from './dispatcher.service';

function setup(claims: Claim[], concurrency = 1, env: Record<string, string> = {}) {
  const config = new AppConfig(
    loadEnvironment({ DISPATCH_CONCURRENCY: String(concurrency), DISPATCH_POLL_MS: '10', ...env }),
  );
  const dispatch = strictMock<DispatchRepository>();
  dispatch.releaseLeases.mockResolvedValue();
  dispatch.startScheduledCampaigns.mockResolvedValue([]);
  const submitter = strictMock<BatchSubmitter>();
  submitter.submit.mockResolvedValue();
  const reconciler = strictMock<AmbiguousBatchReconciler>();
  reconciler.reconcile.mockResolvedValue();
  const claimer = strictMock<BatchClaimer>();
  let next = 0;
  claimer.claimNext.mockImplementation(() => Promise.resolve(claims[next++] ?? { kind: 'idle' }));
  const events = strictMock<CampaignEvents>();
  events.campaignsChanged.mockReturnValue(undefined);
  const wakeup = new DispatcherWakeup();
  const campaigns = strictMock<CampaignRepository>();
  campaigns.completeAllFinished.mockResolvedValue([]);
  const sut = new DispatcherService(dispatch, campaigns, submitter, reconciler, claimer, config, events, wakeup);
  const drained = () => next >= claims.length + 1;
  return { sut, dispatch, campaigns, submitter, reconciler, claimer, events, wakeup, drained };
}

/** A claim of one batch to one recipient, paced on the account's lane. */
function submitClaim(batch = dueBatch()): Claim {
  const pacingKeys = [
    { key: 'account:MA1', limits: { mps: 5, maxQueueMs: 10_000, apiBurst: 150, apiRefillPerMs: 0.03 } },
  ];
  return { kind: 'submit', batches: [{ batch, recipients: ['+14155550001'] }], pacingKeys };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe(DispatcherService.name, () => {
  it('should submit a claimed batch after the claim committed, and tell live progress', async () => {
    const batch = dueBatch();
    const keys = [{ key: 'account:MA1', limits: { mps: 5, maxQueueMs: 10_000, apiBurst: 150, apiRefillPerMs: 0.03 } }];
    const { sut, submitter, events, drained } = setup([
      { kind: 'submit', batches: [{ batch, recipients: ['+14155550001'] }], pacingKeys: keys },
    ]);
    sut.onApplicationBootstrap();
    await until(drained);
    await sut.onModuleDestroy();
    expect(submitter.submit).toHaveBeenCalledWith(sut.owner, batch, ['+14155550001'], keys);
    expect(events.campaignsChanged).toHaveBeenCalledWith(['c1']);
  });

  it('should reconcile, never submit, a batch whose submission may have reached the provider', async () => {
    const batch = dueBatch({ state: 'AMBIGUOUS' });
    const { sut, submitter, reconciler, drained } = setup([{ kind: 'reconcile', batch }]);
    sut.onApplicationBootstrap();
    await until(drained);
    await sut.onModuleDestroy();
    expect(reconciler.reconcile).toHaveBeenCalledWith(sut.owner, batch, expect.any(AbortSignal));
    expect(submitter.submit).not.toHaveBeenCalled();
  });

  it('should keep workers for sending: a quarter of them at most check batches, the others claim waiting ones only', async () => {
    const checks: Array<() => void> = [];
    const { sut, reconciler, claimer } = setup([], 8);
    reconciler.reconcile.mockImplementation(() => new Promise<void>((resolve) => checks.push(resolve)));
    claimer.claimNext.mockImplementation((_owner, options) =>
      Promise.resolve(
        options?.reconcile ? { kind: 'reconcile', batch: dueBatch({ state: 'AMBIGUOUS' }) } : { kind: 'idle' },
      ),
    );
    sut.onApplicationBootstrap();
    await until(() => checks.length === 2 && claimer.claimNext.mock.calls.length > 10);
    // Two checks under way (8 workers): every later claim is for waiting batches only.
    expect(reconciler.reconcile).toHaveBeenCalledTimes(2);
    expect(claimer.claimNext.mock.calls.slice(-5).map(([, options]) => options)).toEqual(
      Array(5).fill({ reconcile: false }),
    );
    // One check ends: its slot is taken again.
    checks[0]();
    await until(() => checks.length === 3);
    const stopped = sut.onModuleDestroy();
    checks.slice(1).forEach((end) => end());
    await stopped;
  });

  it("should end a check waiting for the provider's list budget when it stops, instead of waiting it out", async () => {
    const { sut, reconciler } = setup([{ kind: 'reconcile', batch: dueBatch({ state: 'AMBIGUOUS' }) }]);
    let signal: AbortSignal | undefined;
    reconciler.reconcile.mockImplementation((_owner, _batch, given) => {
      signal = given;
      return new Promise<void>((resolve) => given!.addEventListener('abort', () => resolve()));
    });
    sut.onApplicationBootstrap();
    await until(() => signal !== undefined);
    await sut.onModuleDestroy();
    expect(signal!.aborted).toBe(true);
  });

  it('should tell live progress about a budget pause', async () => {
    const { sut, events, drained } = setup([{ kind: 'paused', campaignId: 'c9', reason: 'budget: …' }]);
    sut.onApplicationBootstrap();
    await until(drained);
    await sut.onModuleDestroy();
    expect(events.campaignsChanged).toHaveBeenCalledWith(['c9']);
  });

  it('should make every shutdown call wait for the step under way, a second one too', async () => {
    const batch = dueBatch({ state: 'AMBIGUOUS' });
    const { sut, reconciler, dispatch } = setup([{ kind: 'reconcile', batch }]);
    let finishStep!: () => void;
    reconciler.reconcile.mockImplementation(() => new Promise<void>((resolve) => (finishStep = resolve)));
    sut.onApplicationBootstrap();
    await until(() => reconciler.reconcile.mock.calls.length > 0);
    let firstDone = false;
    let secondDone = false;
    void sut.onModuleDestroy().then(() => (firstDone = true));
    void sut.onModuleDestroy().then(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([firstDone, secondDone]).toEqual([false, false]);
    finishStep();
    await until(() => firstDone && secondDone);
    expect(dispatch.releaseLeases).toHaveBeenCalledTimes(1);
  });

  it('should keep working after a failed step, and release its leases on shutdown', async () => {
    const { sut, claimer, dispatch } = setup([]);
    claimer.claimNext.mockRejectedValueOnce(new Error('connection lost')).mockResolvedValue({ kind: 'idle' });
    sut.onApplicationBootstrap();
    await until(() => claimer.claimNext.mock.calls.length >= 2);
    await sut.onModuleDestroy();
    expect(dispatch.releaseLeases).toHaveBeenCalledWith(sut.owner);
  });

  it('should complete, a second after start and every ten seconds after, campaigns left open with every message final, and tell live progress', async () => {
    jest.useFakeTimers();
    try {
      const { sut, campaigns, events } = setup([]);
      campaigns.completeAllFinished.mockResolvedValueOnce(['c9']);
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(999);
      expect(campaigns.completeAllFinished).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1);
      expect(campaigns.completeAllFinished).toHaveBeenCalledTimes(1);
      expect(events.campaignsChanged).toHaveBeenCalledWith(['c9']);
      await jest.advanceTimersByTimeAsync(9_999);
      expect(campaigns.completeAllFinished).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(campaigns.completeAllFinished).toHaveBeenCalledTimes(2);
      await sut.onModuleDestroy();
    } finally {
      jest.useRealTimers();
    }
  });

  describe('when idle', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('should poll with one worker only, the others waiting to be woken', async () => {
      const { sut, claimer } = setup([], 4);
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
      expect(claimer.claimNext).toHaveBeenCalledTimes(4);
      await jest.advanceTimersByTimeAsync(100);
      // One claim per DISPATCH_POLL_MS (10 ms), not four.
      expect(claimer.claimNext).toHaveBeenCalledTimes(4 + 10);
      await sut.onModuleDestroy();
    });

    it('should poll every DISPATCH_IDLE_POLL_MS once a second of polls found nothing due, and every DISPATCH_POLL_MS again once one finds work', async () => {
      const { sut, claimer } = setup([], 4, { DISPATCH_IDLE_POLL_MS: '200' });
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
      expect(claimer.claimNext).toHaveBeenCalledTimes(4);
      // A second of claims that found nothing due: the 100th (the 4 first, then the poller's every 10 ms
      // up to 960 ms) slows the poller down to one claim every 200 ms (1,160, 1,360, ... 1,960 ms).
      await jest.advanceTimersByTimeAsync(970);
      expect(claimer.claimNext).toHaveBeenCalledTimes(100);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(claimer.claimNext).toHaveBeenCalledTimes(105);

      // Another instance stored work: the next idle poll finds it, and the poller is back at 10 ms.
      claimer.claimNext.mockResolvedValueOnce(submitClaim());
      await jest.advanceTimersByTimeAsync(200);
      const afterFound = claimer.claimNext.mock.calls.length;
      await jest.advanceTimersByTimeAsync(100);
      expect(claimer.claimNext.mock.calls.length - afterFound).toBeGreaterThanOrEqual(9);
      await sut.onModuleDestroy();
    });

    it('should claim at once when woken while polling slowly', async () => {
      const { sut, claimer, wakeup } = setup([], 1, { DISPATCH_IDLE_POLL_MS: '60000' });
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(1_100);
      const slow = claimer.claimNext.mock.calls.length;
      await jest.advanceTimersByTimeAsync(10_000);
      expect(claimer.claimNext.mock.calls.length).toBe(slow);
      wakeup.wake();
      await jest.advanceTimersByTimeAsync(0);
      expect(claimer.claimNext.mock.calls.length).toBe(slow + 1);
      await sut.onModuleDestroy();
    });

    it('should claim a paced campaign with one worker at each turn, not with all of them', async () => {
      const { sut, claimer } = setup([], 4);
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(5);
      expect(claimer.claimNext).toHaveBeenCalledTimes(4);
      // From now on a campaign is due, but its lane is full for 5 ms at a time.
      claimer.claimNext.mockImplementation(() => Promise.resolve({ kind: 'wait', untilMs: Date.now() + 5 }));
      await jest.advanceTimersByTimeAsync(5);
      await jest.advanceTimersByTimeAsync(50);
      // The poller's claim at 10 ms, then one per turn of 5 ms.
      expect(claimer.claimNext).toHaveBeenCalledTimes(4 + 1 + 10);
      await sut.onModuleDestroy();
    });

    it('should let the worker whose turn comes first poll, when another waits for a later one', async () => {
      const { sut, claimer } = setup([], 2);
      claimer.claimNext
        .mockResolvedValueOnce({ kind: 'wait', untilMs: Date.now() + 8 })
        .mockResolvedValueOnce({ kind: 'wait', untilMs: Date.now() + 3 })
        .mockResolvedValue({ kind: 'wait', untilMs: Number.MAX_SAFE_INTEGER });
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
      expect(claimer.claimNext).toHaveBeenCalledTimes(2);
      await jest.advanceTimersByTimeAsync(3);
      expect(claimer.claimNext).toHaveBeenCalledTimes(3);
      // The first one's turn (8 ms) still comes: it looks again then, once; the pacing says "later"
      // (capped at DISPATCH_POLL_MS) from then on, for the one polling.
      await jest.advanceTimersByTimeAsync(5);
      expect(claimer.claimNext).toHaveBeenCalledTimes(4);
      await jest.advanceTimersByTimeAsync(20);
      expect(claimer.claimNext).toHaveBeenCalledTimes(6);
      await sut.onModuleDestroy();
    });

    it('should bring waiting workers back one by one while a paced campaign has turns to claim', async () => {
      const submit = submitClaim();
      const { sut, claimer, submitter } = setup([], 4);
      let turns = 3;
      claimer.claimNext.mockImplementation(() =>
        Promise.resolve(turns-- > 0 ? submit : { kind: 'wait', untilMs: Date.now() + 1_000 }),
      );
      submitter.submit.mockImplementation(() => new Promise(() => undefined)); // still at the provider
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
      // Three workers got a turn each and submit; the fourth waits for the next turn.
      expect(submitter.submit).toHaveBeenCalledTimes(3);
      expect(claimer.claimNext).toHaveBeenCalledTimes(4);
      await jest.advanceTimersByTimeAsync(10);
      expect(claimer.claimNext).toHaveBeenCalledTimes(5);
      void sut.onModuleDestroy();
    });

    it('should hand the search on to a waiting worker when the polling one finds work', async () => {
      const batch = dueBatch();
      const keys = [
        { key: 'account:MA1', limits: { mps: 5, maxQueueMs: 10_000, apiBurst: 150, apiRefillPerMs: 0.03 } },
      ];
      const idle: Claim = { kind: 'idle' };
      const submit: Claim = { kind: 'submit', batches: [{ batch, recipients: ['+14155550001'] }], pacingKeys: keys };
      const { sut, claimer, submitter } = setup([idle, idle, idle, idle, submit, submit], 4);
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
      expect(claimer.claimNext).toHaveBeenCalledTimes(4);
      await jest.advanceTimersByTimeAsync(1);
      expect(claimer.claimNext).toHaveBeenCalledTimes(4);
      await jest.advanceTimersByTimeAsync(9);
      // The poller found a batch and woke one waiting worker, which found the next and woke another;
      // that one found nothing and polls now; the first two, done, found nothing either and wait.
      expect(submitter.submit).toHaveBeenCalledTimes(2);
      expect(claimer.claimNext).toHaveBeenCalledTimes(4 + 1 + 1 + 1 + 2);
      await jest.advanceTimersByTimeAsync(10);
      expect(claimer.claimNext).toHaveBeenCalledTimes(4 + 1 + 1 + 1 + 2 + 1);
      await sut.onModuleDestroy();
    });

    it('should wake one worker on a wake-up (work stored by this instance), which hands on while it finds work', async () => {
      const idle: Claim = { kind: 'idle' };
      const submit = submitClaim();
      const { sut, claimer, submitter, wakeup } = setup([idle, idle, idle, idle], 4, {
        DISPATCH_IDLE_POLL_MS: '60000',
      });
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
      expect(claimer.claimNext).toHaveBeenCalledTimes(4);
      // Nothing due (a scheduled campaign): one claim, not one per worker.
      wakeup.wake();
      await jest.advanceTimersByTimeAsync(0);
      expect(claimer.claimNext).toHaveBeenCalledTimes(5);
      // Two batches due: the woken worker claims the first and wakes another, which claims the second and
      // wakes a third, which finds nothing; the first two, done, find nothing either.
      claimer.claimNext.mockResolvedValueOnce(submit).mockResolvedValueOnce(submit);
      wakeup.wake();
      await jest.advanceTimersByTimeAsync(0);
      expect(submitter.submit).toHaveBeenCalledTimes(2);
      expect(claimer.claimNext).toHaveBeenCalledTimes(5 + 1 + 1 + 1 + 2);
      await sut.onModuleDestroy();
    });
  });
});
