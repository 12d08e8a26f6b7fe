import { BrakeService } from '../../src/brake/brake.service';
import { PrismaService } from '../../src/persistence/prisma.service';
import { WindowClock } from '../../src/quiet-hours/window-clock';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { freshDatabase } from '../utils/fresh-database';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';

// India fails at 60 % in the sandbox; every other message is delivered.
// 100 MPS with a lead of 1 s: requests of at most 100, about one a second, in input order (the
// countries interleaved), so India's later requests are still waiting when the reports of its
// first one come back (receipts within milliseconds).
const ENV = {
  PLIVO_MPS: '100',
  SANDBOX_MPS: '100',
  DISPATCH_LEAD_SECONDS: '1',
  DISPATCH_POLL_MS: '20',
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_COUNTRY_OUTCOMES: 'IN:failed:0.6',
  // US receipts too (Plivo's US carriers send none), for the opt-out drill's rates.
  SANDBOX_NO_RECEIPT_COUNTRIES: 'CA',
  // Deliveries come back first: the opt-out drill's rates are exact.
  SANDBOX_OUTCOMES: 'delivered:1',
};
const INDIA = Array.from({ length: 600 }, (_, i) => `+9198${String(20_000_000 + i * 7919).slice(0, 8)}`);
// Its own range: opt-out.e2e's replies would be attributed to this file's account too (shared database).
const UK = gbNumbers(100, 46_000);
const GERMANY = Array.from({ length: 100 }, (_, i) => `+49151${String(20_000_000 + i * 3571).slice(0, 8)}`);

interface Progress {
  status: string;
  statusReason: string | null;
  heldByBrake: number;
  pending: number;
}

describe('the automatic brake: India failing at 60 % in a campaign to India, the UK and Germany', () => {
  let testApp: TestApp;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let prisma: PrismaService;
  let sandbox: PlivoSandbox;
  let windowMs: number | undefined;

  // A database of its own: campaigns earlier files on this worker left due (held, paused by a GB override,
  // still sending) were sent by this file's app first, and India's brake once never tripped in 180 s.
  beforeAll(async () => {
    db = await freshDatabase('postgres');
    testApp = await startTestApp('postgres', { ...ENV, DATABASE_URL: db.url });
    prisma = testApp.app.get(PrismaService);
    sandbox = testApp.app.get(PlivoSandbox);
    testApp.app.get(WindowClock).now = () => new Date(windowMs ?? Date.now());
  });

  afterAll(async () => {
    await testApp?.close();
    await db?.drop();
  });

  const submitted = (numbers: string[]): number => numbers.filter((n) => sandbox.records.timesSubmitted(n) > 0).length;

  it('should stop India within its first few hundred reports, let the others finish, and resume India exactly once', async () => {
    const { apiKey } = await testApp.newAccount();
    const recipients = INDIA.flatMap((n, i) => [n, ...(i < UK.length ? [UK[i], GERMANY[i]] : [])]);
    const sent = await graphql<{ sendBulk: { id: string } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipients, text: 'brake drill' } },
    );
    expect(sent.errors).toBeUndefined();
    const id = sent.data!.sendBulk.id;
    const progress = async (): Promise<Progress> => {
      const read = await graphql<{ campaign: { progress: Progress } }>(
        testApp.baseUrl,
        apiKey,
        'query($id: ID!) { campaign(id: $id) { progress { status statusReason heldByBrake pending } } }',
        { id },
      );
      expect(read.errors).toBeUndefined();
      return read.data!.campaign.progress;
    };

    const tripped = await waitFor('the brake to trip', async () => {
      const now = await progress();
      return now.statusReason?.startsWith('brake:') ? now : null;
    });
    expect(tripped.statusReason).toMatch(
      /^brake: IN: \d+ % failed or undelivered \(threshold 20 %\): \d+ % of the last \d+ sent failed, .*top error codes (300|50|90|10) ×\d+/,
    );
    expect(tripped.status).toBe('SENDING');
    const indianReportsAtTrip = await prisma.message.count({
      where: { campaignId: id, country: 'IN', status: { in: ['DELIVERED', 'UNDELIVERED', 'FAILED'] } },
    });
    expect(indianReportsAtTrip).toBeLessThanOrEqual(400);

    // The other countries go on; India's waiting messages are held, not lost. The sandbox records a
    // request before the service has its answer: wait for the service to record it too (no message of
    // the UK or Germany still waiting), else the last request of theirs still counts as pending.
    await waitFor(
      'the UK and Germany submitted and recorded',
      async () =>
        submitted([...UK, ...GERMANY]) === 200 &&
        (await prisma.message.count({
          where: { campaignId: id, country: { in: ['GB', 'DE'] }, status: 'PENDING' },
        })) === 0,
    );
    const held = await progress();
    const indiaSubmitted = submitted(INDIA);
    expect(indiaSubmitted).toBeLessThan(INDIA.length);
    expect(held.heldByBrake).toBe(INDIA.length - indiaSubmitted);
    expect(held.pending).toBe(INDIA.length - indiaSubmitted);
    expect(await prisma.campaignBrake.findMany({ where: { campaignId: id } })).toEqual([
      expect.objectContaining({ country: 'IN', trips: 1, releasedAt: null }),
    ]);

    // Resume, telling the brake to let this campaign be: the rest of India goes, each number once.
    const resumed = await graphql<{ resumeCampaign: { status: string; statusReason: string | null } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($id: ID!) { resumeCampaign(id: $id, ignoreBrake: true) { status statusReason } }',
      { id },
    );
    expect(resumed.errors).toBeUndefined();
    expect(resumed.data!.resumeCampaign).toEqual({ status: 'SENDING', statusReason: null });
    await waitFor('every recipient submitted', () => Promise.resolve(submitted(recipients) === recipients.length));
    expect(recipients.filter((n) => sandbox.records.timesSubmitted(n) !== 1)).toEqual([]);
    // The service records the provider's answer just after the sandbox did: nothing stays waiting.
    const after = await waitFor('nothing waiting', async () => {
      const now = await progress();
      return now.pending === 0 ? now : null;
    });
    expect(after.statusReason).toBeNull();
    expect(after.heldByBrake).toBe(0);
    expect(await prisma.campaignBrake.findMany({ where: { campaignId: id } })).toEqual([
      expect.objectContaining({ country: 'IN', trips: 1, releasedAt: expect.any(Date) }),
    ]);
  });

  it('should trip on opt-outs reported through the hook, and a plain resume goes on from a fresh window', async () => {
    // Deterministic: the recipients' day is 09:30 in New York and 06:30 in Los Angeles, so New York
    // is sent (and reported) while Los Angeles waits for its window, in the same country.
    windowMs = Date.UTC(2026, 0, 12, 14, 30);
    const { apiKey } = await testApp.newAccount();
    const newYork = Array.from({ length: 100 }, (_, i) => `+1212${4000000 + i * 1013}`);
    const losAngeles = Array.from({ length: 100 }, (_, i) => `+1415${4000000 + i * 1013}`);
    const sent = await graphql<{ sendBulk: { id: string } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      {
        input: {
          recipients: [...newYork, ...losAngeles],
          text: 'opt-out drill',
          sendWindow: { start: '09:00', end: '20:00' },
        },
      },
    );
    expect(sent.errors).toBeUndefined();
    const id = sent.data!.sendBulk.id;
    const finals = () =>
      prisma.message.count({ where: { campaignId: id, status: { in: ['DELIVERED', 'UNDELIVERED', 'FAILED'] } } });
    await waitFor('New York reported', async () => (await finals()) === newYork.length);
    expect(submitted(losAngeles)).toBe(0);

    // Ten recipients answer STOP (what the inbound webhook reports through this hook): 10 % > 2 %.
    const stopped = await prisma.message.findMany({ where: { campaignId: id, status: 'DELIVERED' }, take: 10 });
    await testApp.app.get(BrakeService).recordOptOuts(stopped.map(({ to }) => ({ campaignId: id, to })));
    const campaign = await prisma.campaign.findUniqueOrThrow({ where: { id } });
    expect(campaign.statusReason).toMatch(
      /^brake: US: 10 % opted out \(threshold 2\.0 %\): 10 % of the last 100 sent opted out, 0\.0 % of the last 100 receipts opted out$/,
    );
    expect(await prisma.batch.count({ where: { campaignId: id, heldBy: 'brake' } })).toBe(1);

    // A plain resume: the opt-outs before it no longer count. Los Angeles goes when its window opens, once.
    const resumed = await graphql<{ resumeCampaign: { statusReason: string | null } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($id: ID!) { resumeCampaign(id: $id) { statusReason } }',
      { id },
    );
    expect(resumed.errors).toBeUndefined();
    expect(resumed.data!.resumeCampaign.statusReason).toBeNull();
    windowMs = Date.UTC(2026, 0, 12, 17, 30);
    await waitFor('Los Angeles submitted', () => Promise.resolve(submitted(losAngeles) === losAngeles.length));
    expect([...newYork, ...losAngeles].filter((n) => sandbox.records.timesSubmitted(n) !== 1)).toEqual([]);
    await waitFor('Los Angeles reported', async () => (await finals()) === 200);
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id } })).statusReason).toBeNull();
  });
});
