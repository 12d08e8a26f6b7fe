import { PrismaService } from '../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { graphql } from '../utils/graphql-client';
import { usNumbers, waitFor } from '../utils/phone-numbers';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

// The drill, at twice its pace and half its lead: the account sends 100 messages per second
// (in real time) with a lead of 5 s, so batches hold 500 recipients, as in the drill (50 MPS, the
// default 10 s), and the next one goes when Plivo's queue is empty. The sandbox's own clock runs 20
// times faster, so its receipts (and costs) come back quickly.
const MPS = 100;
const LEAD_SECONDS = 5;
const REAL_TIME = {
  PLIVO_MPS: String(MPS),
  DISPATCH_LEAD_SECONDS: String(LEAD_SECONDS),
  DISPATCH_POLL_MS: '50',
  SANDBOX_TIME_SCALE: '0.05',
  SANDBOX_MPS: String(MPS),
};

// Pause and resume must see every recipient through, so this one runs ten times faster: 500 MPS
// with a lead of 1 s (batches of 500 every second).
const FAST_MPS = 500;
const FAST_LEAD_SECONDS = 1;
const FAST = {
  PLIVO_MPS: String(FAST_MPS),
  DISPATCH_LEAD_SECONDS: String(FAST_LEAD_SECONDS),
  DISPATCH_POLL_MS: '50',
  SANDBOX_TIME_SCALE: '0.05',
  SANDBOX_MPS: String(FAST_MPS),
};

const SEND = 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id status } }';
const RECIPIENTS = 5_000;

interface ControlledCampaign {
  status: string;
  statusReason: string | null;
  cancellation: { cancelledMessages: number; alreadyWithProvider: number } | null;
}

function harness(env: Record<string, string>, database: (typeof TEST_DATABASES)[number]) {
  const ctx = {} as { testApp: TestApp; prisma: PrismaService; sandbox: PlivoSandbox };
  beforeAll(async () => {
    ctx.testApp = await startTestApp(database, env);
    ctx.prisma = ctx.testApp.app.get(PrismaService);
    ctx.sandbox = ctx.testApp.app.get(PlivoSandbox);
  });
  afterAll(async () => {
    await ctx.testApp.close();
  });

  return {
    ctx,
    /** The sandbox's records are the counting truth: how many of these numbers Plivo accepted. */
    accepted: (numbers: string[]) => numbers.filter((n) => ctx.sandbox.records.timesSubmitted(n) > 0).length,
    async send(apiKey: string, recipients: string[], extra: Record<string, unknown> = {}) {
      const sent = await graphql<{ sendBulk: { id: string } }>(ctx.testApp.baseUrl, apiKey, SEND, {
        input: { recipients, text: 'control drill', ...extra },
      });
      expect(sent.errors).toBeUndefined();
      return sent.data!.sendBulk.id;
    },
    async mutate(apiKey: string, name: string, id: string, extra = '') {
      return graphql<Record<string, ControlledCampaign>>(
        ctx.testApp.baseUrl,
        apiKey,
        `mutation($id: ID!) { ${name}(id: $id${extra}) {
          status statusReason cancellation { cancelledMessages alreadyWithProvider } } }`,
        { id },
      );
    },
    /** Nothing of the campaign is on its way to the provider, and Plivo's queue (our model) is empty. */
    async settled(campaignId: string) {
      await waitFor(
        'no request in flight and the provider queue drained',
        async () => {
          const inFlight = await ctx.prisma.batch.count({ where: { campaignId, state: 'SUBMITTING' } });
          const lanes = await ctx.prisma.providerPacing.findMany({ where: { key: { startsWith: 'account:' } } });
          return inFlight === 0 && lanes.every((lane) => lane.queueDrainsAt.getTime() <= Date.now());
        },
        60_000,
      );
    },
  };
}

describe.each(TEST_DATABASES)(
  `cancel and budget within seconds (${MPS} MPS, lead ${LEAD_SECONDS} s) on %s`,
  (database) => {
    const h = harness(REAL_TIME, database);
    let offset = 300_000;

    it(`should stop at most ${MPS} x (lead + the time until the cancel answered) messages at Plivo when cancelled about 2 s after acceptance, and the cost stops`, async () => {
      const { ctx } = h;
      const { apiKey } = await ctx.testApp.newAccount();
      const recipients = usNumbers(RECIPIENTS, (offset += 10_000));
      const sendStartedAt = Date.now();
      const id = await h.send(apiKey, recipients);
      const acceptedAt = Date.now();
      await waitFor('the first batch at the provider', () => Promise.resolve(h.accepted(recipients) > 0));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, acceptedAt + 2_000 - Date.now())));

      const cancelled = await h.mutate(apiKey, 'cancelCampaign', id);
      // The pacing lets at most MPS x (lead + time sending) reach Plivo: the time is read from clocks
      // around the send and the cancel (about 2 s on a quiet machine, more on a busy one), not assumed.
      const sendingSeconds = (Date.now() - sendStartedAt) / 1000;
      expect(cancelled.errors).toBeUndefined();
      const { status, cancellation } = cancelled.data!.cancelCampaign;
      expect(status).toBe('CANCELLED');
      // A message still in a request when the cancel answered counts once Plivo has accepted it.
      expect(cancellation!.cancelledMessages + cancellation!.alreadyWithProvider).toBeLessThanOrEqual(RECIPIENTS);

      await h.settled(id);
      const atProvider = h.accepted(recipients);
      expect(atProvider).toBeLessThanOrEqual(MPS * (LEAD_SECONDS + sendingSeconds));
      // Read again (a repeated cancel answers with the campaign as it is): every request has been answered.
      const settled = await h.mutate(apiKey, 'cancelCampaign', id);
      expect(settled.data!.cancelCampaign.cancellation).toEqual({
        cancelledMessages: cancellation!.cancelledMessages,
        alreadyWithProvider: atProvider,
      });
      expect(await ctx.prisma.message.count({ where: { campaignId: id, status: 'CANCELLED' } })).toBe(
        RECIPIENTS - atProvider,
      );
      expect(await ctx.prisma.batch.count({ where: { campaignId: id, state: 'PENDING' } })).toBe(0);

      // The cost stops: only the messages Plivo accepted are ever charged. A message's first report
      // (queued) carries a cost of 0 and its charge comes with `sent`; one that failed is never
      // charged. So the costs are all in once each message at the provider is charged or failed.
      await waitFor(
        'the charge of every message at the provider',
        async () =>
          (await ctx.prisma.message.count({
            where: { campaignId: id, OR: [{ amount: { gt: 0 } }, { status: { in: ['FAILED', 'REJECTED'] } }] },
          })) === atProvider,
        60_000,
      );
      // Read in one statement (one snapshot): the counters and the messages are written in the same
      // transactions, so two separate reads could each see a different number of reports applied.
      const [costs] = await ctx.prisma.$queryRaw<Array<{ actualCost: string; charged: string }>>`
        SELECT c."actualCost"::text AS "actualCost",
          (SELECT coalesce(sum(m.amount), 0) FROM "Message" m WHERE m."campaignId" = c.id)::text AS charged
        FROM "Campaign" c WHERE c.id = ${id}::uuid`;
      expect(Number(costs.actualCost)).toBeGreaterThan(0);
      expect(costs.actualCost).toBe(costs.charged);
      expect(
        await ctx.prisma.message.count({ where: { campaignId: id, status: 'CANCELLED', amount: { not: null } } }),
      ).toBe(0);

      const resumed = await h.mutate(apiKey, 'resumeCampaign', id);
      expect(resumed.errors?.[0].extensions?.code).toBe('INVALID_STATE_TRANSITION');
      expect(resumed.errors?.[0].message).toBe('cannot resume a campaign that is CANCELLED');
    });

    it(`should pause on its budget within one lead of the overspend, with at most ${MPS} x lead more at Plivo after it, and resume with a higher one`, async () => {
      const { ctx } = h;
      const { apiKey } = await ctx.testApp.newAccount();
      const recipients = usNumbers(RECIPIENTS, (offset += 10_000));
      // Our cached price says 0.001 per segment (estimate 5.00); the sandbox charges its own US rate
      // (0.0055): once a few hundred costs are reported, the projection passes maxCost 6.
      const far = new Date(Date.now() + 3_600_000);
      const price = { rate: '0.00100', maxRate: '0.00100', source: 'test', fetchedAt: new Date(), expiresAt: far };
      await ctx.prisma.price.upsert({ where: { country: 'US' }, create: { country: 'US', ...price }, update: price });
      try {
        const sendStartedAt = Date.now();
        const id = await h.send(apiKey, recipients, { maxCost: 6 });
        const paused = await waitFor(
          'the budget pause',
          async () => {
            const campaign = await ctx.prisma.campaign.findUniqueOrThrow({ where: { id } });
            return campaign.status === 'PAUSED' ? campaign : null;
          },
          60_000,
        );
        // Seen paused: the overspend is known only once reports carry costs, which takes longer on a
        // busy machine, so the time sending is read from clocks around it rather than assumed.
        const sendingSeconds = (Date.now() - sendStartedAt) / 1000;
        const atPause = h.accepted(recipients);
        expect(paused.statusReason).toMatch(/^budget: projected cost [\d.]+ .* exceeds maxCost 6\.00000$/);
        await h.settled(id);
        // After the pause, only what was already claimed may still go: at most one lead of MPS.
        expect(h.accepted(recipients) - atPause).toBeLessThanOrEqual(MPS * LEAD_SECONDS);
        expect(h.accepted(recipients)).toBeLessThanOrEqual(MPS * (LEAD_SECONDS + sendingSeconds));
        expect(await ctx.prisma.message.count({ where: { campaignId: id, status: 'PENDING' } })).toBe(
          RECIPIENTS - h.accepted(recipients),
        );

        const resumed = await h.mutate(apiKey, 'resumeCampaign', id, ', maxCost: 100');
        expect(resumed.errors).toBeUndefined();
        expect(resumed.data!.resumeCampaign.status).toBe('SENDING');
        await waitFor('the next batch after resume', () =>
          Promise.resolve(h.accepted(recipients) > MPS * LEAD_SECONDS),
        );
        await h.mutate(apiKey, 'cancelCampaign', id);
      } finally {
        await ctx.prisma.price.delete({ where: { country: 'US' } });
      }
    });
  },
);

describe.each(TEST_DATABASES)('pause and resume (500 MPS, lead 1 s) on %s', (database) => {
  const h = harness(FAST, database);
  let offset = 600_000;

  it('should send at most MPS x (lead + claim interval) more after a pause, nothing while paused, and every recipient exactly once after resume', async () => {
    const { ctx } = h;
    const { apiKey } = await ctx.testApp.newAccount();
    const recipients = usNumbers(RECIPIENTS, (offset += 10_000));
    const id = await h.send(apiKey, recipients);
    await waitFor('the first batch at the provider', () => Promise.resolve(h.accepted(recipients) > 0));

    const paused = await h.mutate(apiKey, 'pauseCampaign', id);
    expect(paused.data?.pauseCampaign).toMatchObject({ status: 'PAUSED', statusReason: 'paused by the account' });
    const atPause = h.accepted(recipients);
    await h.settled(id);
    const afterPause = h.accepted(recipients);
    // What was already claimed when the pause committed may still go: at most one lead of MPS.
    expect(afterPause - atPause).toBeLessThanOrEqual(FAST_MPS * FAST_LEAD_SECONDS);
    expect(afterPause).toBeLessThan(RECIPIENTS);
    // The provider's queue is empty and the dispatcher polls every 50 ms: still nothing more.
    await h.settled(id);
    expect(h.accepted(recipients)).toBe(afterPause);
    expect((await ctx.prisma.campaign.findUniqueOrThrow({ where: { id } })).status).toBe('PAUSED');

    const resumed = await h.mutate(apiKey, 'resumeCampaign', id);
    expect(resumed.data?.resumeCampaign.status).toBe('SENDING');
    await waitFor('everything at the provider', () => Promise.resolve(h.accepted(recipients) === RECIPIENTS), 120_000);
    expect(recipients.filter((n) => ctx.sandbox.records.timesSubmitted(n) !== 1)).toEqual([]);
  });
});
