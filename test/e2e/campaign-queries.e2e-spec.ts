import { MessageStatus } from '../../src/domain/message-status.enum';
import { MessageRepository } from '../../src/persistence/message.repository';
import { progressFactory } from '../factories/progress.factory';
import { graphql } from '../utils/graphql-client';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

interface MessagesPage {
  campaign: {
    messages: {
      edges: Array<{
        cursor: string;
        node: { id: string; to: string; status: string; cost: { amount: number } | null };
      }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      totalCount?: number;
    };
  } | null;
}

const MESSAGES = `query($id: ID!, $first: Int, $after: String, $status: MessageStatus) {
  campaign(id: $id) {
    messages(first: $first, after: $after, status: $status) {
      edges { cursor node { id to status cost { amount } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

const MESSAGES_WITH_COUNT = MESSAGES.replace(
  'pageInfo { hasNextPage endCursor }',
  'pageInfo { hasNextPage endCursor } totalCount',
);

describe.each(TEST_DATABASES)('campaign queries on %s', (database) => {
  let testApp: TestApp;
  let factory: ReturnType<typeof progressFactory>;

  beforeAll(async () => {
    testApp = await startTestApp(database);
    factory = progressFactory(testApp.app);
  });

  afterAll(async () => {
    await testApp.close();
  });

  /** A campaign of 7 messages: the first 3 DELIVERED (cost 0.0035 each), the other 4 SUBMITTED. */
  async function sevenMessages() {
    const account = await testApp.newAccount();
    const campaign = await factory.campaign(account.accountId, { messages: 7 });
    await factory.moveMessages(campaign.id, MessageStatus.SUBMITTED, MessageStatus.DELIVERED, 3, '0.0035');
    return { ...account, campaignId: campaign.id };
  }

  it('should page through messages in insertion order with opaque cursors, fetching no page twice', async () => {
    const { apiKey, campaignId } = await sevenMessages();
    const seen: string[] = [];
    const pages: boolean[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof graphql<MessagesPage>>> = await graphql<MessagesPage>(
        testApp.baseUrl,
        apiKey,
        MESSAGES,
        {
          id: campaignId,
          first: 3,
          after,
        },
      );
      expect(page.errors).toBeUndefined();
      const messages = page.data!.campaign!.messages;
      seen.push(...messages.edges.map((edge) => edge.node.to));
      pages.push(messages.pageInfo.hasNextPage);
      expect(messages.pageInfo.endCursor).toBe(messages.edges.at(-1)?.cursor ?? null);
      for (const edge of messages.edges) {
        expect(edge.cursor).not.toContain(edge.node.id); // opaque: not the raw id
      }
      after = messages.pageInfo.hasNextPage ? messages.pageInfo.endCursor : null;
    } while (after);

    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`));
    expect(pages).toEqual([true, true, false]);
  });

  it('should filter messages by status and count only the matching ones', async () => {
    const { apiKey, campaignId } = await sevenMessages();
    const delivered = await graphql<MessagesPage>(testApp.baseUrl, apiKey, MESSAGES_WITH_COUNT, {
      id: campaignId,
      status: 'DELIVERED',
    });
    expect(delivered.errors).toBeUndefined();
    expect(delivered.data?.campaign?.messages.totalCount).toBe(3);
    expect(delivered.data?.campaign?.messages.edges.map((e) => [e.node.status, e.node.cost?.amount])).toEqual([
      ['DELIVERED', 0.0035],
      ['DELIVERED', 0.0035],
      ['DELIVERED', 0.0035],
    ]);

    const submitted = await graphql<MessagesPage>(testApp.baseUrl, apiKey, MESSAGES_WITH_COUNT, {
      id: campaignId,
      status: 'SUBMITTED',
      first: 2,
    });
    expect(submitted.data?.campaign?.messages).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: true } });
    expect(submitted.data?.campaign?.messages.edges.map((e) => e.node.cost)).toEqual([null, null]);

    const failed = await graphql<MessagesPage>(testApp.baseUrl, apiKey, MESSAGES_WITH_COUNT, {
      id: campaignId,
      status: 'FAILED',
    });
    expect(failed.data?.campaign?.messages).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
      totalCount: 0,
    });

    const all = await graphql<MessagesPage>(testApp.baseUrl, apiKey, MESSAGES_WITH_COUNT, { id: campaignId, first: 1 });
    expect(all.data?.campaign?.messages.totalCount).toBe(7);
  });

  it('should run the count query only when totalCount is selected', async () => {
    const { apiKey, campaignId } = await sevenMessages();
    const count = jest.spyOn(testApp.app.get(MessageRepository), 'countForCampaign');
    try {
      const withoutCount = await graphql<MessagesPage>(testApp.baseUrl, apiKey, MESSAGES, { id: campaignId });
      expect(withoutCount.data?.campaign?.messages.edges).toHaveLength(7);
      expect(count).not.toHaveBeenCalled();

      const withCount = await graphql<MessagesPage>(testApp.baseUrl, apiKey, MESSAGES_WITH_COUNT, {
        id: campaignId,
        status: 'DELIVERED',
      });
      expect(withCount.data?.campaign?.messages.totalCount).toBe(3);
      expect(count).toHaveBeenCalledTimes(1);
      // The filters of the page, status and number (messages(to:), none here), are the count's.
      expect(count).toHaveBeenCalledWith(campaignId, 'DELIVERED', null);

      const toOne = await graphql<MessagesPage>(
        testApp.baseUrl,
        apiKey,
        'query($id: ID!, $to: String) { campaign(id: $id) { messages(to: $to) { edges { node { to } } totalCount } } }',
        { id: campaignId, to: '+1 415 555 0002' },
      );
      expect(toOne.data?.campaign?.messages).toEqual({ edges: [{ node: { to: '+14155550002' } }], totalCount: 1 });
      expect(count).toHaveBeenCalledTimes(2);
      expect(count).toHaveBeenLastCalledWith(campaignId, null, '+14155550002');
    } finally {
      count.mockRestore();
    }
  });

  // KNOWN BUG, marked `failing` until fixed: errors thrown in a field resolver (here Campaign.messages,
  // by the validation pipe or the cursor decoder) skip AllExceptionsFilter and reach the client as
  // INTERNAL_SERVER_ERROR. Fix: `fieldResolverEnhancers: ['filters']` in src/common/graphql/graphql.config.ts,
  // then turn this back into a plain `it`.
  it('should answer BAD_USER_INPUT naming the field for an unbounded first or a foreign cursor', async () => {
    const { apiKey, campaignId } = await sevenMessages();
    for (const first of [0, 501]) {
      const response = await graphql(testApp.baseUrl, apiKey, MESSAGES, { id: campaignId, first });
      expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0].message).toMatch(/^first: /);
    }
    const badCursor = await graphql(testApp.baseUrl, apiKey, MESSAGES, { id: campaignId, after: 'bm90LWEtY3Vyc29y' });
    expect(badCursor.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(badCursor.errors?.[0].message).toMatch(/^after: /);
  });

  it('should not show the messages of another account’s campaign', async () => {
    const { campaignId } = await sevenMessages();
    const stranger = await testApp.newAccount();
    const response = await graphql<MessagesPage>(testApp.baseUrl, stranger.apiKey, MESSAGES_WITH_COUNT, {
      id: campaignId,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.campaign).toBeNull();
  });
});

describe('query cost of connections', () => {
  let testApp: TestApp;
  let apiKey: string;
  const campaignId = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    testApp = await startTestApp('postgres', { GRAPHQL_MAX_COMPLEXITY: '1000' });
    ({ apiKey } = await testApp.newAccount());
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should charge messages(first) per requested item', async () => {
    const query = (first: number) =>
      `{ campaign(id: "${campaignId}") { messages(first: ${first}) { edges { node { id } } } } }`;
    // campaign (1) + first × (edges 1 + node 1 + id 1)
    const big = await graphql(testApp.baseUrl, apiKey, query(500));
    expect(big.errors?.[0]).toMatchObject({
      message: 'query: complexity 1501 exceeds the maximum of 1000',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const fits = await graphql(testApp.baseUrl, apiKey, query(300));
    expect(fits.errors).toBeUndefined();
    expect(fits.data).toEqual({ campaign: null });
  });

  it('should charge campaigns(first) per requested item, multiplying nested connections', async () => {
    const nested = await graphql(
      testApp.baseUrl,
      apiKey,
      '{ campaigns(first: 100) { edges { node { messages(first: 10) { edges { node { id } } } } } } }',
    );
    // 100 × (edges 1 + node 1 + 10 × 3)
    expect(nested.errors?.[0].message).toBe('query: complexity 3200 exceeds the maximum of 1000');
    const defaults = await graphql(testApp.baseUrl, apiKey, '{ campaigns { edges { node { id name } } } }');
    expect(defaults.errors).toBeUndefined();
  });
});
