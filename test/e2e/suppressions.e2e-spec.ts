import { PrismaService } from '../../src/persistence/prisma.service';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { SANDBOX_SENDER_ID } from '../../src/sandbox/sandbox.module';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';

const ENV = {
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_MPS: '100000',
  PLIVO_MPS: '100000',
  DISPATCH_POLL_MS: '20',
  CONSENT_PROCESS_INTERVAL_MS: '50',
  ERASURE_HASH_KEY: 'suppressions-e2e-erasure-key-0123456789',
};

const ADD = `mutation($input: AddSuppressionsInput!) { addSuppressions(input: $input) { added alreadySuppressed messagesSuppressed } }`;
const LIST = `query($first: Int, $after: String, $search: String) {
  suppressions(first: $first, after: $after, search: $search) {
    edges { cursor node { phone source reason campaignId } } pageInfo { hasNextPage endCursor } totalCount } }`;
const REMOVE = `mutation($phone: String!) { removeSuppression(phone: $phone, reason: "asked by phone") }`;
const ERASE = `mutation($phone: String!) { eraseRecipient(phone: $phone) { messages suppressionKept } }`;
const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { id status progress { total pending suppressed } } }`;
const QUOTE = `query($input: QuoteInput!) { quote(input: $input) { recipients rejectedRecipients { input reason } } }`;
const SETTINGS = `mutation($input: ConsentSettingsInput!) { updateConsentSettings(input: $input) { optOutKeywords optInKeywords helpKeywords optOutReply } }`;
const RECORDS = `query($phone: String) { consentRecords(phone: $phone) { phone action source text } }`;

type Suppressions = {
  suppressions: {
    edges: Array<{ cursor: string; node: { phone: string; source: string; reason: string } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    totalCount: number;
  };
};

// PGlite: the suppression, consent and erasure statements run on the embedded database as on PostgreSQL.
describe('Suppression list, consent settings and erasure (pglite)', () => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let sandbox: PlivoSandbox;

  beforeAll(async () => {
    testApp = await startTestApp('pglite', ENV);
    prisma = testApp.app.get(PrismaService);
    sandbox = testApp.app.get(PlivoSandbox);
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should add, page, search and remove suppressions, with their records', async () => {
    const { apiKey } = await testApp.newAccount();
    const numbers = gbNumbers(5, 70_000);
    const invalid = await graphql(testApp.baseUrl, apiKey, ADD, { input: { phones: [numbers[0], 'nope'] } });
    expect(invalid.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(invalid.errors?.[0].message).toMatch(/^phones: /);

    // The records' ids cross a power of ten (9 then 14, or 99 then 104...): newest first must still
    // hold (the ids were once sorted as text, "9" after "14").
    await prisma.$executeRawUnsafe(
      `SELECT setval(pg_get_serial_sequence('"ConsentRecord"', 'id'),
         (SELECT power(10, length((coalesce(max(id), 0) + 2)::text))::bigint - 2 FROM "ConsentRecord"))`,
    );
    const added = await graphql(testApp.baseUrl, apiKey, ADD, { input: { phones: numbers, reason: 'complaint' } });
    expect(added.data).toEqual({ addSuppressions: { added: 5, alreadySuppressed: 0, messagesSuppressed: 0 } });
    const again = await graphql(testApp.baseUrl, apiKey, ADD, { input: { phones: numbers.slice(0, 2) } });
    expect(again.data).toEqual({ addSuppressions: { added: 0, alreadySuppressed: 2, messagesSuppressed: 0 } });

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: { data?: Suppressions } = await graphql<Suppressions>(testApp.baseUrl, apiKey, LIST, {
        first: 2,
        after,
      });
      expect(page.data!.suppressions.totalCount).toBe(5);
      seen.push(...page.data!.suppressions.edges.map((e) => e.node.phone));
      after = page.data!.suppressions.pageInfo.hasNextPage ? page.data!.suppressions.pageInfo.endCursor : null;
    } while (after !== null);
    expect(seen.sort()).toEqual([...numbers].sort());

    const search = await graphql<Suppressions>(testApp.baseUrl, apiKey, LIST, { search: numbers[3].slice(-7) });
    expect(search.data!.suppressions.edges.map((e) => e.node)).toEqual([
      { phone: numbers[3], source: 'API', reason: 'complaint', campaignId: null },
    ]);
    const badCursor = await graphql(testApp.baseUrl, apiKey, LIST, { after: 'garbage' });
    expect(badCursor.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    expect((await graphql(testApp.baseUrl, apiKey, REMOVE, { phone: numbers[0] })).data).toEqual({
      removeSuppression: true,
    });
    expect((await graphql(testApp.baseUrl, apiKey, REMOVE, { phone: numbers[0] })).data).toEqual({
      removeSuppression: false,
    });
    const records = await graphql<{ consentRecords: Array<{ action: string; source: string; text: string }> }>(
      testApp.baseUrl,
      apiKey,
      RECORDS,
      { phone: numbers[0] },
    );
    expect(records.data!.consentRecords.map((r) => [r.action, r.source, r.text])).toEqual([
      ['OPT_IN', 'API', 'asked by phone'],
      ['OPT_OUT', 'API', 'complaint'],
    ]);
  });

  it('should reject suppressed recipients in quotes and sendBulk, and suppress waiting messages at once', async () => {
    const { apiKey } = await testApp.newAccount();
    const numbers = gbNumbers(4, 71_000);
    await graphql(testApp.baseUrl, apiKey, ADD, { input: { phones: [numbers[1]] } });
    const quote = await graphql<{ quote: { recipients: number; rejectedRecipients: unknown[] } }>(
      testApp.baseUrl,
      apiKey,
      QUOTE,
      { input: { text: 'hi', recipients: numbers } },
    );
    expect(quote.data!.quote).toEqual({
      recipients: 3,
      rejectedRecipients: [{ input: numbers[1], reason: 'SUPPRESSED' }],
    });

    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    const sent = await graphql<{ sendBulk: { id: string; progress: { suppressed: number } } }>(
      testApp.baseUrl,
      apiKey,
      SEND,
      { input: { text: 'later', recipients: numbers, scheduledAt } },
    );
    expect(sent.data!.sendBulk.progress).toEqual({ total: 4, pending: 3, suppressed: 1 });
    const added = await graphql(testApp.baseUrl, apiKey, ADD, { input: { phones: [numbers[2]] } });
    expect(added.data).toEqual({ addSuppressions: { added: 1, alreadySuppressed: 0, messagesSuppressed: 1 } });
    const campaign = await prisma.campaign.findUniqueOrThrow({ where: { id: sent.data!.sendBulk.id } });
    expect({ pending: campaign.pending, suppressed: campaign.suppressed }).toEqual({ pending: 2, suppressed: 2 });
  });

  it('should use the account keywords and replies', async () => {
    const { apiKey, accountId } = await testApp.newAccount();
    const [number] = gbNumbers(1, 72_000);
    const settings = await graphql(testApp.baseUrl, apiKey, SETTINGS, {
      input: { optOutKeywords: ['arret', 'stop'], optOutReply: 'Desabonne.' },
    });
    expect(settings.data).toEqual({
      updateConsentSettings: {
        optOutKeywords: ['ARRET', 'STOP'],
        optInKeywords: ['START', 'UNSTOP', 'YES'],
        helpKeywords: ['HELP', 'INFO'],
        optOutReply: 'Desabonne.',
      },
    });
    const clash = await graphql(testApp.baseUrl, apiKey, SETTINGS, { input: { optInKeywords: ['ARRET'] } });
    expect(clash.errors?.[0].message).toMatch(/^optInKeywords: /);

    const sent = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
      input: { text: 'Promo', recipients: [number] },
    });
    await waitFor('sent', () => Promise.resolve(sandbox.records.timesSubmitted(number) === 1));
    sandbox.sendInbound(number, SANDBOX_SENDER_ID.slice(1), ' Arret ');
    await waitFor(
      'opt-out applied',
      async () => (await prisma.suppression.count({ where: { accountId, phone: number } })) === 1,
    );
    const row = await prisma.suppression.findFirstOrThrow({ where: { accountId, phone: number } });
    expect(row).toMatchObject({ source: 'INBOUND_KEYWORD', campaignId: sent.data!.sendBulk.id });
    await waitFor('confirmation sent', () => Promise.resolve(sandbox.records.timesSubmitted(number) === 2));
  });

  it("should never blank another account's replies when erasing, only the eraser's own", async () => {
    const owner = await testApp.newAccount();
    const stranger = await testApp.newAccount();
    const [number] = gbNumbers(1, 74_000);
    await graphql(testApp.baseUrl, owner.apiKey, SEND, { input: { text: 'Hello', recipients: [number] } });
    await waitFor('sent', () => Promise.resolve(sandbox.records.timesSubmitted(number) === 1));
    sandbox.sendInbound(number, SANDBOX_SENDER_ID.slice(1), 'Thanks, see you');
    const processed = async () =>
      prisma.inboundMessage.findFirst({ where: { from: number, processedAt: { not: null } } });
    await waitFor('the reply processed', async () => (await processed()) !== null);

    // An account that never messaged the number erases it: the owner's reply stays as it came.
    const byStranger = await graphql(testApp.baseUrl, stranger.apiKey, ERASE, { phone: number });
    expect(byStranger.errors).toBeUndefined();
    expect(await processed()).toMatchObject({ from: number, text: 'Thanks, see you' });

    // The account that messaged it from that sender, and no other did: its erasure blanks the reply.
    await graphql(testApp.baseUrl, owner.apiKey, ERASE, { phone: number });
    expect(await prisma.inboundMessage.count({ where: { from: number } })).toBe(0);
    expect(await prisma.inboundMessage.count({ where: { from: { startsWith: 'erased:' }, text: '' } })).toBeGreaterThan(
      0,
    );
  });

  it('should erase a number everywhere and keep it suppressed, hashed', async () => {
    const { apiKey, accountId } = await testApp.newAccount();
    const numbers = gbNumbers(3, 73_000);
    const sent = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
      input: { text: 'Hello', recipients: numbers },
    });
    const campaignId = sent.data!.sendBulk.id;
    await waitFor('sent', () => Promise.resolve(numbers.every((n) => sandbox.records.timesSubmitted(n) === 1)));
    const erased = await graphql<{ eraseRecipient: { messages: number; suppressionKept: boolean } }>(
      testApp.baseUrl,
      apiKey,
      ERASE,
      { phone: numbers[0] },
    );
    expect(erased.data).toEqual({ eraseRecipient: { messages: 1, suppressionKept: true } });
    expect(await prisma.message.count({ where: { campaignId, to: numbers[0] } })).toBe(0);
    const message = await prisma.message.findFirstOrThrow({ where: { campaignId, to: { startsWith: 'erased:' } } });
    expect(message.status).not.toBe('PENDING');
    expect(await prisma.suppression.findMany({ where: { accountId } })).toEqual([
      expect.objectContaining({ phone: message.to }),
    ]);

    const again = await graphql<{ sendBulk: { id: string; progress: { suppressed: number } } }>(
      testApp.baseUrl,
      apiKey,
      SEND,
      { input: { text: 'Hello again', recipients: numbers } },
    );
    expect(again.data!.sendBulk.progress.suppressed).toBe(1);
    const invalid = await graphql(testApp.baseUrl, apiKey, ERASE, { phone: 'not a number' });
    expect(invalid.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
