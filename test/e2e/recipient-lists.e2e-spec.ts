import { CampaignRepository } from '../../src/persistence/campaign.repository';
import { MessageRepository } from '../../src/persistence/message.repository';
import { RecipientListRepository } from '../../src/persistence/recipient-list.repository';
import { PrismaService } from '../../src/persistence/prisma.service';
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
  ERASURE_HASH_KEY: 'recipient-lists-e2e-erasure-key-0123456789',
};

const QUOTE = `query($input: QuoteInput!) { quote(input: $input) {
  encoding segments recipients distinctTexts totalCost { amount currency }
  distribution { encoding segments recipients } perCountry { country recipients segments cost { amount } }
  rejectedRecipients { input reason } emptyFields { field recipients defaulted } } }`;
const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) {
  id status text rejectedRecipients { input reason } progress { total pending } } }`;
const LIST = `query($id: ID!) { recipientList(id: $id) {
  id phoneColumn fields rows recipients duplicates rejected rejectedRows { row column input reason } } }`;
const MESSAGES = `query($id: ID!, $after: String) { campaign(id: $id) { status
  messages(first: 100, after: $after) { edges { node { to status text } } pageInfo { hasNextPage endCursor } } } }`;

interface Upload {
  id: string;
  phoneColumn: string;
  fields: string[];
  rows: number;
  recipients: number;
  duplicates: number;
  rejected: number;
  rejectedRows: Array<{ row: number; column: string | null; input: string; reason: string }>;
}

async function upload(
  baseUrl: string,
  apiKey: string | undefined,
  body: string,
  contentType = 'text/csv',
  query = '',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/api/recipient-lists${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(TEST_DATABASES)('recipient lists on %s', (database) => {
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

  it('should upload a CSV, quote it and send each recipient its own text exactly once', async () => {
    const { apiKey } = await testApp.newAccount();
    const us = usNumbers(240, 50_000);
    const gb = gbNumbers(60, 50_000);
    // Mixed formats: E.164, national US with the default country, spaces and dashes, quoted cells with commas.
    const lines = ['Name,Mobile Number,Party'];
    us.forEach((n, i) => {
      const national = `(${n.slice(2, 5)}) ${n.slice(5, 8)}-${n.slice(8)}`;
      // One in three recipients has no name (the template's default applies); parties repeat, so texts are shared.
      const name = i % 3 === 0 ? '' : i % 7 === 0 ? `"Smith, Jo ${i}"` : `Ann${i % 5}`;
      lines.push(`${name},${i % 2 === 0 ? n : national},${i % 4}`);
    });
    gb.forEach((n, i) =>
      lines.push(`Bob${i % 3},${n.replace(/^\+44/, '+44 ').replace(/(\d{4})(\d{6})$/, '$1 $2')},${i % 4}`),
    );
    lines.push('Dup,' + us[0] + ',1'); // duplicate
    lines.push('Bad,12345,1'); // not a number
    lines.push('Short,1'); // missing a column
    lines.push(`Long,${usNumbers(1, 90_000)[0]},${'x'.repeat(1_001)}`); // field too long
    const csv = lines.join('\r\n') + '\r\n';

    const uploaded = await upload(testApp.baseUrl, apiKey, csv, 'text/csv', '?defaultCountry=US');
    expect(uploaded.status).toBe(201);
    const list = uploaded.body as unknown as Upload;
    expect(list).toMatchObject({
      phoneColumn: 'Mobile Number',
      fields: ['Name', 'Party'],
      rows: 304,
      recipients: 300,
      duplicates: 1,
      rejected: 4,
    });
    const dataRows = us.length + gb.length;
    expect(list.rejectedRows).toEqual([
      { row: dataRows + 2, column: 'Mobile Number', input: us[0], reason: `duplicate of ${us[0]}` },
      { row: dataRows + 3, column: 'Mobile Number', input: '12345', reason: 'not a valid phone number' },
      { row: dataRows + 4, column: null, input: 'Short,1', reason: 'has 2 columns; the header has 3' },
      { row: dataRows + 5, column: 'Party', input: `${'x'.repeat(64)}…`, reason: 'longer than 1000 characters' },
    ]);
    const viaGraphql = await graphql<{ recipientList: Upload }>(testApp.baseUrl, apiKey, LIST, { id: list.id });
    expect(viaGraphql.data!.recipientList).toMatchObject({ id: list.id, recipients: 300, rejected: 4 });
    expect(viaGraphql.data!.recipientList.rejectedRows).toEqual(list.rejectedRows);
    // Another account does not see it.
    const other = await testApp.newAccount();
    const hidden = await graphql<{ recipientList: Upload | null }>(testApp.baseUrl, other.apiKey, LIST, {
      id: list.id,
    });
    expect(hidden.data!.recipientList).toBeNull();

    // A recipient with party 3 and a 150-character name suffix gets a two-segment text.
    const text =
      'Hi {{ Name | default: "there" }}, your table for {{ Party }} is ready.{% if Party == "3" %}' +
      ` ${'Please arrive on time. '.repeat(6)}{% endif %}`;
    const quote = await graphql<{
      quote: {
        recipients: number;
        distinctTexts: number;
        distribution: Array<{ encoding: string; segments: number; recipients: number }>;
        perCountry: Array<{ country: string; recipients: number; segments: number }>;
        emptyFields: Array<{ field: string; recipients: number; defaulted: boolean }>;
      };
    }>(testApp.baseUrl, apiKey, QUOTE, { input: { text, recipientListId: list.id } });
    expect(quote.errors).toBeUndefined();
    const q = quote.data!.quote;
    expect(q.recipients).toBe(300);
    expect(q.distribution).toEqual([
      { encoding: 'GSM7', segments: 1, recipients: 225 },
      { encoding: 'GSM7', segments: 2, recipients: 75 },
    ]);
    expect(q.perCountry).toEqual([
      expect.objectContaining({ country: 'US', recipients: 240, segments: 240 + 60 }),
      expect.objectContaining({ country: 'GB', recipients: 60, segments: 60 + 15 }),
    ]);
    // One US recipient in three has no name: the template's default covers them, and the quote says how many.
    expect(q.emptyFields).toEqual([{ field: 'Name', recipients: 80, defaulted: true }]);

    // Unknown field and syntax errors name the field and the position.
    const unknown = await graphql(testApp.baseUrl, apiKey, QUOTE, {
      input: { text: 'Hi {{ Nmae }}', recipientListId: list.id },
    });
    expect(unknown.errors?.[0]).toMatchObject({
      message: expect.stringContaining('unknown field "Nmae" at line 1, column 7'),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const broken = await graphql(testApp.baseUrl, apiKey, SEND, {
      input: { text: 'Hi {{ Name ', recipientListId: list.id, recipients: [] },
    });
    expect(broken.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^text: template: .*line 1, column 4/),
      extensions: { code: 'BAD_USER_INPUT' },
    });

    const sent = await graphql<{ sendBulk: { id: string; progress: { total: number } } }>(
      testApp.baseUrl,
      apiKey,
      SEND,
      { input: { text, recipientListId: list.id, recipients: [] } },
    );
    expect(sent.errors).toBeUndefined();
    const campaignId = sent.data!.sendBulk.id;
    expect(sent.data!.sendBulk.progress.total).toBe(300);
    const expected = new Map<string, string>();
    us.forEach((n, i) => {
      const name = i % 3 === 0 ? 'there' : i % 7 === 0 ? `Smith, Jo ${i}` : `Ann${i % 5}`;
      expected.set(n, render(name, String(i % 4)));
    });
    gb.forEach((n, i) => expected.set(n, render(`Bob${i % 3}`, String(i % 4))));
    // Recipients with the same text share requests: one batch per distinct text (each has < 1,000 recipients).
    const batches = await prisma.batch.findMany({ where: { campaignId } });
    expect(batches.length).toBe(new Set(expected.values()).size);
    expect(new Set(batches.map((b) => b.text)).size).toBe(batches.length);
    expect(batches.length).toBeLessThan(300 / 5);

    await waitFor('every message handed to the provider', async () => {
      const { pending } = await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
      return pending === 0;
    });

    // Each recipient got exactly one submission, with the text rendered from its own row.
    const wrong: unknown[] = [];
    for (const [number, want] of expected) {
      const texts = sandbox.records.textsSentTo(number);
      if (texts.length !== 1 || texts[0] !== want) {
        wrong.push({ number, texts, want });
      }
    }
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(sandbox.records.duplicates()).toEqual([]);

    // The owner sees each recipient's text on the messages connection.
    const page = await graphql<{
      campaign: { messages: { edges: Array<{ node: { to: string; text: string } }> } };
    }>(testApp.baseUrl, apiKey, MESSAGES, { id: campaignId });
    for (const { node } of page.data!.campaign.messages.edges) {
      expect(node.text).toBe(expected.get(node.to));
    }
    const notOwner = await graphql<{ campaign: null }>(testApp.baseUrl, other.apiKey, MESSAGES, { id: campaignId });
    expect(notOwner.data!.campaign).toBeNull();

    // The export counts each message on its own text: the party-3 texts are two segments, the rest one.
    const response = await fetch(`${testApp.baseUrl}/api/campaigns/${campaignId}/messages.ndjson`, {
      headers: { 'x-api-key': apiKey },
    });
    expect(response.status).toBe(200);
    const exported = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { to: string; segments: number; encoding: string });
    expect(exported).toHaveLength(300);
    const miscounted = exported.filter(
      (row) => row.encoding !== 'GSM7' || row.segments !== (expected.get(row.to)!.length > 160 ? 2 : 1),
    );
    expect(miscounted.slice(0, 3)).toEqual([]);

    function render(name: string, party: string): string {
      const extra = party === '3' ? ` ${'Please arrive on time. '.repeat(6)}` : '';
      return `Hi ${name}, your table for ${party} is ready.${extra}`;
    }
  });

  it('should send a list with a text that reads no field, or only the number, over several pages of entries', async () => {
    const { apiKey } = await testApp.newAccount();
    // More than one page of entries (10,000), with the countries interleaved: every fifth number is GB.
    const us = usNumbers(8_008, 200_000);
    const gb = gbNumbers(2_002, 20_000);
    const phones: string[] = [];
    for (let i = 0, u = 0, g = 0; i < us.length + gb.length; i++) {
      phones.push(i % 5 === 4 ? gb[g++] : us[u++]);
    }
    const csv = ['phone,name', ...phones.map((phone, i) => `${phone},Name ${i}`)].join('\n') + '\n';
    const uploaded = await upload(testApp.baseUrl, apiKey, csv);
    expect(uploaded.body).toMatchObject({ recipients: phones.length, rejected: 0 });
    const listId = uploaded.body.id as string;

    // No field read: one text for everyone, every recipient stored in list order with its country.
    const plain = 'Your parcel is on its way.';
    const quote = await graphql<{ quote: { recipients: number; distinctTexts: number; perCountry: unknown[] } }>(
      testApp.baseUrl,
      apiKey,
      QUOTE,
      { input: { text: plain, recipientListId: listId } },
    );
    expect(quote.data!.quote).toMatchObject({
      recipients: phones.length,
      distinctTexts: 1,
      perCountry: [
        expect.objectContaining({ country: 'US', recipients: us.length }),
        expect.objectContaining({ country: 'GB', recipients: gb.length }),
      ],
    });
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    const sent = await graphql<{ sendBulk: { id: string; progress: { total: number } } }>(
      testApp.baseUrl,
      apiKey,
      SEND,
      { input: { text: plain, recipientListId: listId, recipients: [], scheduledAt } },
    );
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.sendBulk.progress.total).toBe(phones.length);
    const campaignId = sent.data!.sendBulk.id;
    // Each recipient is written once before the campaign is accepted: its batches hold their list positions,
    // and the messages are made as batches are claimed, or here, as a read of the campaign's messages makes them.
    expect(await prisma.message.count({ where: { campaignId } })).toBe(0);
    const positions = await prisma.batch.findMany({ where: { campaignId }, select: { listPositions: true } });
    expect(positions.flatMap((b) => b.listPositions).sort((x, y) => x - y)).toEqual([...phones.keys()]);
    await testApp.app.get(MessageRepository).makeAllListMessages(campaignId);
    const stored = await prisma.message.findMany({
      where: { campaignId },
      orderBy: { id: 'asc' },
      select: { to: true, country: true },
    });
    expect(stored.map((m) => m.to)).toEqual(phones);
    expect(stored.filter((m, i) => m.country !== (i % 5 === 4 ? 'GB' : 'US'))).toEqual([]);
    const batches = await prisma.batch.findMany({
      where: { campaignId },
      select: { text: true, recipientCount: true },
    });
    expect(new Set(batches.map((b) => b.text))).toEqual(new Set([plain]));
    expect(batches.reduce((sum, b) => sum + b.recipientCount, 0)).toBe(phones.length);

    // Only the number read: a GB number (13 characters) takes the text past 1,600 GSM-7 characters, a US
    // number (12) does not; each GB recipient is rejected with its own row (the header is row 1).
    const long = `${'A'.repeat(1_588)}{{ phone }}`;
    const byNumber = await graphql<{
      sendBulk: {
        id: string;
        progress: { total: number };
        rejectedRecipients: Array<{ input: string; reason: string }>;
      };
    }>(testApp.baseUrl, apiKey, SEND, { input: { text: long, recipientListId: listId, recipients: [], scheduledAt } });
    expect(byNumber.errors).toBeUndefined();
    expect(byNumber.data!.sendBulk.progress.total).toBe(us.length);
    const rejected = byNumber.data!.sendBulk.rejectedRecipients;
    expect(rejected.slice(0, 2)).toEqual([
      { input: gb[0], reason: expect.stringMatching(/^row 6: text: text is 1,601 GSM-7 characters/) },
      { input: gb[1], reason: expect.stringMatching(/^row 11: text: text is 1,601 GSM-7 characters/) },
    ]);
    // The last one is on the second page of entries: its row number comes from that page.
    const id = byNumber.data!.sendBulk.id;
    expect(await prisma.campaign.findUniqueOrThrow({ where: { id } })).toMatchObject({ rejectedCount: gb.length });
    const lastRejected = await prisma.rejectedRecipient.findFirstOrThrow({
      where: { campaignId: id },
      orderBy: { position: 'desc' },
    });
    const lastRow = phones.lastIndexOf(gb[gb.length - 1]) + 2;
    expect(lastRow).toBeGreaterThan(10_001);
    expect(lastRejected).toMatchObject({
      input: gb[gb.length - 1],
      reason: expect.stringMatching(`^row ${lastRow}: text: `),
    });
  });

  // The database does not matter for these: PostgreSQL only.
  const onPostgres = database === 'postgres' ? it : it.skip;

  onPostgres('should take NDJSON, and reject what cannot be sent with row and column', async () => {
    const { apiKey } = await testApp.newAccount();
    const [a, b] = usNumbers(2, 70_000);
    const ndjson = [
      JSON.stringify({ phone: a, code: 1234 }),
      'not json',
      JSON.stringify({ phone: b, code: null }),
      JSON.stringify({ phone: 'nope', code: 1 }),
    ].join('\n');
    const uploaded = await upload(testApp.baseUrl, apiKey, ndjson, 'application/x-ndjson');
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({
      phoneColumn: 'phone',
      fields: ['code'],
      rows: 4,
      recipients: 2,
      rejected: 2,
    });
    expect(uploaded.body.rejectedRows).toEqual([
      { row: 2, column: null, input: 'not json', reason: 'not valid JSON' },
      { row: 4, column: 'phone', input: 'nope', reason: 'not a valid phone number' },
    ]);
    // b's code is empty: its text is empty and it is rejected with that reason; a is sent.
    const sent = await graphql<{ sendBulk: { progress: { total: number }; rejectedRecipients: unknown[] } }>(
      testApp.baseUrl,
      apiKey,
      SEND,
      { input: { text: '{{ code }}', recipientListId: uploaded.body.id, recipients: [] } },
    );
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.sendBulk.progress.total).toBe(1);
    expect(sent.data!.sendBulk.rejectedRecipients).toEqual([
      { input: b, reason: 'row 3: text: text is empty or only whitespace' },
    ]);
  });

  it('should reject only the rows whose fields the database cannot store, and keep the list', async () => {
    const { apiKey } = await testApp.newAccount();
    const [a, b, c] = usNumbers(3, 75_000);
    const ndjson = [
      JSON.stringify({ phone: a, name: 'Ann 😀' }),
      `{"phone":"${b}","name":"x\\ud800y"}`,
      `{"phone":"${c}","name":"n\\u0000l"}`,
      'not json \u0000',
    ].join('\n');
    const uploaded = await upload(testApp.baseUrl, apiKey, ndjson, 'application/x-ndjson');
    expect(uploaded).toMatchObject({ status: 201, body: { rows: 4, recipients: 1, rejected: 3 } });
    const reason = 'contains a NUL byte or an unpaired surrogate';
    expect(uploaded.body.rejectedRows).toEqual([
      { row: 2, column: 'name', input: 'x\uFFFDy', reason },
      { row: 3, column: 'name', input: 'n\uFFFDl', reason },
      { row: 4, column: null, input: 'not json \uFFFD', reason: 'not valid JSON' },
    ]);
    const list = await graphql<{ recipientList: Upload }>(testApp.baseUrl, apiKey, LIST, { id: uploaded.body.id });
    expect(list.errors).toBeUndefined();
    expect(list.data!.recipientList).toMatchObject({ recipients: 1, rejected: 3 });
    const refused = await upload(testApp.baseUrl, apiKey, `phone,na\u0000me\n${a},Ann\n`);
    expect(refused).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'header' } });
  });

  it('should refuse a campaign whose list is deleted while it is accepted, with a clear error and nothing stored', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const phones = usNumbers(3, 76_000);
    const uploaded = await upload(testApp.baseUrl, apiKey, ['phone', ...phones].join('\n') + '\n');
    const listId = uploaded.body.id as string;
    const campaigns = testApp.app.get(CampaignRepository);
    const lists = testApp.app.get(RecipientListRepository);
    // The race, made certain: the list expires and is swept after sendBulk read it, before its campaign is stored.
    const create = campaigns.createWithRecipients.bind(campaigns);
    const racing = jest.spyOn(campaigns, 'createWithRecipients').mockImplementationOnce(async (...args) => {
      expect(await lists.delete([listId])).toEqual([listId]);
      return create(...args);
    });
    try {
      const refused = await graphql(testApp.baseUrl, apiKey, SEND, {
        input: { text: 'Your parcel is on its way.', recipientListId: listId, recipients: [] },
      });
      expect(racing).toHaveBeenCalledTimes(1);
      expect(refused.data).toBeNull();
      expect(refused.errors?.[0]).toMatchObject({
        message: `recipientListId: no recipient list ${listId} (it expired)`,
        extensions: { code: 'BAD_USER_INPUT' },
      });
    } finally {
      racing.mockRestore();
    }
    // The transaction rolled back whole: no campaign, no batch, no message.
    expect(await prisma.campaign.count({ where: { accountId } })).toBe(0);
    const again = await graphql(testApp.baseUrl, apiKey, SEND, {
      input: { text: 'Your parcel is on its way.', recipientListId: listId, recipients: [] },
    });
    expect(again.errors?.[0]).toMatchObject({
      message: expect.stringContaining(`no recipient list ${listId}`),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  onPostgres(
    'should leave suppressed numbers out, place batches in their send window, and erase a number',
    async () => {
      const { apiKey } = await testApp.newAccount();
      const [a, b, c] = usNumbers(3, 80_000);
      const [g] = gbNumbers(1, 80_000);
      const csv = `phone,name\n${a},Ann\n${b},Bea\n${c},Cy\n${g},Gil\n`;
      const uploaded = await upload(testApp.baseUrl, apiKey, csv);
      expect(uploaded).toMatchObject({ status: 201, body: { recipients: 4 } });
      const added = await graphql(
        testApp.baseUrl,
        apiKey,
        `
          mutation ($input: AddSuppressionsInput!) {
            addSuppressions(input: $input) {
              added
            }
          }
        `,
        { input: { phones: [b] } },
      );
      expect(added.errors).toBeUndefined();
      const input = { text: 'Hi {{ name }}', recipientListId: uploaded.body.id };
      const quote = await graphql<{
        quote: { recipients: number; rejectedRecipients: unknown[]; totalCost: { amount: number } };
      }>(testApp.baseUrl, apiKey, QUOTE, { input });
      expect(quote.errors).toBeUndefined();
      expect(quote.data!.quote.recipients).toBe(3);
      expect(quote.data!.quote.rejectedRecipients).toEqual([{ input: b, reason: 'SUPPRESSED' }]);

      // A window that never opens before the test ends: every batch waits, placed by country and zone.
      const sent = await graphql<{
        sendBulk: { id: string; rejectedRecipients: unknown[]; progress: { total: number } };
      }>(testApp.baseUrl, apiKey, SEND, {
        input: { ...input, recipients: [], sendWindow: { start: '03:00', end: '03:01', days: ['SUN'] } },
      });
      expect(sent.errors).toBeUndefined();
      const campaignId = sent.data!.sendBulk.id;
      expect(sent.data!.sendBulk.rejectedRecipients).toEqual([{ input: b, reason: 'SUPPRESSED' }]);
      expect(await prisma.message.count({ where: { campaignId, status: 'SUPPRESSED' } })).toBe(1);
      // Priced without the suppressed number, as the quote was.
      const campaign = await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
      expect(Number(campaign.estimatedCost)).toBeCloseTo(Number(quote.data!.quote.totalCost.amount), 5);
      expect(campaign.estimatedCostByCountry).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ country: 'US', recipients: 2 }),
          expect.objectContaining({ country: 'GB', recipients: 1 }),
        ]),
      );
      const batches = await prisma.batch.findMany({ where: { campaignId }, orderBy: { sequence: 'asc' } });
      expect(batches.map((batch) => [batch.country, batch.text, batch.windowStartMinute])).toEqual([
        ['US', 'Hi Ann', 180],
        ['US', 'Hi Cy', 180],
        ['GB', 'Hi Gil', 180],
      ]);
      expect(batches.every((batch) => batch.windowZone !== null)).toBe(true);

      // Erasing a number removes its rendered text and its rows in the account's lists.
      const erased = await graphql(
        testApp.baseUrl,
        apiKey,
        `
          mutation ($phone: String!) {
            eraseRecipient(phone: $phone) {
              messages
            }
          }
        `,
        { phone: a },
      );
      expect(erased.errors).toBeUndefined();
      expect(await prisma.recipientListEntry.count({ where: { listId: String(uploaded.body.id), phone: a } })).toBe(0);
      expect(await prisma.recipientListEntry.count({ where: { listId: String(uploaded.body.id) } })).toBe(3);
      expect((await prisma.batch.findUnique({ where: { id: batches[0].id } }))!.text).toBe('');
      const page = await graphql<{
        campaign: { messages: { edges: Array<{ node: { to: string; text: string | null } }> } };
      }>(testApp.baseUrl, apiKey, MESSAGES, { id: campaignId });
      const texts = page.data!.campaign.messages.edges.map(({ node }) => [node.to.startsWith('erased:'), node.text]);
      // In the order the messages were made: the suppressed one at acceptance, the erased number's batch when
      // it was erased, the others as this read made them.
      expect(texts).toEqual([
        [false, null], // suppressed: never in a batch, never sent
        [true, null],
        [false, 'Hi Cy'],
        [false, 'Hi Gil'],
      ]);
    },
  );

  onPostgres('should refuse unauthenticated, ambiguous and malformed uploads with a clear error', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    expect((await upload(testApp.baseUrl, undefined, 'phone\n+14155550100\n')).status).toBe(401);
    const ambiguous = await upload(testApp.baseUrl, apiKey, 'phone,mobile\n1,2\n');
    expect(ambiguous).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'phoneColumn' } });
    const byNumber = await upload(testApp.baseUrl, apiKey, 'a,b\nx,+14155550100\n', 'text/csv', '?phoneColumn=2');
    expect(byNumber).toMatchObject({ status: 201, body: { phoneColumn: 'b', recipients: 1 } });
    const badQuote = await upload(testApp.baseUrl, apiKey, 'phone,name\n+14155550100,"unclosed\n');
    expect(badQuote).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'body' } });
    expect(String(badQuote.body.message)).toMatch(/not valid CSV/);
    const wrongType = await upload(testApp.baseUrl, apiKey, '{}', 'application/json');
    expect(wrongType).toMatchObject({ status: 400, body: { field: 'Content-Type' } });
    // A failed upload leaves nothing behind.
    // This account's: other files on this worker share the database.
    expect(await prisma.recipientList.count({ where: { accountId, state: 'UPLOADING' } })).toBe(0);
  });
});
