import { PrismaService } from '../../src/persistence/prisma.service';
import { RecipientListRepository } from '../../src/persistence/recipient-list.repository';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, usNumbers, waitFor } from '../utils/phone-numbers';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

const FAST = {
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_MPS: '100000',
  PLIVO_MPS: '100000',
  DISPATCH_POLL_MS: '20',
};

const CAMPAIGN = `query($id: ID!) { campaign(id: $id) { status rejectedRecipientCount
  rejectedRecipients(first: 10) { input reason } progress { total suppressed } } }`;

interface UploadedCampaign {
  id: string;
  status: string;
  text: string;
  encoding: string;
  segmentsPerMessage: number;
  rejectedRecipientCount: number;
  estimatedCost: { amount: number; currency: string };
  upload: {
    phoneColumn: string;
    fields: string[];
    rows: number;
    recipients: number;
    duplicates: number;
    rejected: number;
    rejectedRows: Array<{ row: number; column: string | null; input: string; reason: string }>;
    rejectedRowsTruncated: boolean;
  } | null;
}

async function postCampaign(
  baseUrl: string,
  apiKey: string,
  body: string,
  query: Record<string, string>,
  contentType = 'text/csv',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/api/campaigns?${new URLSearchParams(query).toString()}`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-api-key': apiKey },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(TEST_DATABASES)('a campaign and its recipients in one request on %s', (database) => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let sandbox: PlivoSandbox;

  beforeAll(async () => {
    testApp = await startTestApp(database, FAST);
    prisma = testApp.app.get(PrismaService);
    sandbox = testApp.app.get(PlivoSandbox);
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should store a personalized CSV as a campaign, skip the suppressed and send each recipient its text once', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const us = usNumbers(150, 70_000);
    const gb = gbNumbers(50, 70_000);
    const lines = ['Name,Phone,Table'];
    us.forEach((n, i) => lines.push(`${i % 9 === 0 ? `"Lee, Sam ${i}"` : `Ann${i % 4}`},${n.slice(2)},${i % 3}`));
    gb.forEach((n, i) => lines.push(`Bob${i % 2},${n},${i % 3}`));
    lines.push(`Dup,${us[0]},1`);
    lines.push('Bad,12345,1');
    const suppressed = us[5];
    const added = await graphql(
      testApp.baseUrl,
      apiKey,
      'mutation($input: AddSuppressionsInput!) { addSuppressions(input: $input) { added } }',
      { input: { phones: [suppressed] } },
    );
    expect(added.errors).toBeUndefined();

    const text = 'Hi {{ Name }}, table {{ Table }} is ready.';
    const posted = await postCampaign(testApp.baseUrl, apiKey, lines.join('\n') + '\n', {
      text,
      name: 'one request',
      defaultCountry: 'US',
      phoneColumn: 'Phone',
    });
    expect(posted.status).toBe(201);
    const campaign = posted.body as unknown as UploadedCampaign;
    expect(campaign).toMatchObject({ text, encoding: 'GSM7', segmentsPerMessage: 1, rejectedRecipientCount: 1 });
    expect(campaign.upload).toEqual({
      phoneColumn: 'Phone',
      fields: ['Name', 'Table'],
      rows: 202,
      recipients: 200,
      duplicates: 1,
      rejected: 2,
      rejectedRows: [
        { row: 202, column: 'Phone', input: us[0], reason: `duplicate of ${us[0]}` },
        { row: 203, column: 'Phone', input: '12345', reason: 'not a valid phone number' },
      ],
      rejectedRowsTruncated: false,
    });
    // Priced as sent: 199 recipients of one segment (the suppressed one is not).
    const quote = await graphql<{ quote: { totalCost: { amount: number } } }>(
      testApp.baseUrl,
      apiKey,
      'query($input: QuoteInput!) { quote(input: $input) { totalCost { amount } } }',
      { input: { text: 'x', recipients: [...us.filter((n) => n !== suppressed), ...gb] } },
    );
    expect(campaign.estimatedCost.amount).toBeCloseTo(quote.data!.quote.totalCost.amount, 5);

    // (Some carriers never confirm delivery, as in the sandbox: handed to the provider is as far as it goes.)
    await waitFor('every message handed to the provider', async () => {
      const row = await prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
      return row.pending === 0;
    });
    const read = await graphql<{
      campaign: {
        rejectedRecipients: Array<{ input: string; reason: string }>;
        progress: { total: number; suppressed: number };
      };
    }>(testApp.baseUrl, apiKey, CAMPAIGN, { id: campaign.id });
    expect(read.data!.campaign.progress).toEqual({ total: 200, suppressed: 1 });
    expect(read.data!.campaign.rejectedRecipients).toEqual([{ input: suppressed, reason: 'SUPPRESSED' }]);
    const wrong: unknown[] = [];
    us.forEach((n, i) => {
      const want =
        n === suppressed ? [] : [`Hi ${i % 9 === 0 ? `Lee, Sam ${i}` : `Ann${i % 4}`}, table ${i % 3} is ready.`];
      if (JSON.stringify(sandbox.records.textsSentTo(n)) !== JSON.stringify(want)) {
        wrong.push({ n, got: sandbox.records.textsSentTo(n), want });
      }
    });
    gb.forEach((n, i) => {
      const want = [`Hi Bob${i % 2}, table ${i % 3} is ready.`];
      if (JSON.stringify(sandbox.records.textsSentTo(n)) !== JSON.stringify(want)) {
        wrong.push({ n, got: sandbox.records.textsSentTo(n), want });
      }
    });
    expect(wrong.slice(0, 3)).toEqual([]);
    // Batches share one text and one country.
    const batches = await prisma.batch.findMany({ where: { campaignId: campaign.id } });
    for (const batch of batches) {
      const messages = await prisma.message.findMany({ where: { batchId: batch.id } });
      expect(new Set(messages.map((m) => m.country)).size).toBe(1);
      expect(messages.length).toBe(batch.recipientCount);
    }
    expect(await prisma.campaign.count({ where: { accountId } })).toBe(1);
    // On PGlite the rows went through a list on their way in: it expired at once, and the expiry sweep deletes
    // it once the campaign has made every message from it.
    const lists = await prisma.recipientList.findMany({ where: { accountId } });
    expect(lists.filter((list) => list.expiresAt.getTime() > Date.now())).toEqual([]);
    await testApp.app.get(RecipientListRepository).deleteExpired(new Date(), 100);
    expect(await prisma.recipientList.count({ where: { accountId } })).toBe(0);
  });

  it('should take NDJSON and a plain text, and answer an idempotent retry with the same campaign', async () => {
    const { apiKey } = await testApp.newAccount();
    const numbers = usNumbers(30, 71_000);
    const body = numbers.map((n, i) => JSON.stringify({ mobile: n, n: i })).join('\n') + '\n';
    const query = { text: 'Your code is ready', idempotencyKey: 'upload-once', phoneColumn: 'mobile' };
    const first = await postCampaign(testApp.baseUrl, apiKey, body, query, 'application/x-ndjson');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ text: 'Your code is ready', upload: { rows: 30, recipients: 30 } });
    const again = await postCampaign(testApp.baseUrl, apiKey, body, query, 'application/x-ndjson');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, upload: null });
    const changed = await postCampaign(
      testApp.baseUrl,
      apiKey,
      body.replace(numbers[0], numbers[1]),
      query,
      'application/x-ndjson',
    );
    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(String(first.body.id)) });
    await waitFor('every recipient sent once', () =>
      Promise.resolve(numbers.every((n) => sandbox.records.textsSentTo(n).length === 1)),
    );
  });

  it('should refuse a bad request with a clear error and store nothing', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const csv = `phone,name\n${usNumbers(3, 72_000).join(',x\n')},x\n`;
    const refusals: Array<[Record<string, string>, string, RegExp]> = [
      [
        { text: 'Hi {{ nom }}' },
        csv,
        /^text: template: unknown field "nom" at line 1, column 7; the list has "phone", "name"/,
      ],
      [{ text: 'Hi', maxCost: '0.0001' }, csv, /^maxCost: the estimated cost 0\.0\d+ USD exceeds maxCost 0\.00010 USD/],
      [{ text: 'Hi', maxcost: '5' }, csv, /^maxcost: unknown query parameter/],
      [{ text: 'Hi', priority: 'high' }, csv, /^priority: must be a number, not "high"/],
      [{ text: 'Hi', sendWindowStart: '09:00', sendWindowEnd: '25:00' }, csv, /^sendWindowEnd: must be/],
      [{ text: 'Hi', scheduledAt: 'tomorrow' }, csv, /^scheduledAt: must be a date and time/],
      [{ name: 'no text' }, csv, /^text: the campaign text is required/],
      [{ text: 'Hi' }, 'phone\n12\n', /^body: no recipient can be sent among 1 rows \(missing country code/],
      [{ text: 'Hi' }, 'phone,x\n"+14155550100,1\n', /^body: not valid CSV: Quote Not Closed/],
      [{ text: 'Hi' }, '', /^body: the upload is empty/],
    ];
    for (const [query, body, message] of refusals) {
      const refused = await postCampaign(testApp.baseUrl, apiKey, body, query);
      expect({ query, status: refused.status, code: refused.body.code }).toEqual({
        query,
        status: 400,
        code: 'BAD_USER_INPUT',
      });
      expect(refused.body.message).toMatch(message);
    }
    expect(await prisma.campaign.count({ where: { accountId } })).toBe(0);
    expect(await prisma.message.count({ where: { to: { in: usNumbers(3, 72_000) } } })).toBe(0);
  });
});
