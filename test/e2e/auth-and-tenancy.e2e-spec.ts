import Decimal from 'decimal.js';
import { CampaignStatus } from '../../src/domain/campaign-status.enum';
import { Encoding } from '../../src/domain/encoding.enum';
import { CampaignRepository } from '../../src/persistence/campaign.repository';
import { graphql, wsClient } from '../utils/graphql-client';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

describe.each(TEST_DATABASES)('authentication and tenant scoping on %s', (database) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp(database);
  });

  afterAll(async () => {
    await testApp.close();
  });

  async function newCampaign(accountId: string, name: string) {
    return testApp.app.get(CampaignRepository).create({
      accountId,
      name,
      status: CampaignStatus.QUEUED,
      text: 'hello',
      senderId: '+14155550100',
      encoding: Encoding.GSM7,
      segmentsPerMessage: 1,
      estimatedCost: new Decimal('0.0035'),
    });
  }

  it('should answer UNAUTHENTICATED without an API key', async () => {
    const response = await graphql(testApp.baseUrl, undefined, '{ campaigns { edges { cursor } } }');
    expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0].message).toMatch(/x-api-key/);
    expect(response.data).toBeNull();
  });

  it('should answer UNAUTHENTICATED with a wrong API key', async () => {
    const response = await graphql(testApp.baseUrl, 'sk_not-a-real-key-at-all', '{ campaigns { edges { cursor } } }');
    expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0].message).toBe('Invalid API key');
  });

  it('should accept the generated bootstrap key kept under DATA_DIR', async () => {
    const { readFileSync } = await import('node:fs');
    const key = readFileSync(`${testApp.dataDir}/api-key`, 'utf8').trim();
    const response = await graphql(testApp.baseUrl, key, '{ campaigns { pageInfo { hasNextPage } } }');
    expect(response.errors).toBeUndefined();
  });

  it('should not show another account its campaigns', async () => {
    const alice = await testApp.newAccount();
    const bob = await testApp.newAccount();
    const campaign = await newCampaign(alice.accountId, 'alice campaign');

    const asAlice = await graphql<{ campaign: { id: string; name: string } | null }>(
      testApp.baseUrl,
      alice.apiKey,
      'query($id: ID!) { campaign(id: $id) { id name progress { total } } }',
      { id: campaign.id },
    );
    expect(asAlice.data?.campaign).toEqual({ id: campaign.id, name: 'alice campaign', progress: { total: 0 } });

    const asBob = await graphql<{ campaign: unknown }>(
      testApp.baseUrl,
      bob.apiKey,
      'query($id: ID!) { campaign(id: $id) { id } }',
      {
        id: campaign.id,
      },
    );
    expect(asBob.errors).toBeUndefined();
    expect(asBob.data?.campaign).toBeNull();

    const bobList = await graphql<{ campaigns: { edges: unknown[] } }>(
      testApp.baseUrl,
      bob.apiKey,
      '{ campaigns { edges { node { id } } } }',
    );
    expect(bobList.data?.campaigns.edges).toEqual([]);
  });

  it('should page through campaigns newest first with opaque cursors', async () => {
    const carol = await testApp.newAccount();
    const created = [];
    for (const name of ['one', 'two', 'three']) {
      created.push(await newCampaign(carol.accountId, name));
    }
    type Page = {
      campaigns: { edges: Array<{ node: { name: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
    };
    const query =
      'query($after: String) { campaigns(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } }';
    const first = await graphql<Page>(testApp.baseUrl, carol.apiKey, query);
    expect(first.data?.campaigns.edges.map((e) => e.node.name)).toEqual(['three', 'two']);
    expect(first.data?.campaigns.pageInfo.hasNextPage).toBe(true);
    const second = await graphql<Page>(testApp.baseUrl, carol.apiKey, query, {
      after: first.data?.campaigns.pageInfo.endCursor,
    });
    expect(second.data?.campaigns.edges.map((e) => e.node.name)).toEqual(['one']);
    expect(second.data?.campaigns.pageInfo.hasNextPage).toBe(false);
  });

  it('should answer BAD_USER_INPUT naming the field for invalid arguments', async () => {
    const { apiKey } = await testApp.newAccount();
    const tooMany = await graphql(testApp.baseUrl, apiKey, '{ campaigns(first: 1000) { edges { cursor } } }');
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(tooMany.errors?.[0].message).toMatch(/^first: /);
    const badCursor = await graphql(testApp.baseUrl, apiKey, '{ campaigns(after: "garbage") { edges { cursor } } }');
    expect(badCursor.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(badCursor.errors?.[0].message).toMatch(/^after: /);
  });

  it('should refuse a graphql-ws connection without a valid key', async () => {
    for (const key of [undefined, 'sk_wrong-key-wrong-key']) {
      const client = wsClient(testApp.baseUrl, key);
      const outcome = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { campaignProgress(campaignId: "00000000-0000-0000-0000-000000000000") { total } }' },
          { next: () => resolve('next'), error: (error) => resolve(error), complete: () => resolve('complete') },
        );
      });
      expect((outcome as { code?: number }).code).toBe(4403);
      await client.dispose();
    }
  });

  it('should keep health, readiness and metrics public', async () => {
    expect((await fetch(`${testApp.baseUrl}/health`)).status).toBe(200);
    expect((await fetch(`${testApp.baseUrl}/ready`)).status).toBe(200);
    const metrics = await fetch(`${testApp.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await metrics.text()).toMatch(/process_cpu_user_seconds_total/);
  });
});
