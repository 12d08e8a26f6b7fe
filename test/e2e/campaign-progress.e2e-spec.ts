import Redis from 'ioredis';
import { ClosablePubSub, PUB_SUB } from '../../src/common/pubsub/pubsub.constants';
import { CampaignStatus } from '../../src/domain/campaign-status.enum';
import { MessageStatus } from '../../src/domain/message-status.enum';
import { CampaignRepository } from '../../src/persistence/campaign.repository';
import { progressFactory } from '../factories/progress.factory';
import { wsClient } from '../utils/graphql-client';
import { startTestApp, TestApp } from '../utils/test-app';
import { TEST_DATABASES } from '../utils/test-databases';
import { scaledTimeout } from '../utils/time-factor';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const PROGRESS_SUBSCRIPTION = `subscription($id: ID!) {
  campaignProgress(campaignId: $id) {
    campaignId status total pending submitted queued sent delivered undelivered failed rejected
    unconfirmed suppressed cancelled cost { amount currency } estimatedCompletionAt updatedAt
  }
}`;

interface Progress {
  campaignId: string;
  status: string;
  total: number;
  submitted: number;
  delivered: number;
  failed: number;
  cost: { amount: number; currency: string };
  estimatedCompletionAt: string | null;
  updatedAt: string;
}

interface GraphqlError {
  message: string;
  extensions?: { code?: string };
}

/** A graphql-ws subscriber that records what it receives, with arrival times. */
function watch(baseUrl: string, apiKey: string, campaignId: string) {
  const client = wsClient(baseUrl, apiKey);
  const received: Array<{ at: number; progress: Progress }> = [];
  let errors: GraphqlError[] | undefined;
  let completed = false;
  const ended = new Promise<void>((resolve) => {
    client.subscribe<{ campaignProgress: Progress }>(
      { query: PROGRESS_SUBSCRIPTION, variables: { id: campaignId } },
      {
        next: (result) => {
          if (result.errors) {
            errors = result.errors as GraphqlError[];
          } else if (result.data) {
            received.push({ at: Date.now(), progress: result.data.campaignProgress });
          }
        },
        error: (error) => {
          errors = Array.isArray(error) ? (error as GraphqlError[]) : [{ message: String(error) }];
          resolve();
        },
        complete: () => {
          completed = true;
          resolve();
        },
      },
    );
  });
  return {
    received,
    ended,
    errors: () => errors,
    completed: () => completed,
    last: () => received.at(-1)?.progress,
    async waitFor(
      predicate: (received: Array<{ at: number; progress: Progress }>) => boolean,
      timeoutMs = 10_000,
    ): Promise<void> {
      const deadline = Date.now() + scaledTimeout(timeoutMs);
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          throw new Error(
            `timed out; received ${JSON.stringify(received.map((r) => r.progress))}, errors ${JSON.stringify(errors)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    dispose: () => client.dispose(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(TEST_DATABASES)('campaignProgress subscription on %s', (database) => {
  let testApp: TestApp;
  let factory: ReturnType<typeof progressFactory>;
  const watchers: Array<ReturnType<typeof watch>> = [];

  function subscriber(apiKey: string, campaignId: string) {
    const watcher = watch(testApp.baseUrl, apiKey, campaignId);
    watchers.push(watcher);
    return watcher;
  }

  beforeAll(async () => {
    testApp = await startTestApp(database);
    factory = progressFactory(testApp.app);
  });

  afterEach(async () => {
    await Promise.all(watchers.splice(0).map(async (watcher) => watcher.dispose()));
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should carry events over LISTEN/NOTIFY on PostgreSQL, and in memory on PGlite', () => {
    expect(testApp.app.get<ClosablePubSub>(PUB_SUB).backend).toBe(database === 'postgres' ? 'postgres' : 'memory');
  });

  it('should emit the current snapshot at once on subscribe', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const campaign = await factory.campaign(accountId, { messages: 10 });
    const watcher = subscriber(apiKey, campaign.id);

    await watcher.waitFor((r) => r.length === 1);
    expect(watcher.last()).toEqual({
      campaignId: campaign.id,
      status: 'SENDING',
      total: 10,
      pending: 0,
      submitted: 10,
      queued: 0,
      sent: 0,
      delivered: 0,
      undelivered: 0,
      failed: 0,
      rejected: 0,
      unconfirmed: 0,
      suppressed: 0,
      cancelled: 0,
      cost: { amount: 0, currency: 'USD' },
      // From the pacing model: nothing waits, so the provider is done by about now.
      estimatedCompletionAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.any(String),
    });
    expect(watcher.completed()).toBe(false);
  });

  it('should coalesce 1,000 report applications into a few updates a second, ending equal to the database', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const campaign = await factory.campaign(accountId, { messages: 1000 });
    const watcher = subscriber(apiKey, campaign.id);
    await watcher.waitFor((r) => r.length === 1);

    const startedAt = Date.now();
    for (let i = 0; i < 1000; i++) {
      await factory.moveMessages(
        campaign.id,
        MessageStatus.SUBMITTED,
        i % 10 === 0 ? MessageStatus.FAILED : MessageStatus.DELIVERED,
        1,
        '0.0035',
      );
      factory.signal(campaign.id);
    }
    await watcher.waitFor((r) => r.at(-1)?.progress.submitted === 0);
    const lastChangeSeconds = (Date.now() - startedAt) / 1000;
    await sleep(600); // nothing more may follow the last change

    const db = await factory.counters(campaign.id);
    expect(watcher.last()).toMatchObject({
      total: db.total,
      submitted: 0,
      delivered: db.delivered,
      failed: db.failed,
      cost: { amount: Number(db.actualCost), currency: 'USD' },
      updatedAt: db.updatedAt.toISOString(),
    });
    expect(db.delivered).toBe(900);
    expect(db.failed).toBe(100);
    expect(Number(db.actualCost)).toBeCloseTo(3.5, 5);

    const updates = watcher.received.slice(1);
    // Coalesced: 1,000 changes, at most PROGRESS_UPDATES_PER_SECOND (4) updates for each second the
    // changes took (read from clocks around them, so a slow machine only widens the bound), plus the
    // final one. The rate itself is checked with fake timers in campaign-progress.publisher.spec.ts.
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(Math.ceil(lastChangeSeconds * 4) + 2);
    // Never backwards.
    const delivered = watcher.received.map((r) => r.progress.delivered);
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
  });

  it('should read a campaign once per flush for all its subscribers on the instance', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const campaign = await factory.campaign(accountId, { messages: 5 });
    const watchersOfCampaign = [
      subscriber(apiKey, campaign.id),
      subscriber(apiKey, campaign.id),
      subscriber(apiKey, campaign.id),
    ];
    await Promise.all(watchersOfCampaign.map((w) => w.waitFor((r) => r.length === 1)));
    await sleep(300);

    const reads = jest.spyOn(testApp.app.get(CampaignRepository), 'findForAccount');
    try {
      await factory.moveMessages(campaign.id, MessageStatus.SUBMITTED, MessageStatus.DELIVERED, 2);
      factory.signal(campaign.id);
      await Promise.all(watchersOfCampaign.map((w) => w.waitFor((r) => r.at(-1)?.progress.delivered === 2)));
      await sleep(300);
      // One read per flush, whatever the number of subscribers. The change's database notification and
      // the signal may fall into two flushes on a busy machine; a read per subscriber would be 3 or more.
      const campaignReads = reads.mock.calls.filter(([, id]) => id === campaign.id).length;
      expect(campaignReads).toBeGreaterThanOrEqual(1);
      expect(campaignReads).toBeLessThan(watchersOfCampaign.length);
    } finally {
      reads.mockRestore();
    }
  });

  it('should emit the final snapshot, then complete, when the campaign reaches a final status', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const campaign = await factory.campaign(accountId, { messages: 3 });
    const watcher = subscriber(apiKey, campaign.id);
    await watcher.waitFor((r) => r.length === 1);

    await factory.moveMessages(campaign.id, MessageStatus.SUBMITTED, MessageStatus.DELIVERED, 3);
    await factory.setStatus(campaign.id, CampaignStatus.COMPLETED);
    factory.signal(campaign.id);
    await watcher.ended;

    expect(watcher.completed()).toBe(true);
    expect(watcher.errors()).toBeUndefined();
    expect(watcher.last()).toMatchObject({
      status: 'COMPLETED',
      delivered: 3,
      submitted: 0,
      estimatedCompletionAt: null,
    });
  });

  it('should emit one snapshot and complete for a campaign that is already final', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const campaign = await factory.campaign(accountId, {
      status: CampaignStatus.CANCELLED,
      messages: 2,
      messageStatus: MessageStatus.CANCELLED,
    });
    const watcher = subscriber(apiKey, campaign.id);
    await watcher.ended;

    expect(watcher.completed()).toBe(true);
    expect(watcher.received.map((r) => r.progress)).toEqual([
      expect.objectContaining({ status: 'CANCELLED', cancelled: 2 }),
    ]);
  });

  it('should answer NOT_FOUND for another account’s campaign and for an unknown id', async () => {
    const alice = await testApp.newAccount();
    const bob = await testApp.newAccount();
    const campaign = await factory.campaign(alice.accountId, { messages: 1 });

    for (const id of [campaign.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const watcher = subscriber(bob.apiKey, id);
      await watcher.ended;
      expect(watcher.received).toEqual([]);
      expect(watcher.errors()).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
      ]);
    }
  });
});

describe('campaignProgress across instances', () => {
  async function expectCrossInstanceDelivery(env: Record<string, string>): Promise<void> {
    const appA = await startTestApp('postgres', env);
    const appB = await startTestApp('postgres', env);
    try {
      const { accountId, apiKey } = await appA.newAccount();
      const factoryB = progressFactory(appB.app);
      const campaign = await factoryB.campaign(accountId, { messages: 4 });
      const watcher = watch(appA.baseUrl, apiKey, campaign.id);
      try {
        await watcher.waitFor((r) => r.length === 1);
        await factoryB.moveMessages(campaign.id, MessageStatus.SUBMITTED, MessageStatus.DELIVERED, 4);
        await factoryB.setStatus(campaign.id, CampaignStatus.COMPLETED);
        factoryB.signal(campaign.id);
        // Well under SAFETY_REFRESH_MS: it came through the PubSub, not the periodic refresh.
        await watcher.waitFor(() => watcher.completed(), 5000);
        expect(watcher.last()).toMatchObject({ status: 'COMPLETED', delivered: 4 });
      } finally {
        await watcher.dispose();
      }
    } finally {
      await appA.close();
      await appB.close();
    }
  }

  it('should deliver a change signalled on instance B to a subscriber on instance A through PostgreSQL LISTEN/NOTIFY', async () => {
    await expectCrossInstanceDelivery({});
  });

  it('should deliver a change signalled on instance B to a subscriber on instance A through Redis', async () => {
    if (!(await redisAnswers(REDIS_URL))) {
      console.warn(`SKIPPED: no Redis at ${REDIS_URL} (set TEST_REDIS_URL, or start redis-server)`);
      return;
    }
    await expectCrossInstanceDelivery({ REDIS_URL });
  });
});

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
