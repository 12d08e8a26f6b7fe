import { PrismaService } from '../../src/persistence/prisma.service';
import { freshDatabase } from '../utils/fresh-database';
import { graphql } from '../utils/graphql-client';
import { usNumbers } from '../utils/phone-numbers';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

// Over BODY_LIMIT, set to 64kb here (1mb by default): 8,000 numbers of 12 characters are ~120 KB of
// JSON, so these requests take the large-body path, parsed on a worker thread with the recipients kept
// out of GraphQL's coercion where the document allows (docs/sending.md, "A large request body"). The
// path is the same at any size over the limit; a million-recipient body is the benchmark's.
const BODY_LIMIT = '64kb';
const COUNT = 8_000;
const QUOTE = 'query($input: QuoteInput!) { quote(input: $input) { recipients rejectedRecipients { input reason } } }';
const SEND = 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id progress { total } } }';

describe.each(TEST_DATABASES)('a request body over BODY_LIMIT (%s)', (database) => {
  let testApp: TestApp;
  let apiKey: string;
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  // A database of its own, dropped at the end: the scheduled messages of the sendBulk case
  // would otherwise stay in the worker's shared database for every later file.
  beforeAll(async () => {
    db = await freshDatabase(database);
    testApp = await startTestApp(database, { DATABASE_URL: db.url, BODY_LIMIT });
    ({ apiKey } = await testApp.newAccount());
  });

  afterAll(async () => {
    await testApp?.close();
    await db?.drop();
  });

  /** bulk_sms_large_json_bodies_total by its `parsed` label, as /metrics shows it now. */
  async function largeBodies(): Promise<Record<string, number>> {
    const text = await (await fetch(`${testApp.baseUrl}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const [, parsed, value] of text.matchAll(/^bulk_sms_large_json_bodies_total\{parsed="(\w+)"\} (\d+)/gm)) {
      counts[parsed] = Number(value);
    }
    return counts;
  }

  async function counted<T>(request: () => Promise<T>): Promise<[T, Record<string, number>]> {
    const before = await largeBodies();
    const result = await request();
    const after = await largeBodies();
    const added: Record<string, number> = {};
    for (const [parsed, value] of Object.entries(after)) {
      if (value !== (before[parsed] ?? 0)) {
        added[parsed] = value - (before[parsed] ?? 0);
      }
    }
    return [result, added];
  }

  // The list crosses from the parsing thread as Latin-1 bytes when every character fits in one, else as a
  // string; either way the rejected recipient comes back exactly as sent.
  it.each([
    ['ASCII, as Latin-1 bytes', 'not a number'],
    ['under U+0100, as Latin-1 bytes', 'numéro ½ ÿ'],
    ['past U+00FF, as a string', 'téléphone 📱 Ā'],
  ])('should quote every recipient, the list kept out of GraphQL, and count it (%s)', async (_how, odd) => {
    const recipients = usNumbers(COUNT, 1_000);
    recipients[COUNT - 2] = odd;
    const [quoted, added] = await counted(() =>
      graphql<{ quote: { recipients: number; rejectedRecipients: Array<{ input: string; reason: string }> } }>(
        testApp.baseUrl,
        apiKey,
        QUOTE,
        { input: { text: 'large body', recipients } },
      ),
    );
    expect(quoted.errors).toBeUndefined();
    expect(quoted.data!.quote.recipients).toBe(COUNT - 1);
    expect(quoted.data!.quote.rejectedRecipients).toEqual([{ input: odd, reason: expect.any(String) }]);
    expect(added).toEqual({ worker: 1 });
  });

  it('should give the list to GraphQL when the document uses $input otherwise, so that each field gets its own input', async () => {
    const query = `query($input: QuoteInput!) {
      all: quote(input: $input) { recipients }
      one: quote(input: { text: "x", recipients: ["+14155550100"] }) { recipients } }`;
    const [quoted, added] = await counted(() =>
      graphql<{ all: { recipients: number }; one: { recipients: number } }>(testApp.baseUrl, apiKey, query, {
        input: { text: 'large body', recipients: usNumbers(COUNT, 1_000) },
      }),
    );
    expect(quoted.errors).toBeUndefined();
    expect(quoted.data).toEqual({ all: { recipients: COUNT }, one: { recipients: 1 } });
    expect(added).toEqual({ worker_in_variables: 1 });
  });

  it('should answer a recipient that is not a string exactly as GraphQL does, naming its index', async () => {
    const recipients: unknown[] = usNumbers(COUNT, 1_000);
    recipients[4_000] = 14155550100;
    const [quoted, added] = await counted(() =>
      graphql(testApp.baseUrl, apiKey, QUOTE, { input: { text: 'large body', recipients } }),
    );
    expect(quoted.status).toBe(400);
    expect(quoted.errors?.[0].message).toMatch(
      /"input\.recipients\[4000\]".*String cannot represent a non string value/,
    );
    expect(added).toEqual({ event_loop: 1 });
  });

  it('should answer a large body that is not JSON with the parser error, as for a small one', async () => {
    const text = JSON.stringify({ query: QUOTE, variables: { input: { text: 'x', recipients: usNumbers(COUNT) } } });
    const broken = text.slice(0, -3);
    let parserMessage = '';
    try {
      JSON.parse(broken);
    } catch (error) {
      parserMessage = (error as Error).message;
    }
    const [response, added] = await counted(() =>
      fetch(`${testApp.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: broken,
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: `body: ${parserMessage}` });
    expect(added).toEqual({ event_loop: 1 });
  });

  it('should send to every recipient in order, and fingerprint the whole list for idempotency', async () => {
    const recipients = usNumbers(COUNT, 200_000);
    // Scheduled an hour ahead: this app would otherwise send them all while the case checks them.
    const input = {
      recipients,
      text: 'large body campaign',
      idempotencyKey: `large-${database}`,
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const [sent, added] = await counted(() =>
      graphql<{ sendBulk: { id: string; progress: { total: number } } }>(testApp.baseUrl, apiKey, SEND, { input }),
    );
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.sendBulk.progress.total).toBe(COUNT);
    expect(added).toEqual({ worker: 1 });
    const prisma = testApp.app.get(PrismaService);
    const stored = await prisma.message.findMany({
      where: { campaignId: sent.data!.sendBulk.id },
      select: { to: true },
      orderBy: { id: 'asc' },
    });
    expect(stored.map((m) => m.to)).toEqual(recipients);

    // The same request again: the same campaign.
    const again = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, { input });
    expect(again.data?.sendBulk.id).toBe(sent.data!.sendBulk.id);
    // The same key with only the last recipient changed: a different request (the whole list is fingerprinted,
    // not the one recipient GraphQL saw).
    const changed = [...recipients];
    changed[COUNT - 1] = '+14155550199';
    const conflict = await graphql(testApp.baseUrl, apiKey, SEND, { input: { ...input, recipients: changed } });
    expect(conflict.errors?.[0].message).toMatch(/^idempotencyKey: .*different request/);
  });
});
