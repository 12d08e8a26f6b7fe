import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ClosablePubSub, PUB_SUB } from '../../src/common/pubsub/pubsub.constants';
import { ADMIN_API_KEY_FILE } from '../../src/common/auth/bootstrap-api-key.service';
import { graphql, wsClient } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';
import { TEST_DATABASES } from '../utils/test-databases';

// Issue 16: several instances on one database share live progress through Redis (REDIS_URL).
// CI starts Redis and sets TEST_REDIS_URL; without it this file is skipped, saying so.
const REDIS_URL = process.env.TEST_REDIS_URL;
const describeWithRedis = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL) {
  console.warn('SKIPPED test/e2e/redis-progress.e2e-spec.ts: TEST_REDIS_URL is not set (CI sets it)');
}

// Redis pub/sub is server-wide: this run's own prefix keeps parallel runs on one Redis apart.
const CHANNEL_PREFIX = `bulk-sms-test-${randomUUID()}:`;
const CAMPAIGNS_CHANGED_CHANNEL = `${CHANNEL_PREFIX}campaigns.changed`;

// 24 recipients at 2 messages a second per instance (each in-process sandbox is its own Plivo
// account, so each dispatcher has its own lane; lead 1 s: batches of 2): at least 6 s of sending,
// so the pause sent right after sendBulk lands long before the campaign could finish.
const RECIPIENTS = 24;
const INSTANCE_ENV = {
  REDIS_URL: REDIS_URL ?? '',
  REDIS_CHANNEL_PREFIX: CHANNEL_PREFIX,
  WS_AUTH_RECHECK_SECONDS: '1',
  PLIVO_MPS: '2',
  SANDBOX_MPS: '2',
  DISPATCH_LEAD_SECONDS: '1',
  DISPATCH_POLL_MS: '50',
  SANDBOX_TIME_SCALE: '0.05',
};

const PROGRESS_FIELDS = 'status total pending submitted delivered undelivered failed rejected cost { amount currency }';
const PROGRESS_SUBSCRIPTION = `subscription($id: ID!) { campaignProgress(campaignId: $id) { ${PROGRESS_FIELDS} } }`;

interface Progress {
  status: string;
  total: number;
  delivered: number;
  undelivered: number;
  failed: number;
}

/** A graphql-ws subscriber to one campaign's progress on one instance. */
function subscribe(baseUrl: string, apiKey: string, campaignId: string) {
  const client = wsClient(baseUrl, apiKey);
  const received: Progress[] = [];
  let ending: { completed: true } | { error: unknown } | undefined;
  client.subscribe<{ campaignProgress: Progress }>(
    { query: PROGRESS_SUBSCRIPTION, variables: { id: campaignId } },
    {
      next: (result) => {
        if (result.data) {
          received.push(result.data.campaignProgress);
        } else {
          ending = { error: result.errors };
        }
      },
      error: (error) => {
        ending = { error };
      },
      complete: () => {
        ending ??= { completed: true };
      },
    },
  );
  return { received, ending: () => ending, dispose: () => client.dispose() };
}

describeWithRedis.each(TEST_DATABASES)('live progress through Redis across two instances on %s', (database) => {
  let instanceA: TestApp;
  let instanceB: TestApp;
  let adminKeyA: string;
  let channelListener: Redis;
  const publishedCampaignIds = new Set<string>();
  const subscribers: Array<ReturnType<typeof subscribe>> = [];

  const callA = <T>(apiKey: string, query: string, variables: Record<string, unknown> = {}) =>
    graphql<T>(instanceA.baseUrl, apiKey, query, variables);

  async function sendOnA(apiKey: string, input: Record<string, unknown>): Promise<string> {
    const sent = await callA<{ sendBulk: { id: string } }>(
      apiKey,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipients: gbNumbers(RECIPIENTS), text: 'across instances', ...input } },
    );
    expect(sent.errors).toBeUndefined();
    return sent.data!.sendBulk.id;
  }

  async function controlOnA(apiKey: string, mutation: 'pauseCampaign' | 'resumeCampaign', id: string) {
    const answer = await callA<Record<string, { status: string }>>(
      apiKey,
      `mutation($id: ID!) { ${mutation}(id: $id) { status } }`,
      { id },
    );
    expect(answer.errors).toBeUndefined();
    return answer.data![mutation].status;
  }

  function subscribeOnB(apiKey: string, campaignId: string) {
    const subscriber = subscribe(instanceB.baseUrl, apiKey, campaignId);
    subscribers.push(subscriber);
    return subscriber;
  }

  beforeAll(async () => {
    // The test listens on the run's channel itself, to see what crosses Redis.
    channelListener = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1 });
    channelListener.on('message', (_channel: string, message: string) => {
      const { campaignIds } = JSON.parse(message) as { campaignIds: string[] };
      campaignIds.forEach((id) => publishedCampaignIds.add(id));
    });
    await channelListener.subscribe(CAMPAIGNS_CHANGED_CHANNEL);
    instanceA = await startTestApp(database, INSTANCE_ENV);
    instanceB = await startTestApp(database, INSTANCE_ENV);
    adminKeyA = readFileSync(path.join(instanceA.dataDir, ADMIN_API_KEY_FILE), 'utf8').trim();
  });

  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map(async (subscriber) => subscriber.dispose()));
  });

  afterAll(async () => {
    await instanceA?.close();
    await instanceB?.close();
    await channelListener?.quit();
  });

  it('should carry live progress over Redis on both instances', () => {
    for (const instance of [instanceA, instanceB]) {
      expect(instance.app.get<ClosablePubSub>(PUB_SUB).backend).toBe('redis');
    }
  });

  it('should follow on instance B a campaign sent through instance A, through to COMPLETED', async () => {
    const { apiKey } = await instanceA.newAccount();
    const campaignId = await sendOnA(apiKey, {});
    // Paused until B's subscriber has its first snapshot, so every change after it happens while B watches.
    expect(await controlOnA(apiKey, 'pauseCampaign', campaignId)).toBe('PAUSED');
    const subscriber = subscribeOnB(apiKey, campaignId);
    await waitFor('the first snapshot on instance B', () => Promise.resolve(subscriber.received.length > 0));
    expect(subscriber.received[0]).toMatchObject({ status: 'PAUSED', total: RECIPIENTS });

    await controlOnA(apiKey, 'resumeCampaign', campaignId);
    await waitFor('the subscription on instance B to end', () => Promise.resolve(subscriber.ending() !== undefined));

    expect(subscriber.ending()).toEqual({ completed: true });
    const final = await callA<{ campaign: { progress: Progress } }>(
      apiKey,
      `query($id: ID!) { campaign(id: $id) { progress { ${PROGRESS_FIELDS} } } }`,
      { id: campaignId },
    );
    expect(final.data?.campaign.progress.status).toBe('COMPLETED');
    expect(subscriber.received.at(-1)).toEqual(final.data?.campaign.progress);
    const done = subscriber.received.map((p) => p.delivered + p.undelivered + p.failed);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // The changes crossed Redis on this run's channel (what the instances publish: campaign ids).
    expect(publishedCampaignIds).toContain(campaignId);
  });

  it('should close a subscription on instance B with 4403 when its key is revoked on instance A', async () => {
    const { accountId, apiKey } = await instanceA.newAccount();
    // Scheduled a day ahead: the campaign stays open, so only the revocation can end the subscription.
    const campaignId = await sendOnA(apiKey, { scheduledAt: new Date(Date.now() + 24 * 3600_000).toISOString() });
    const subscriber = subscribeOnB(apiKey, campaignId);
    await waitFor('the first snapshot on instance B', () => Promise.resolve(subscriber.received.length > 0));
    expect(subscriber.received[0]).toMatchObject({ status: 'SCHEDULED' });

    const keys = await callA<{ apiKeys: Array<{ id: string }> }>(
      adminKeyA,
      'query($accountId: ID!) { apiKeys(accountId: $accountId) { id } }',
      { accountId },
    );
    expect(keys.data?.apiKeys).toHaveLength(1);
    const revoked = await callA<{ revokeApiKey: { active: boolean } }>(
      adminKeyA,
      'mutation($id: ID!) { revokeApiKey(id: $id) { active } }',
      { id: keys.data!.apiKeys[0].id },
    );
    expect(revoked.data?.revokeApiKey.active).toBe(false);

    await waitFor('the subscription on instance B to end', () => Promise.resolve(subscriber.ending() !== undefined));
    expect(subscriber.ending()).toEqual({ error: expect.objectContaining({ code: 4403 }) });
    expect(subscriber.received.map((p) => p.status)).toEqual(['SCHEDULED']);
  });
});
