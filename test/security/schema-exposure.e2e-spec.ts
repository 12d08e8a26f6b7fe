import { graphql } from '../utils/graphql-client';
import { startTestApp, TestApp } from '../utils/test-app';

// Issue 11, item 7: a caller without a key learns nothing beyond the authentication error: no
// introspection, no "Did you mean" suggestions, no validation details, on POST and GET alike.

describe('what callers without a key can learn about the schema (issue 11, item 7)', () => {
  describe('in production', () => {
    const apiKey = 'sk_production_schema_key_0001';
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await startTestApp('postgres', { NODE_ENV: 'production', API_KEY: apiKey });
    });

    afterAll(async () => {
      await testApp.close();
    });

    it('should answer only the authentication error to a misspelled field without a key', async () => {
      const response = await graphql(testApp.baseUrl, undefined, '{ campaignz { id } }');
      expect(response.status).toBe(401);
      expect(response.errors).toHaveLength(1);
      expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(response)).not.toMatch(/Did you mean|campaigns/);
    });

    it('should guard every path Apollo answers on: /GraphQL, /graphql/, /graphql/anything', async () => {
      for (const route of ['/GraphQL', '/graphql/', '/graphql/anything']) {
        const response = await fetch(`${testApp.baseUrl}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ campaignz { id } }' }),
        });
        const body = await response.text();
        expect({ route, status: response.status }).toEqual({ route, status: 401 });
        expect(body).not.toMatch(/Did you mean|campaigns/);
      }
    });

    it('should not suggest field names to authenticated callers either', async () => {
      const response = await graphql(testApp.baseUrl, apiKey, '{ campaignz { id } }');
      expect(response.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(JSON.stringify(response)).not.toMatch(/Did you mean/);
    });
  });

  describe('in development', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await startTestApp('postgres', { NODE_ENV: 'development' });
    });

    afterAll(async () => {
      await testApp.close();
    });

    it('should not answer introspection without a key, over POST or GET', async () => {
      const post = await graphql(testApp.baseUrl, undefined, '{ __schema { queryType { name } } }');
      expect(post.status).toBe(401);
      expect(post.data ?? null).toBeNull();
      expect(post.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);

      const get = await fetch(`${testApp.baseUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(get.status).toBe(401);
      const body = (await get.json()) as { data?: unknown; errors: Array<{ extensions: { code: string } }> };
      expect(body.data ?? null).toBeNull();
      expect(body.errors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    });

    it('should still answer introspection to a caller with a key outside production', async () => {
      const { apiKey } = await testApp.newAccount();
      const response = await graphql(testApp.baseUrl, apiKey, '{ __schema { queryType { name } } }');
      expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    });
  });
});
