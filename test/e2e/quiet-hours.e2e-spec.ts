import { DispatcherWakeup } from '../../src/messaging/dispatcher-wakeup';
import { PrismaService } from '../../src/persistence/prisma.service';
import { WindowClock } from '../../src/quiet-hours/window-clock';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';

// Fast sending and receipts: what is slow here is the recipients' day, and the test moves it (the
// WindowClock that send windows are judged against) in one-hour steps; the rest runs in real time.
const ENV = {
  PLIVO_MPS: '1000',
  SANDBOX_MPS: '1000',
  DISPATCH_LEAD_SECONDS: '1',
  DISPATCH_POLL_MS: '20',
  SANDBOX_TIME_SCALE: '0.001',
};
const STEP_MS = 60 * 60_000;
const PER_ZONE = 30;

// Each number's zone as libphonenumber's map gives it for these area codes (checked independently
// below with toLocaleString, not with the service's window arithmetic).
const ZONES = {
  'Asia/Kolkata': Array.from({ length: PER_ZONE }, (_, i) => `+9198${String(10_000_000 + i * 7919).slice(0, 8)}`),
  'Europe/London': gbNumbers(PER_ZONE, 71_000),
  'America/New_York': Array.from({ length: PER_ZONE }, (_, i) => `+1212${2000000 + i * 1013}`),
  'America/Chicago': Array.from({ length: PER_ZONE }, (_, i) => `+1312${2000000 + i * 1013}`),
  'America/Denver': Array.from({ length: PER_ZONE }, (_, i) => `+1303${2000000 + i * 1013}`),
  'America/Los_Angeles': Array.from({ length: PER_ZONE }, (_, i) => `+1415${3000000 + i * 1013}`),
};

/** Local wall time HH:MM of an instant, through toLocaleString. */
function localTime(zone: string, ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}

const insideNineToEight = (zone: string, ms: number): boolean => {
  const local = localTime(zone, ms);
  return local >= '09:00' && local < '20:00';
};

describe('quiet hours: a campaign to India, the UK and four US zones, started at 07:00 UTC with a 09:00-20:00 window', () => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let sandbox: PlivoSandbox;
  let fakeMs = 0;
  // Real time at which the fake clock was set to each value, to date what the sandbox received.
  const steps: Array<{ realMs: number; fakeMs: number }> = [];

  beforeAll(async () => {
    testApp = await startTestApp('postgres', ENV);
    prisma = testApp.app.get(PrismaService);
    sandbox = testApp.app.get(PlivoSandbox);
    const clock = testApp.app.get(WindowClock);
    clock.now = () => new Date(fakeMs);
  });

  afterAll(async () => {
    await testApp.close();
  });

  const setClock = (ms: number): void => {
    steps.push({ realMs: Date.now(), fakeMs: ms });
    fakeMs = ms;
    testApp.app.get(DispatcherWakeup).wake();
  };
  const fakeTimeOf = (real: Date): number => steps.filter((s) => s.realMs <= real.getTime()).at(-1)!.fakeMs;

  it('should submit each recipient only inside its local window, lose none, and predict the end within a minute', async () => {
    // A Monday between the US (8 March) and the EU (29 March) DST changes: New York is on EDT,
    // London still on GMT.
    const start = Date.UTC(2026, 2, 16, 7);
    setClock(start);
    const { apiKey } = await testApp.newAccount();
    const recipients = Object.values(ZONES).flat();
    const zoneOf = new Map(Object.entries(ZONES).flatMap(([zone, numbers]) => numbers.map((n) => [n, zone])));

    const sent = await graphql<{
      sendBulk: { id: string; progress: { estimatedCompletionAt: string; waitingForWindow: number } };
    }>(
      testApp.baseUrl,
      apiKey,
      `
        mutation ($input: SendBulkInput!) {
          sendBulk(input: $input) {
            id
            progress {
              estimatedCompletionAt
              waitingForWindow
            }
          }
        }
      `,
      { input: { recipients, text: 'quiet hours drill', sendWindow: { start: '09:00', end: '20:00' } } },
    );
    expect(sent.errors).toBeUndefined();
    const { id, progress } = sent.data!.sendBulk;
    const closedAtStart = recipients.filter((n) => !insideNineToEight(zoneOf.get(n)!, start)).length;
    expect(closedAtStart).toBe(5 * PER_ZONE);
    expect(progress.waitingForWindow).toBe(closedAtStart);
    // The estimate is on the service's clock; on the recipients' day it is shifted like the clock.
    const eta = Date.parse(progress.estimatedCompletionAt) + (fakeMs - Date.now());

    // Step through the day: at each step, wait until every recipient whose window is open has
    // been submitted, and for nothing in flight before the clock moves on.
    for (let now = start; ; now += STEP_MS) {
      if (now !== start) {
        setClock(now);
      }
      const open = recipients.filter(
        (n) => insideNineToEight(zoneOf.get(n)!, now) || sandbox.records.timesSubmitted(n) > 0,
      );
      await waitFor(`the ${open.length} recipients open at ${new Date(now).toISOString()}`, () =>
        Promise.resolve(open.every((n) => sandbox.records.timesSubmitted(n) > 0)),
      );
      await waitFor(
        'no request in flight',
        async () => (await prisma.batch.count({ where: { campaignId: id, state: 'SUBMITTING' } })) === 0,
      );
      if (open.length === recipients.length) {
        break;
      }
    }

    // Each submission, dated on the service's clock, was inside every one of its recipients' windows.
    const submissions = sandbox.records.submissions.filter((s) => s.numbers.some((n) => zoneOf.has(n)));
    const outside = submissions.flatMap((s) =>
      s.numbers
        .filter((n) => !insideNineToEight(zoneOf.get(n)!, fakeTimeOf(s.receivedAt)))
        .map((n) => `${n} at ${localTime(zoneOf.get(n)!, fakeTimeOf(s.receivedAt))} in ${zoneOf.get(n)}`),
    );
    expect(outside).toEqual([]);
    // Nothing lost, nothing twice.
    expect(recipients.filter((n) => sandbox.records.timesSubmitted(n) !== 1)).toEqual([]);
    expect(await prisma.message.count({ where: { campaignId: id, status: 'PENDING' } })).toBe(0);
    // Batches never mix zones, so each zone's recipients went out in their own requests.
    for (const submission of submissions) {
      expect(new Set(submission.numbers.map((n) => zoneOf.get(n))).size).toBe(1);
    }

    // The estimate made at 07:00 is the last zone's opening plus its sending, within a minute.
    const lastSubmittedAt = Math.max(...submissions.map((s) => fakeTimeOf(s.receivedAt)));
    expect(localTime('America/Los_Angeles', lastSubmittedAt)).toBe('09:00');
    expect(Math.abs(eta - lastSubmittedAt)).toBeLessThan(60_000);
  });
});
