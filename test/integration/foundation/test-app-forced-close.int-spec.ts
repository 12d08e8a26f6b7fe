import { ApplyPassSummary, DeliveryReportApplier } from '../../../src/delivery-reports/delivery-report-applier.service';
import { BatchClaimer, Claim } from '../../../src/messaging/batch-claimer';
import { DispatcherWakeup } from '../../../src/messaging/dispatcher-wakeup';
import { closeLeftovers } from '../../utils/open-resources';
import { startTestApp, TestApp } from '../../utils/test-app';
import { waitFor } from '../../utils/wait-for';

/**
 * A test app whose close hangs is force-closed (test/utils/leak-check.ts). Its loops must stop
 * then: left running, they outlive the test file's Jest environment, where every Prisma query
 * fails with "Maximum call stack size exceeded" (Jest's soft-deleted globals), and they keep
 * claiming work from the database the next files share.
 */
describe('a force-closed test app', () => {
  it('should stop its dispatcher and report applier loops', async () => {
    const testApp = await startTestApp('pglite', { DISPATCH_POLL_MS: '20' });
    try {
      await expectLoopsStoppedWhenForced(testApp);
    } finally {
      await testApp.close();
    }
  });
});

async function expectLoopsStoppedWhenForced(testApp: TestApp): Promise<void> {
  const claimer = testApp.app.get(BatchClaimer);
  const applier = testApp.app.get(DeliveryReportApplier);
  const claims = new Set<Promise<Claim>>();
  const passes = new Set<Promise<ApplyPassSummary>>();
  const claimNext = jest.spyOn(claimer, 'claimNext');
  const applyOnce = jest.spyOn(applier, 'applyOnce');
  const track = <T>(set: Set<Promise<T>>, promise: Promise<T>): Promise<T> => {
    set.add(promise);
    void promise.catch(() => undefined).finally(() => set.delete(promise));
    return promise;
  };
  const realClaimNext = BatchClaimer.prototype.claimNext.bind(claimer);
  const realApplyOnce = DeliveryReportApplier.prototype.applyOnce.bind(applier);
  claimNext.mockImplementation((owner) => track(claims, realClaimNext(owner)));
  applyOnce.mockImplementation(() => track(passes, realApplyOnce()));
  await waitFor('the loops to run', () =>
    Promise.resolve(claimNext.mock.calls.length > 0 && applyOnce.mock.calls.length > 0),
  );

  // What leak-check does with an app whose close() did not finish.
  expect(await closeLeftovers()).toEqual([expect.stringMatching(/^test app on port \d+ \(pglite\)$/)]);
  // Passes under way when it was forced finish; a loop still running then sleeps until its next
  // turn, which a wake-up starts at once.
  await Promise.allSettled([...claims, ...passes]);
  await nextTurns();
  claimNext.mockClear();
  applyOnce.mockClear();
  testApp.app.get(DispatcherWakeup).wake();
  applier.notify();
  await nextTurns();
  expect(claimNext).not.toHaveBeenCalled();
  expect(applyOnce).not.toHaveBeenCalled();
}

async function nextTurns(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}
