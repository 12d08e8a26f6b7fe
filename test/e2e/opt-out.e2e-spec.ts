import { randomUUID } from 'node:crypto';
import { signPlivoV3 } from '../../src/common/plivo-signature/plivo-v3-signature';
import { INBOUND_MESSAGE_PATH } from '../../src/config/app-config.service';
import { ConsentProcessor } from '../../src/consent/consent-processor.service';
import { PrismaService } from '../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { SANDBOX_SENDER_ID } from '../../src/sandbox/sandbox.module';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';
import { scaledTimeout } from '../utils/time-factor';

const WEBHOOK_SECRET = 'opt-out-e2e-webhook-secret-0001';
const OPT_OUT_REPLY = 'You are unsubscribed. Reply START to resubscribe.';
const HELP_REPLY = 'Acme alerts: reply STOP to unsubscribe.';
const SENDER_DIGITS = SANDBOX_SENDER_ID.replace('+', '');

// The drill at 50 MPS in Plivo time: the sandbox's clock runs 20 times faster (0.05), so the
// service paces at 1,000 MPS of real time and 2,000 messages take 40 Plivo seconds (2 s here), in order.
const DRILL = {
  PLIVO_WEBHOOK_SECRET: WEBHOOK_SECRET,
  SANDBOX_TIME_SCALE: '0.05',
  SANDBOX_MPS: '50',
  PLIVO_MPS: '1000',
  DISPATCH_LEAD_SECONDS: '0.25',
  DISPATCH_POLL_MS: '20',
  SANDBOX_DLR_DELAY_MS: '1000',
  SANDBOX_INBOUND_STOP_RATE: '0.05',
  SANDBOX_INBOUND_DELAY_MS: '1000',
  CONSENT_PROCESS_INTERVAL_MS: '50',
  CONSENT_OPT_OUT_REPLY: OPT_OUT_REPLY,
  CONSENT_HELP_REPLY: HELP_REPLY,
  CONSENT_REPLY_WINDOW_SECONDS: '3600',
  // 12,000 status callbacks on a busy machine: fewer at once, and time to answer without Plivo's retries.
  SANDBOX_CALLBACK_CONCURRENCY: '32',
  SANDBOX_CALLBACK_TIMEOUT_MS: '30000',
  WEBHOOK_ANSWER_TIMEOUT_MS: '7000',
};

const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { id status } }`;
const REJECTED = `query($id: ID!) { campaign(id: $id) { rejectedRecipients(first: 1000) { input reason } } }`;

interface ConsentRow {
  phone: string;
  action: string;
  source: string;
  campaignId: string | null;
  messageUuid: string | null;
  createdAt: Date;
}

describe('Opt-out: inbound STOP/START/HELP through the signed Message URL (postgres)', () => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let sandbox: PlivoSandbox;

  beforeAll(async () => {
    testApp = await startTestApp('postgres', DRILL);
    prisma = testApp.app.get(PrismaService);
    sandbox = testApp.app.get(PlivoSandbox);
  });

  afterAll(async () => {
    await testApp.close();
  });

  async function send(
    apiKey: string,
    recipients: string[],
    text: string,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const response = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients, text, ...extra },
    });
    expect(response.errors).toBeUndefined();
    return response.data!.sendBulk.id;
  }

  /** Every message handed to the provider or settled (receipts may still be on their way). */
  async function dispatched(campaignId: string): Promise<boolean> {
    const campaign = await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    return campaign.pending === 0;
  }

  it('should stop every later message to the 5 % who reply STOP, keep a record each, and honour START and HELP', async () => {
    const { apiKey, accountId } = await testApp.newAccount();
    // GB: the sandbox sends delivery receipts for it, so recipients "read" and reply.
    const recipients = gbNumbers(2000, 40_000);
    // A campaign waiting for its time: its messages are waiting when the replies come in.
    const later = recipients.slice(0, 500);
    const waiting = await send(apiKey, later, 'Tomorrow only', {
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const first = await send(apiKey, recipients, 'Big sale today');
    await waitFor('the campaign dispatched', () => dispatched(first));
    await sandbox.whenIdle(scaledTimeout(60_000));
    await waitFor('every reply processed', async () => {
      const open = await prisma.inboundMessage.count({ where: { processedAt: null } });
      return (
        open === 0 && (await prisma.consentReply.count({ where: { state: { in: ['PENDING', 'SENDING'] } } })) === 0
      );
    });

    const stops = sandbox.inboundMessages.filter((m) => m.text === 'STOP');
    // Seeded: about 5 % of the 2,000 deliveries.
    expect(stops.length).toBeGreaterThan(50);
    expect(stops.length).toBeLessThan(150);
    const stopped = stops.map((s) => s.from);
    // From here on, replies come only when the test sends them.
    sandbox.configure({ inboundStopRate: 0 });
    const records = await prisma.$queryRaw<ConsentRow[]>`
      SELECT phone, action, source, "campaignId"::text AS "campaignId", "messageUuid", "createdAt"
      FROM "ConsentRecord" WHERE "accountId" = ${accountId}::uuid ORDER BY id`;
    const optOutOf = new Map(records.filter((r) => r.action === 'OPT_OUT').map((r) => [r.phone, r]));
    for (const stop of stops) {
      expect(optOutOf.get(stop.from)).toMatchObject({
        source: 'INBOUND_KEYWORD',
        messageUuid: stop.messageUuid,
        campaignId: first,
      });
      // One campaign message, then exactly one reply: the single opt-out confirmation.
      expect(sandbox.records.timesSubmitted(stop.from)).toBe(2);
    }
    expect(await prisma.suppression.count({ where: { accountId, phone: { in: stopped } } })).toBe(stopped.length);
    const confirmations = await prisma.consentReply.findMany({ where: { accountId, phone: { in: stopped } } });
    expect(confirmations).toHaveLength(stopped.length);
    expect(
      confirmations.every((r) => r.kind === 'OPT_OUT_CONFIRMATION' && r.text === OPT_OUT_REPLY && r.state === 'SENT'),
    ).toBe(true);

    // The waiting campaign's messages to them became SUPPRESSED at once, before any claim.
    const suppressedLater = await prisma.message.findMany({ where: { campaignId: waiting, status: 'SUPPRESSED' } });
    expect(suppressedLater.map((m) => m.to).sort()).toEqual(stopped.filter((n) => later.includes(n)).sort());

    // A suppression that skipped that step (as if written between the update and the claim) is still
    // caught by the claim itself: the claiming statement never picks a suppressed number.
    const lateOptOut = later.find((n) => !stopped.includes(n))!;
    await prisma.suppression.create({ data: { accountId, phone: lateOptOut, reason: 'race', source: 'API' } });
    const before = new Map(recipients.map((n) => [n, sandbox.records.timesSubmitted(n)]));
    // Its time comes (the dispatcher starts it on its next tick).
    await prisma.batch.updateMany({ where: { campaignId: waiting }, data: { nextAttemptAt: new Date() } });
    await prisma.campaign.update({ where: { id: waiting }, data: { scheduledAt: new Date() } });
    await waitFor('the waiting campaign dispatched', () => dispatched(waiting));
    expect(await prisma.message.findFirst({ where: { campaignId: waiting, to: lateOptOut } })).toMatchObject({
      status: 'SUPPRESSED',
    });
    for (const number of [...stopped, lateOptOut]) {
      expect(sandbox.records.timesSubmitted(number)).toBe(before.get(number));
    }
    expect(sandbox.records.timesSubmitted(later.find((n) => n !== lateOptOut && !stopped.includes(n))!)).toBe(2);

    // A new campaign lists them among rejectedRecipients as SUPPRESSED and sends them nothing.
    const others = recipients.filter((n) => !stopped.includes(n)).slice(-5);
    const third = await send(apiKey, [...stopped, ...others], 'New arrivals');
    const rejected = await graphql<{ campaign: { rejectedRecipients: Array<{ input: string; reason: string }> } }>(
      testApp.baseUrl,
      apiKey,
      REJECTED,
      { id: third },
    );
    expect(rejected.data!.campaign.rejectedRecipients.map((r) => r.input).sort()).toEqual([...stopped].sort());
    expect(new Set(rejected.data!.campaign.rejectedRecipients.map((r) => r.reason))).toEqual(new Set(['SUPPRESSED']));
    await waitFor('third campaign dispatched', () => dispatched(third));
    for (const number of stopped) {
      expect(sandbox.records.timesSubmitted(number)).toBe(before.get(number));
    }

    // START lifts the suppression, with its record; the next campaign reaches the number again.
    const comeback = stopped[0];
    sandbox.sendInbound(comeback, SENDER_DIGITS, 'start');
    await waitFor(
      'opt-in applied',
      async () => (await prisma.suppression.count({ where: { accountId, phone: comeback } })) === 0,
    );
    const optIn = await prisma.consentRecord.findFirst({ where: { accountId, phone: comeback, action: 'OPT_IN' } });
    expect(optIn).toMatchObject({ source: 'INBOUND_KEYWORD', campaignId: expect.any(String) });
    const fourth = await send(apiKey, [comeback], 'Welcome back');
    await waitFor('fourth campaign dispatched', () => dispatched(fourth));
    expect(sandbox.records.timesSubmitted(comeback)).toBe(before.get(comeback)! + 1);

    // HELP gets one reply, however often it is sent within the window.
    const asker = others[0];
    const helpBefore = sandbox.records.timesSubmitted(asker);
    sandbox.sendInbound(asker, SENDER_DIGITS, 'HELP');
    sandbox.sendInbound(asker, SENDER_DIGITS, ' help ');
    await waitFor(
      'help processed',
      async () => (await prisma.inboundMessage.count({ where: { from: asker, outcome: 'HELP' } })) === 2,
    );
    await waitFor(
      'help reply sent',
      async () => (await prisma.consentReply.count({ where: { phone: asker, state: 'SENT' } })) === 1,
    );
    expect(sandbox.records.timesSubmitted(asker)).toBe(helpBefore + 1);
    expect(await prisma.consentReply.findMany({ where: { phone: asker } })).toEqual([
      expect.objectContaining({ kind: 'HELP', text: HELP_REPLY, state: 'SENT' }),
    ]);
  });

  describe('refused requests write nothing', () => {
    const url = (): string => `${testApp.baseUrl}${INBOUND_MESSAGE_PATH}`;
    const params = (): Record<string, string> => ({
      From: gbNumbers(1, 60_000)[0].slice(1),
      To: SENDER_DIGITS,
      Text: 'STOP',
      Type: 'sms',
      MessageUUID: randomUUID(),
    });

    async function post(body: Record<string, string>, headers: Record<string, string>): Promise<Response> {
      return fetch(url(), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body).toString(),
      });
    }

    function signed(body: Record<string, string>, nonce: string, secret = WEBHOOK_SECRET): Record<string, string> {
      return {
        'X-Plivo-Signature-V3-Nonce': nonce,
        'X-Plivo-Signature-V3': signPlivoV3('POST', url(), nonce, secret, body),
      };
    }

    /** What a request could have written: its inbound row, its nonce, a suppression of its number. */
    async function written(body: Record<string, string>, nonce: string) {
      return {
        inbound: await prisma.inboundMessage.count({ where: { messageUuid: body.MessageUUID?.toLowerCase() ?? '' } }),
        nonce: await prisma.webhookNonce.count({ where: { nonce } }),
        suppressions: await prisma.suppression.count({ where: { phone: `+${body.From}` } }),
      };
    }
    const nothing = { inbound: 0, nonce: 0, suppressions: 0 };

    it('should refuse unsigned, forged and tampered requests with 403', async () => {
      const body = params();
      expect((await post(body, {})).status).toBe(403);
      const bare = `${Date.now()}0`;
      expect((await post(body, { 'X-Plivo-Signature-V3-Nonce': bare })).status).toBe(403);
      expect(await written(body, bare)).toEqual(nothing);
      const forged = `${Date.now()}1`;
      expect((await post(body, signed(body, forged, 'not-the-secret-at-all-000000'))).status).toBe(403);
      expect(await written(body, forged)).toEqual(nothing);
      const tampered = `${Date.now()}2`;
      expect((await post({ ...body, Text: 'START' }, signed(body, tampered))).status).toBe(403);
      expect(await written(body, tampered)).toEqual(nothing);
      await testApp.app.get(ConsentProcessor).processAll();
      expect(await written(body, tampered)).toEqual(nothing);
    });

    it('should store a signed request once and refuse its replay', async () => {
      const body = params();
      const nonce = `${Date.now()}3`;
      expect((await post(body, signed(body, nonce))).status).toBe(200);
      const stored = await prisma.inboundMessage.findUniqueOrThrow({ where: { messageUuid: body.MessageUUID } });
      expect(await written(body, nonce)).toMatchObject({ inbound: 1, nonce: 1 });
      expect((await post(body, signed(body, nonce))).status).toBe(403);
      const replayed = { ...body, MessageUUID: randomUUID() };
      expect((await post(replayed, signed(replayed, nonce))).status).toBe(403);
      expect(await written(replayed, nonce)).toMatchObject({ inbound: 0, nonce: 1 });
      const nonceRow = await prisma.webhookNonce.findUniqueOrThrow({ where: { nonce } });
      expect(nonceRow.receivedAt.getTime()).toBeLessThanOrEqual(stored.receivedAt.getTime());
    });

    describe('GET: the fields in the query string, which the V3 signature covers with the URL', () => {
      /** The Message URL as Plivo calls it with method GET: its fields appended as query parameters. */
      const getUrl = (fields: Record<string, string>): string => `${url()}?${new URLSearchParams(fields).toString()}`;

      async function get(fields: Record<string, string>, headers: Record<string, string>): Promise<Response> {
        return fetch(getUrl(fields), { method: 'GET', headers });
      }

      /** Plivo's GET signature: the full URL, query string included, and no body parameters. */
      function signedGet(fields: Record<string, string>, nonce: string, secret = WEBHOOK_SECRET) {
        return {
          'X-Plivo-Signature-V3-Nonce': nonce,
          'X-Plivo-Signature-V3': signPlivoV3('GET', getUrl(fields), nonce, secret),
        };
      }

      it('should apply a signed GET STOP: the number suppressed for the account that sent to it, with its consent record', async () => {
        const { apiKey, accountId } = await testApp.newAccount();
        const [number] = gbNumbers(1, 61_000);
        // Only this test's GET request may opt the number out: no seeded replies from the sandbox.
        const stopRate = sandbox.options.inboundStopRate;
        sandbox.configure({ inboundStopRate: 0 });
        try {
          const campaignId = await send(apiKey, [number], 'Flash sale');
          await waitFor('the campaign dispatched', () => dispatched(campaignId));
          // Spaces, a lower-case keyword and a "+" number: the query string is decoded as Plivo signs it.
          const fields = {
            From: number.slice(1),
            To: SENDER_DIGITS,
            Text: ' Stop ',
            Type: 'sms',
            MessageUUID: randomUUID(),
          };
          const nonce = `${Date.now()}5`;
          const response = await get(fields, signedGet(fields, nonce));
          expect(response.status).toBe(200);

          await waitFor(
            'the GET opt-out applied',
            async () => (await prisma.suppression.count({ where: { accountId, phone: number } })) === 1,
          );
          expect(
            await prisma.inboundMessage.findUniqueOrThrow({ where: { messageUuid: fields.MessageUUID } }),
          ).toMatchObject({
            from: number,
            to: SENDER_DIGITS,
            text: ' Stop ',
            outcome: 'OPT_OUT',
          });
          expect(await prisma.consentRecord.findMany({ where: { accountId, phone: number } })).toEqual([
            expect.objectContaining({
              action: 'OPT_OUT',
              source: 'INBOUND_KEYWORD',
              messageUuid: fields.MessageUUID,
              campaignId,
            }),
          ]);
          const listed = await graphql<{ suppressions: { edges: Array<{ node: { phone: string; source: string } }> } }>(
            testApp.baseUrl,
            apiKey,
            `
              query ($search: String) {
                suppressions(first: 10, search: $search) {
                  edges {
                    node {
                      phone
                      source
                    }
                  }
                }
              }
            `,
            { search: number.slice(1) },
          );
          expect(listed.errors).toBeUndefined();
          expect(listed.data!.suppressions.edges.map((e) => e.node)).toEqual([
            { phone: number, source: 'INBOUND_KEYWORD' },
          ]);

          // The same signed GET again: Plivo signs each retry with a new nonce, so a reused one is a replay.
          expect((await get(fields, signedGet(fields, nonce))).status).toBe(403);
          await testApp.app.get(ConsentProcessor).processAll();
          expect(await prisma.inboundMessage.count({ where: { messageUuid: fields.MessageUUID } })).toBe(1);
          expect(await prisma.consentRecord.count({ where: { accountId, phone: number } })).toBe(1);
        } finally {
          sandbox.configure({ inboundStopRate: stopRate });
        }
      });

      it('should refuse unsigned, forged and tampered GET requests with 403 and write nothing', async () => {
        const fields = { ...params(), From: gbNumbers(1, 62_000)[0].slice(1) };
        expect((await get(fields, {})).status).toBe(403);
        const bare = `${Date.now()}6`;
        expect((await get(fields, { 'X-Plivo-Signature-V3-Nonce': bare })).status).toBe(403);
        expect(await written(fields, bare)).toEqual(nothing);
        const forged = `${Date.now()}7`;
        expect((await get(fields, signedGet(fields, forged, 'not-the-secret-at-all-000000'))).status).toBe(403);
        expect(await written(fields, forged)).toEqual(nothing);
        // Signed for STOP, sent as START: the query string is part of what is signed.
        const tampered = `${Date.now()}8`;
        expect((await get({ ...fields, Text: 'START' }, signedGet(fields, tampered))).status).toBe(403);
        expect(await written(fields, tampered)).toEqual(nothing);
        // Signed over the bare URL (as if the fields were a POST body), sent with them in the query string.
        const bareUrl = `${Date.now()}9`;
        const overPath = {
          'X-Plivo-Signature-V3-Nonce': bareUrl,
          'X-Plivo-Signature-V3': signPlivoV3('GET', url(), bareUrl, WEBHOOK_SECRET),
        };
        expect((await get(fields, overPath)).status).toBe(403);
        expect(await written(fields, bareUrl)).toEqual(nothing);
        // A POST signature of the same fields does not authenticate them as a GET.
        const asPost = `${Date.now()}10`;
        expect((await get(fields, signed(fields, asPost))).status).toBe(403);
        expect(await written(fields, asPost)).toEqual(nothing);
        await testApp.app.get(ConsentProcessor).processAll();
        expect(await written(fields, asPost)).toEqual(nothing);
      });

      it('should refuse a replayed GET: a used nonce with other fields, signed again with the secret', async () => {
        const first = { ...params(), From: gbNumbers(1, 63_000)[0].slice(1), Text: 'HELP' };
        const nonce = `${Date.now()}11`;
        expect((await get(first, signedGet(first, nonce))).status).toBe(200);
        expect(await written(first, nonce)).toMatchObject({ inbound: 1, nonce: 1 });
        // A captured nonce replayed with a STOP for another number, correctly signed over the new URL.
        const replayed = { ...params(), From: gbNumbers(1, 64_000)[0].slice(1) };
        expect((await get(replayed, signedGet(replayed, nonce))).status).toBe(403);
        await testApp.app.get(ConsentProcessor).processAll();
        expect(await written(replayed, nonce)).toEqual({ inbound: 0, nonce: 1, suppressions: 0 });
      });
    });

    it('should refuse a signed request without the fields Plivo sends (400)', async () => {
      const body = { From: 'x', To: SENDER_DIGITS, Text: 'STOP' };
      const nonce = `${Date.now()}4`;
      const response = await post(body, signed(body, nonce));
      expect(response.status).toBe(400);
      expect(await prisma.webhookNonce.count({ where: { nonce } })).toBe(0);
    });
  });
});
