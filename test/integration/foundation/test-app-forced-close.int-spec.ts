import { ConsentProcessor } from '../../../src/consent/consent-processor.service';
import { ConsentReplySender } from '../../../src/consent/consent-reply-sender.service';
import { DeliveryReportApplier } from '../../../src/delivery-reports/delivery-report-applier.service';
import { BatchClaimer } from '../../../src/messaging/batch-claimer';
import { DispatcherWakeup } from '../../../src/messaging/dispatcher-wakeup';
import { WebhookRepository } from '../../../src/persistence/webhook.repository';
import { WebhookDeliveryWorker } from '../../../src/webhooks/webhook-delivery.worker';
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
  it('should stop every background loop: dispatcher, report applier, consent processor and replies, webhook worker', async () => {
    const testApp = await startTestApp('pglite', { DISPATCH_POLL_MS: '20' });
    try {
      await expectLoopsStoppedWhenForced(testApp);
    } finally {
      await testApp.close();
    }
  });
});

/** A loop's pass, observed: how often it started, and the passes still under way. */
interface ObservedPass {
  name: string;
  calls: () => number;
  underWay: Set<Promise<unknown>>;
  wake: () => void;
  reset: () => void;
}

function observe<T extends object, K extends keyof T & string>(
  target: T,
  method: K,
  name: string,
  wake: () => void,
): ObservedPass {
  const underWay = new Set<Promise<unknown>>();
  const real = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
  const spy = jest.spyOn(target, method as never).mockImplementation(((...args: unknown[]) => {
    const promise = real(...args);
    underWay.add(promise);
    void promise.catch(() => undefined).finally(() => underWay.delete(promise));
    return promise;
  }) as never);
  return { name, calls: () => spy.mock.calls.length, underWay, wake, reset: () => spy.mockClear() };
}

async function expectLoopsStoppedWhenForced(testApp: TestApp): Promise<void> {
  const app = testApp.app;
  const dispatcherWakeup = app.get(DispatcherWakeup);
  const applier = app.get(DeliveryReportApplier);
  const consent = app.get(ConsentProcessor);
  const replies = app.get(ConsentReplySender);
  const webhooks = app.get(WebhookDeliveryWorker);
  const loops = [
    observe(app.get(BatchClaimer), 'claimNext', 'dispatcher', () => dispatcherWakeup.wake()),
    observe(applier, 'applyOnce', 'report applier', () => applier.notify()),
    observe(consent, 'processAll', 'consent processor', () => consent.wake()),
    observe(replies, 'sendWaiting', 'consent replies', () => replies.wake()),
    observe(app.get(WebhookRepository), 'claimDue', 'webhook worker', () => webhooks.notify()),
  ];
  loops.forEach((loop) => loop.wake());
  await waitFor('every loop to run a pass', () => Promise.resolve(loops.every((loop) => loop.calls() > 0)));

  // What leak-check does with an app whose close() did not finish.
  expect(await closeLeftovers()).toEqual([expect.stringMatching(/^test app on port \d+ \(pglite\)$/)]);
  // Passes under way when it was forced finish; a loop still running then sleeps until its next
  // turn, which a wake-up starts at once.
  await Promise.allSettled(loops.flatMap((loop) => [...loop.underWay]));
  await nextTurns();
  loops.forEach((loop) => loop.reset());
  loops.forEach((loop) => loop.wake());
  await nextTurns();
  expect(loops.filter((loop) => loop.calls() > 0).map((loop) => loop.name)).toEqual([]);
}

async function nextTurns(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}
