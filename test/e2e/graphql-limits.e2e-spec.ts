import { graphql, wsClient } from '../utils/graphql-client';
import { startTestApp, TestApp } from '../utils/test-app';

describe('GraphQL limits', () => {
  let testApp: TestApp;
  let apiKey: string;

  beforeAll(async () => {
    testApp = await startTestApp('postgres', {
      GRAPHQL_MAX_DEPTH: '4',
      GRAPHQL_MAX_COMPLEXITY: '100',
      GRAPHQL_RATE_LIMIT: '8',
      GRAPHQL_RATE_WINDOW_SECONDS: '60',
    });
    ({ apiKey } = await testApp.newAccount());
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should reject a query deeper than GRAPHQL_MAX_DEPTH before running it', async () => {
    const response = await graphql(
      testApp.baseUrl,
      apiKey,
      '{ campaigns { edges { node { messages { edges { cursor } } } } } }',
    );
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toBe('query: depth 6 exceeds the maximum of 4');
  });

  it('should count depth through fragments', async () => {
    const response = await graphql(
      testApp.baseUrl,
      apiKey,
      'fragment Deep on Campaign { messages { edges { node { id } } } } { campaigns { edges { node { ...Deep } } } }',
    );
    expect(response.errors?.[0].message).toMatch(/^query: depth 7 exceeds/);
  });

  it('should reject a query more complex than GRAPHQL_MAX_COMPLEXITY', async () => {
    const fields = Array.from({ length: 40 }, (_, i) => `a${i}: campaigns { pageInfo { hasNextPage } }`).join(' ');
    const response = await graphql(testApp.baseUrl, apiKey, `{ ${fields} }`);
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toMatch(/^query: complexity \d+ exceeds the maximum of 100$/);
  });

  it('should apply the limits to subscriptions over graphql-ws too', async () => {
    const client = wsClient(testApp.baseUrl, apiKey);
    const fields = Array.from({ length: 120 }, (_, i) => `a${i}: total`).join(' ');
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe(
        {
          query: `subscription { campaignProgress(campaignId: "00000000-0000-0000-0000-000000000000") { ${fields} } }`,
        },
        { next: resolve, error: resolve, complete: () => resolve('complete') },
      );
    });
    expect(outcome).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^query: complexity \d+ exceeds the maximum of 100$/) }),
    ]);
    await client.dispose();
  });

  it('should throttle GraphQL requests per account with TOO_MANY_REQUESTS', async () => {
    const { apiKey: busyKey } = await testApp.newAccount();
    const codes: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await graphql(testApp.baseUrl, busyKey, '{ campaigns { pageInfo { hasNextPage } } }');
      codes.push(response.errors?.[0].extensions?.code ?? 'OK');
    }
    expect(codes.slice(0, 8)).toEqual(Array(8).fill('OK'));
    expect(codes.slice(8)).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    // Another account is not affected, and health checks are never throttled.
    const { apiKey: otherKey } = await testApp.newAccount();
    expect(
      (await graphql(testApp.baseUrl, otherKey, '{ campaigns { pageInfo { hasNextPage } } }')).errors,
    ).toBeUndefined();
    expect((await fetch(`${testApp.baseUrl}/health`)).status).toBe(200);
  });
});
