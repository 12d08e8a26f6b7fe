import Decimal from 'decimal.js';
import type { Client } from 'graphql-ws';
import { CampaignStatus } from '../../src/domain/campaign-status.enum';
import { Encoding } from '../../src/domain/encoding.enum';
import { ApiKeyRepository } from '../../src/persistence/api-key.repository';
import { CampaignRepository } from '../../src/persistence/campaign.repository';
import { graphql, wsClient } from '../utils/graphql-client';
import { startTestApp, TestApp } from '../utils/test-app';

// Issue 11, item 3: one rate limit per account over HTTP and graphql-ws; attempts without a known
// key limited per client address; subscriptions per connection and connections per key capped.

const QUERY = '{ campaigns { pageInfo { hasNextPage } } }';

function wsQuery(client: Client, query: string): Promise<string> {
  return new Promise((resolve) => {
    let code = 'OK';
    client.subscribe(
      { query },
      {
        next: (result) => {
          code = (result.errors?.[0]?.extensions?.code as string | undefined) ?? 'OK';
        },
        error: (error: unknown) => resolve(`error:${JSON.stringify(error) ?? String(error)}`),
        complete: () => resolve(code),
      },
    );
  });
}

/** Subscribes and resolves with the first outcome: 'next', an error code, or a close code. */
function firstOutcome(client: Client, campaignId: string): Promise<string> {
  return new Promise((resolve) => {
    client.subscribe(
      { query: `subscription { campaignProgress(campaignId: "${campaignId}") { total } }` },
      {
        next: () => resolve('next'),
        error: (error: unknown) => {
          const errors = error as Array<{ extensions?: { code?: string } }> | { code?: number };
          resolve(Array.isArray(errors) ? String(errors[0]?.extensions?.code) : `close:${errors.code}`);
        },
        complete: () => resolve('complete'),
      },
    );
  });
}

describe('rate limits and connection caps (issue 11, item 3)', () => {
  describe('per account, over HTTP and graphql-ws', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await startTestApp('postgres', {
        GRAPHQL_RATE_LIMIT: '5',
        GRAPHQL_RATE_WINDOW_SECONDS: '600',
        WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
        WS_MAX_CONNECTIONS_PER_KEY: '2',
      });
    });

    afterAll(async () => {
      await testApp.close();
    });

    it('should count operations over graphql-ws in the same bucket as HTTP, and throttle them', async () => {
      const { apiKey } = await testApp.newAccount();
      for (let i = 0; i < 3; i++) {
        expect((await graphql(testApp.baseUrl, apiKey, QUERY)).errors).toBeUndefined();
      }
      const client = wsClient(testApp.baseUrl, apiKey);
      const codes: string[] = [];
      for (let i = 0; i < 4; i++) {
        codes.push(await wsQuery(client, QUERY));
      }
      await client.dispose();
      expect(codes).toEqual(['OK', 'OK', 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
      const http = await graphql(testApp.baseUrl, apiKey, QUERY);
      expect([http.status, http.errors?.[0].extensions?.code]).toEqual([200, 'TOO_MANY_REQUESTS']);
    });

    it('should count operations that run no resolver ({ __typename }, introspection) like any other', async () => {
      // graphql-js answers meta fields itself: the per-resolver guard never saw these, and a key could
      // send them without limit (resolver-free-operations.plugin.ts counts them now).
      const { apiKey } = await testApp.newAccount();
      const answers: Array<[number, string]> = [];
      for (const query of ['{ __typename }', '{ __typename }', '{ __type(name: "Query") { name } }', QUERY]) {
        const response = await graphql(testApp.baseUrl, apiKey, query);
        answers.push([response.status, (response.errors?.[0]?.extensions?.code as string | undefined) ?? 'OK']);
      }
      const client = wsClient(testApp.baseUrl, apiKey);
      const overWs = [await wsQuery(client, '{ __typename }'), await wsQuery(client, '{ __typename }')];
      await client.dispose();
      const refused = await fetch(`${testApp.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      const refusedBody = (await refused.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      expect(answers).toEqual([
        [200, 'OK'],
        [200, 'OK'],
        [200, 'OK'],
        [200, 'OK'],
      ]);
      // Refused before it runs, as an over-cap subscription is: graphql-ws's error message.
      expect(overWs).toEqual(['OK', expect.stringMatching(/^error:.*"code":"TOO_MANY_REQUESTS"/)]);
      // Answered as a refusal by the guard is (200, TOO_MANY_REQUESTS, Retry-After), not 500.
      expect([refused.status, refusedBody.errors?.[0]?.extensions?.code]).toEqual([200, 'TOO_MANY_REQUESTS']);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('should cap subscriptions per connection and connections per key', async () => {
      const { accountId, apiKey } = await testApp.newAccount();
      const campaign = await testApp.app.get(CampaignRepository).create({
        accountId,
        name: 'paused',
        status: CampaignStatus.PAUSED,
        text: 'hello',
        senderId: '+14155550100',
        encoding: Encoding.GSM7,
        segmentsPerMessage: 1,
        estimatedCost: new Decimal('0'),
      });
      const first = wsClient(testApp.baseUrl, apiKey);
      expect(await firstOutcome(first, campaign.id)).toBe('next');
      expect(await firstOutcome(first, campaign.id)).toBe('next');
      expect(await firstOutcome(first, campaign.id)).toBe('TOO_MANY_REQUESTS');

      const second = wsClient(testApp.baseUrl, apiKey);
      expect(await firstOutcome(second, campaign.id)).toBe('next');
      const third = wsClient(testApp.baseUrl, apiKey);
      expect(await firstOutcome(third, campaign.id)).toBe('close:4429');
      await Promise.all([first.dispose(), second.dispose(), third.dispose()]);
    });
  });

  describe('per client address, for attempts without a known key', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await startTestApp('postgres', { AUTH_RATE_LIMIT: '5', AUTH_RATE_WINDOW_SECONDS: '600' });
    });

    afterAll(async () => {
      await testApp.close();
    });

    it('should refuse random keys past the limit without a database lookup each, and keep known keys working', async () => {
      const { apiKey } = await testApp.newAccount();
      expect((await graphql(testApp.baseUrl, apiKey, QUERY)).errors).toBeUndefined();
      const lookups = jest.spyOn(testApp.app.get(ApiKeyRepository), 'findActiveByHash');
      const answers: Array<[number, unknown]> = [];
      for (let i = 0; i < 8; i++) {
        const response = await graphql(testApp.baseUrl, `sk_random_${i}_${Math.random()}`, QUERY);
        answers.push([response.status, response.errors?.[0].extensions?.code]);
      }
      expect(answers.slice(0, 5)).toEqual(Array(5).fill([401, 'UNAUTHENTICATED']));
      expect(answers.slice(5)).toEqual(Array(3).fill([429, 'TOO_MANY_REQUESTS']));
      expect(lookups).toHaveBeenCalledTimes(5);
      // graphql-ws connection attempts from that address are refused the same way.
      const client = wsClient(testApp.baseUrl, 'sk_random_ws_key_0000');
      expect(await firstOutcome(client, '00000000-0000-0000-0000-000000000000')).toBe('close:4429');
      await client.dispose();
      // A key this instance already knows keeps working from that address.
      expect((await graphql(testApp.baseUrl, apiKey, QUERY)).errors).toBeUndefined();
    });

    it('should count bad keys on the REST routes (exports, uploads) against the same limit, refusing without a lookup', async () => {
      // The GraphQL test above used up this address's limit in this app: a fresh app starts a fresh window.
      const fresh = await startTestApp('postgres', { AUTH_RATE_LIMIT: '5', AUTH_RATE_WINDOW_SECONDS: '600' });
      try {
        const lookups = jest.spyOn(fresh.app.get(ApiKeyRepository), 'findActiveByHash');
        const statuses: Array<[number, string | null]> = [];
        for (let i = 0; i < 8; i++) {
          const path =
            i % 2 === 0
              ? '/api/campaigns/00000000-0000-0000-0000-000000000000/messages.ndjson'
              : '/api/recipient-lists';
          const response = await fetch(`${fresh.baseUrl}${path}`, {
            method: i % 2 === 0 ? 'GET' : 'POST',
            headers: { 'x-api-key': `sk_random_rest_${i}_${Math.random()}`, 'content-type': 'text/csv' },
            body: i % 2 === 0 ? undefined : 'phone\n+14155550100\n',
          });
          await response.text();
          statuses.push([response.status, response.headers.get('retry-after')]);
        }
        expect(statuses.slice(0, 5).map(([status]) => status)).toEqual([401, 401, 401, 401, 401]);
        expect(statuses.slice(5).map(([status]) => status)).toEqual([429, 429, 429]);
        expect(Number(statuses[7][1])).toBeGreaterThan(0);
        expect(lookups).toHaveBeenCalledTimes(5);
        // GraphQL from that address is refused too: one limit per address.
        expect((await graphql(fresh.baseUrl, 'sk_random_after_rest', QUERY)).status).toBe(429);
      } finally {
        await fresh.close();
      }
    });
  });
});
