import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as plivo from 'plivo';
import { signPlivoV3 } from '../../src/common/plivo-signature/plivo-v3-signature';
import { PrismaService } from '../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { SANDBOX_SENDER_ID } from '../../src/sandbox/sandbox.module';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';
import { TEST_DATABASES } from '../utils/test-databases';
import { scaledTimeout } from '../utils/time-factor';

// The service may send 50 MPS; the capped account 4. With a 1 s lead, its batches hold 4 numbers.
const CAPPED_MPS = 4;
const LEAD_SECONDS = 1;
// Batches are paced on the database's clock and recorded when they reach the sandbox: one request
// can take longer to arrive than the next (a busy event loop), which shortens the gap seen between them.
// Half a second as written, stretched like every deadline on a slower machine (TEST_TIME_FACTOR); an
// account paced at the service's 50 MPS would still pass the bound by far.
const ARRIVAL_JITTER_SECONDS = scaledTimeout(500) / 1000;
const ENV = {
  PLIVO_MPS: '50',
  SANDBOX_MPS: '50',
  DISPATCH_LEAD_SECONDS: String(LEAD_SECONDS),
  DISPATCH_POLL_MS: '20',
  SANDBOX_TIME_SCALE: '0.01',
  SANDBOX_OUTCOMES: 'delivered:1',
  CONSENT_HELP_REPLY: 'Acme: reply STOP to stop.',
  SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

const UPDATE_SETTINGS = `mutation($accountId: ID!, $input: UpdateAccountSettingsInput!) {
  updateAccountSettings(accountId: $accountId, input: $input) { plivoAuthId plivoAuthTokenSet senderIds mps defaultCountry }
}`;
const SEND = `mutation($input: SendBulkInput!) {
  sendBulk(input: $input) { id senderId rejectedRecipients { input reason } }
}`;
const PROGRESS = `query($id: ID!) { campaign(id: $id) { status progress { total delivered } } }`;

/** '+447410001234' as a British caller writes it: '07410 001234'. */
const national = (e164: string): string => `0${e164.slice(3, 7)} ${e164.slice(7)}`;

describe.each(TEST_DATABASES)('account sending settings on %s', (database) => {
  let testApp: TestApp;
  let sandbox: PlivoSandbox;
  let admin: string;
  // Distinct numbers per database run (both runs share nothing, but the offsets keep them apart).
  const offset = database === 'postgres' ? 300_000 : 400_000;

  beforeAll(async () => {
    testApp = await startTestApp(database, ENV);
    sandbox = testApp.app.get(PlivoSandbox);
    admin = readFileSync(path.join(testApp.dataDir, 'admin-api-key'), 'utf8').trim();
  });

  afterAll(async () => {
    await testApp.close();
  });

  async function settle(accountId: string, input: Record<string, unknown>): Promise<void> {
    const updated = await graphql(testApp.baseUrl, admin, UPDATE_SETTINGS, { accountId, input });
    expect(updated.errors).toBeUndefined();
  }

  async function send(apiKey: string, input: Record<string, unknown>) {
    return graphql<{ sendBulk: { id: string; senderId: string; rejectedRecipients: unknown[] } }>(
      testApp.baseUrl,
      apiKey,
      SEND,
      { input },
    );
  }

  async function delivered(apiKey: string, id: string, total: number): Promise<boolean> {
    const read = await graphql<{ campaign: { status: string; progress: { total: number; delivered: number } } }>(
      testApp.baseUrl,
      apiKey,
      PROGRESS,
      { id },
    );
    return read.data?.campaign.status === 'COMPLETED' && read.data.campaign.progress.delivered === total;
  }

  it("should send each account's campaigns under its own Plivo account, sender, default country and MPS", async () => {
    // An admin creates the sub-account at Plivo (here the sandbox) through the SDK, as in the Plivo console.
    const main = new plivo.Client(sandbox.authId, sandbox.authToken, { url: sandbox.apiUrl + sandbox.authId });
    const created = (await main.subaccounts.create('Acme', true)) as { authId: string; authToken: string };
    expect(created.authId).toMatch(/^SA[0-9A-F]{18}$/);

    const acme = await testApp.newAccount();
    await settle(acme.accountId, {
      plivoAuthId: created.authId,
      plivoAuthToken: created.authToken,
      senderIds: ['ACME', '+447700900123'],
      defaultCountry: 'GB',
    });
    const capped = await testApp.newAccount();
    await settle(capped.accountId, { senderIds: ['+447700900555'], mps: CAPPED_MPS });

    // A sender outside the account's list is refused, naming the field; the service's own too.
    const refused = await send(acme.apiKey, {
      recipients: gbNumbers(1, offset),
      text: 'x',
      senderId: SANDBOX_SENDER_ID,
    });
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].message).toMatch(
      /^senderId: unknown sender \+14155550100; this account's senders: ACME/,
    );

    // Numbers written nationally, no defaultCountry in the request: read as British (the account's).
    const acmeNumbers = gbNumbers(10, offset);
    const acmeSent = await send(acme.apiKey, { recipients: acmeNumbers.map(national), text: 'Hello from Acme' });
    expect(acmeSent.errors).toBeUndefined();
    expect(acmeSent.data!.sendBulk).toMatchObject({ senderId: 'ACME', rejectedRecipients: [] });

    const cappedNumbers = gbNumbers(24, offset + 1_000);
    const cappedSent = await send(capped.apiKey, { recipients: cappedNumbers, text: 'Hello from the capped one' });
    expect(cappedSent.errors).toBeUndefined();
    expect(cappedSent.data!.sendBulk.senderId).toBe('+447700900555');

    // Every report of the sub-account's messages is accepted and applied: all delivered.
    await waitFor('Acme delivered', () => delivered(acme.apiKey, acmeSent.data!.sendBulk.id, 10));
    await waitFor('the capped account delivered', () => delivered(capped.apiKey, cappedSent.data!.sendBulk.id, 24));

    // The sandbox saw each message under the right Plivo account, from the right sender.
    const acmeSubmissions = acmeNumbers.flatMap((n) => sandbox.records.submissionsFor(n));
    expect(acmeSubmissions).toHaveLength(10);
    expect(new Set(acmeSubmissions.map((s) => `${s.authId} ${s.src}`))).toEqual(new Set([`${created.authId} ACME`]));
    const cappedSubmissions = [...new Set(cappedNumbers.flatMap((n) => sandbox.records.submissionsFor(n)))];
    expect(new Set(cappedSubmissions.map((s) => `${s.authId} ${s.src}`))).toEqual(
      new Set([`${sandbox.authId} 447700900555`]),
    );
    expect(sandbox.records.duplicates()).toEqual([]);

    // The capped account never went past its MPS, by the sandbox's own receive times: batches of at most
    // MPS x lead numbers, and over any stretch of its submissions no more than MPS x the stretch's length
    // plus the one batch Plivo's queue may hold (the lead) at its start (and the arrival jitter).
    const batchLimit = CAPPED_MPS * LEAD_SECONDS;
    expect(cappedSubmissions.length).toBeGreaterThanOrEqual(24 / batchLimit);
    const ordered = [...cappedSubmissions].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
    expect(Math.max(...ordered.map((s) => s.numbers.length))).toBeLessThanOrEqual(batchLimit);
    for (let i = 0; i < ordered.length; i++) {
      let messages = 0;
      for (let j = i; j < ordered.length; j++) {
        messages += ordered[j].numbers.length;
        const seconds = (ordered[j].receivedAt.getTime() - ordered[i].receivedAt.getTime()) / 1000;
        expect(messages).toBeLessThanOrEqual(CAPPED_MPS * (seconds + ARRIVAL_JITTER_SECONDS) + batchLimit);
      }
    }

    // A HELP texted back to the account's own number is answered through its sub-account, from that
    // number (a sub-account's numbers are not the main account's to send from).
    const [asker] = gbNumbers(1, offset + 2_000);
    const texted = await send(acme.apiKey, { recipients: [asker], text: 'Reply HELP', senderId: '+447700900123' });
    expect(texted.errors).toBeUndefined();
    await waitFor('the number texted', () => delivered(acme.apiKey, texted.data!.sendBulk.id, 1));
    sandbox.sendInbound(asker, '447700900123', 'HELP');
    await waitFor('the HELP reply sent', () => Promise.resolve(sandbox.records.submissionsFor(asker).length === 2));
    const reply = sandbox.records.submissionsFor(asker)[1];
    expect({ authId: reply.authId, src: reply.src }).toEqual({ authId: created.authId, src: '447700900123' });
  });

  it("should read national numbers in the account's default country in quotes and recipient-list uploads", async () => {
    const account = await testApp.newAccount();
    await settle(account.accountId, { defaultCountry: 'GB' });
    const numbers = gbNumbers(3, offset + 5_000);

    const quote = await graphql<{ quote: { recipients: number; rejectedRecipients: unknown[] } }>(
      testApp.baseUrl,
      account.apiKey,
      'query($input: QuoteInput!) { quote(input: $input) { recipients rejectedRecipients { input reason } } }',
      { input: { recipients: numbers.map(national), text: 'hi' } },
    );
    expect(quote.errors).toBeUndefined();
    expect(quote.data!.quote).toEqual({ recipients: 3, rejectedRecipients: [] });

    const upload = await fetch(`${testApp.baseUrl}/api/recipient-lists`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'x-api-key': account.apiKey },
      body: `phone\n${numbers.map(national).join('\n')}\n`,
    });
    expect(upload.status).toBe(201);
    expect(await upload.json()).toMatchObject({
      recipients: 3,
      rejected: 0,
      perCountry: [{ country: 'GB', recipients: 3 }],
    });
    // A request's own defaultCountry still wins: as American numbers these are not valid.
    const asAmerican = await graphql<{ quote: { recipients: number; rejectedRecipients: unknown[] } }>(
      testApp.baseUrl,
      account.apiKey,
      'query($input: QuoteInput!) { quote(input: $input) { recipients rejectedRecipients { input } } }',
      { input: { recipients: numbers.map(national), text: 'hi', defaultCountry: 'US' } },
    );
    expect(asAmerican.errors).toBeUndefined();
    expect(asAmerican.data!.quote.recipients).toBe(0);
    expect(asAmerican.data!.quote.rejectedRecipients).toHaveLength(3);
  });

  it("should accept a sub-account's delivery report by its Ma-V3 signature (main token), not by V3 with the sub-account's token alone", async () => {
    const created = sandbox.createSubaccount('Reports');
    const account = await testApp.newAccount();
    await settle(account.accountId, { plivoAuthId: created.authId, plivoAuthToken: created.authToken });
    const [to] = gbNumbers(1, offset + 7_000);
    const sent = await send(account.apiKey, { recipients: [to], text: 'report me' });
    expect(sent.errors).toBeUndefined();
    await waitFor('the report applied', () => delivered(account.apiKey, sent.data!.sendBulk.id, 1));
    const [message] = sandbox.records.messagesFor(to);
    expect(message.batch.authId).toBe(created.authId);

    // A late report for it, signed like Plivo signs a sub-account's callback but with only one header each time.
    const url = `${testApp.baseUrl}/api/webhooks/plivo/delivery-report`;
    const params = { MessageUUID: message.uuid, To: message.to, From: 'x', Status: 'delivered', Sequence: '9' };
    const post = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(params).toString(),
      });
    const reports = () => testApp.app.get(PrismaService).deliveryReport.count({ where: { messageUuid: message.uuid } });
    const before = await reports();
    const subOnly = await post({
      'X-Plivo-Signature-V3': signPlivoV3('POST', url, '11111111111111111111', created.authToken, params),
      'X-Plivo-Signature-V3-Nonce': '11111111111111111111',
    });
    expect(subOnly.status).toBe(403);
    const mainOnly = await post({
      'X-Plivo-Signature-Ma-V3': signPlivoV3('POST', url, '22222222222222222222', sandbox.webhookSecret, params),
      'X-Plivo-Signature-V3-Nonce': '22222222222222222222',
    });
    expect(mainOnly.status).toBeLessThan(300);
    // Stored before the answer: the refused one wrote nothing, the accepted one its row.
    expect(await reports()).toBe(before + 1);
  });
});
