// Issue 11, item 2: one tenant's rejected recipients cannot bloat what every read of a campaign loads.
// Rejections are stored apart from the campaign row, truncated and capped, counted in full, served a
// page at a time, and never read for progress.
import { PrismaService } from '../../src/persistence/prisma.service';
import { graphql, wsClient } from '../utils/graphql-client';
import { usNumbers } from '../utils/phone-numbers';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }`;
const PAGE = `query($id: ID!, $first: Int, $offset: Int) { campaign(id: $id) {
  rejectedRecipientCount rejectedRecipients(first: $first, offset: $offset) { input reason } } }`;

type Page = {
  campaign: { rejectedRecipientCount: number; rejectedRecipients: Array<{ input: string; reason: string }> };
};

/** 1,000-character strings that are not phone numbers, each distinct. */
function longGarbage(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `junk-${i}-${'x'.repeat(1000)}`);
}

describe.each(TEST_DATABASES)('Rejected recipients (%s)', (database) => {
  let testApp: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    testApp = await startTestApp(database, { SANDBOX_TIME_SCALE: '0.001' });
    prisma = testApp.app.get(PrismaService);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function send(apiKey: string, recipients: string[]): Promise<string> {
    const response = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients, text: 'hello' },
    });
    expect(response.errors).toBeUndefined();
    return response.data!.sendBulk.id;
  }

  it('should keep the campaign row small and the stored inputs short however long the rejected inputs are', async () => {
    const { apiKey } = await testApp.newAccount();
    const id = await send(apiKey, [...usNumbers(1, 90_000), ...longGarbage(3_000)]);

    // What a read of the campaign row carries once decompressed (pg_column_size would count the
    // compressed, TOASTed bytes: 'x' * 1,000 compresses to almost nothing).
    const [{ size }] = await prisma.$queryRaw<Array<{ size: number }>>`
      SELECT octet_length(c::text)::int AS size FROM "Campaign" c WHERE id = ${id}::uuid`;
    expect(size).toBeLessThan(4_096);

    const page = await graphql<Page>(testApp.baseUrl, apiKey, PAGE, { id, first: 2, offset: 2_998 });
    expect(page.errors).toBeUndefined();
    expect(page.data!.campaign.rejectedRecipientCount).toBe(3_000);
    const inputs = page.data!.campaign.rejectedRecipients.map((r) => r.input);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toMatch(/^junk-2998-x+…$/);
    expect(inputs[1]).toMatch(/^junk-2999-x+…$/);
    inputs.forEach((input) => expect(input.length).toBeLessThanOrEqual(65));
  });

  it('should serve a bounded default page and refuse a page over the maximum', async () => {
    const { apiKey } = await testApp.newAccount();
    const id = await send(apiKey, [...usNumbers(1, 91_000), ...Array.from({ length: 250 }, (_, i) => `bad ${i}`)]);

    const byDefault = await graphql<Page>(
      testApp.baseUrl,
      apiKey,
      `
        query ($id: ID!) {
          campaign(id: $id) {
            rejectedRecipients {
              input
              reason
            }
          }
        }
      `,
      { id },
    );
    expect(byDefault.errors).toBeUndefined();
    expect(byDefault.data!.campaign.rejectedRecipients).toHaveLength(100);
    expect(byDefault.data!.campaign.rejectedRecipients[0]).toEqual({
      input: 'bad 0',
      reason: 'not a valid phone number',
    });

    const tooMany = await graphql<Page>(testApp.baseUrl, apiKey, PAGE, { id, first: 1_001, offset: 0 });
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(tooMany.errors?.[0].message).toMatch(/^first\b/);
  });

  it('should store at most 10,000 rejections but count them all', async () => {
    const { apiKey } = await testApp.newAccount();
    const id = await send(apiKey, [...usNumbers(1, 92_000), ...Array.from({ length: 10_050 }, (_, i) => `b${i}`)]);

    const tail = await graphql<Page>(testApp.baseUrl, apiKey, PAGE, { id, first: 100, offset: 9_990 });

    expect(tail.errors).toBeUndefined();
    expect(tail.data!.campaign.rejectedRecipientCount).toBe(10_050);
    expect(tail.data!.campaign.rejectedRecipients.map((r) => r.input)).toEqual(
      Array.from({ length: 10 }, (_, i) => `b${9_990 + i}`),
    );
  });

  it('should stream progress for a campaign with many rejections', async () => {
    const { apiKey } = await testApp.newAccount();
    const id = await send(apiKey, [...usNumbers(2, 93_000), ...longGarbage(500)]);
    const client = wsClient(testApp.baseUrl, apiKey);
    try {
      const first = await new Promise<{ campaignId: string; total: number }>((resolve, reject) => {
        const unsubscribe = client.subscribe<{ campaignProgress: { campaignId: string; total: number } }>(
          {
            query: `subscription($id: ID!) { campaignProgress(campaignId: $id) { campaignId total } }`,
            variables: { id },
          },
          {
            next: (value) => {
              unsubscribe();
              resolve(value.data!.campaignProgress);
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      expect(first).toEqual({ campaignId: id, total: 2 });
    } finally {
      await client.dispose();
    }
  });
});
