import { PrismaService } from '../../src/persistence/prisma.service';
import { MessageRetentionService } from '../../src/retention/message-retention.service';
import { hashNumber } from '../../src/retention/number-hasher';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { TestDatabaseKind } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';
import { scaledTimeout } from '../utils/time-factor';
import { FailingEndpoints, ReceivedEvent, WebhookReceiver } from '../utils/webhook-receiver';

// Issue 15's drill: every event of a campaign reaches a verifying receiver at least once, through
// an outage of the receiver, while three broken endpoints of the same account hang, fail and refuse;
// the export of that campaign matches the messages connection row by row.
const FAST = {
  PLIVO_MPS: '5000',
  DISPATCH_LEAD_SECONDS: '1',
  DISPATCH_POLL_MS: '50',
  SANDBOX_TIME_SCALE: '0.01',
  SANDBOX_MPS: '5000',
  // On a busy machine the app may answer the sandbox's callbacks late: more retries, and a report
  // still missing after 5 s is looked up at the provider (the overdue poller), as in production.
  SANDBOX_CALLBACK_RETRY_DELAYS_MS: '60000,120000,240000,480000,960000',
  OVERDUE_AFTER_SECONDS: '5',
  OVERDUE_POLL_INTERVAL_SECONDS: '2',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_DELIVERY_TIMEOUT_MS: '500',
  WEBHOOK_DELIVERY_POLL_MS: '50',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_RETRY_MAX_DELAY_MS: '300',
};

const ALL_EVENTS = [
  'campaign.started',
  'campaign.paused',
  'campaign.resumed',
  'campaign.completed',
  'campaign.cancelled',
  'campaign.failed',
  'message.final',
  'recipient.opted_out',
];

const SEND = 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id status } }';
const CREATE_ENDPOINT = `mutation($url: String!, $events: [String!]!) {
  createWebhookEndpoint(url: $url, events: $events) { secret endpoint { id url events enabled } } }`;
const ENDPOINTS = `{ webhookEndpoints { id url enabled disabledReason consecutiveFailures lastFailureAt } }`;
const DELIVERIES = `query($endpointId: ID!, $first: Int, $after: String, $state: WebhookDeliveryState) {
  webhookDeliveries(endpointId: $endpointId, first: $first, after: $after, state: $state) {
    edges { cursor node { id eventId eventType campaignId state attempts lastStatusCode lastError } }
    pageInfo { hasNextPage endCursor } } }`;
const MESSAGES = `query($id: ID!, $after: String) { campaign(id: $id) {
  status
  messages(first: 500, after: $after) {
    edges { node { id to status errorCode providerMessageId units cost { amount } } }
    pageInfo { hasNextPage endCursor } } } }`;

interface MessageNode {
  id: string;
  to: string;
  status: string;
  errorCode: string | null;
  providerMessageId: string | null;
  units: number | null;
  cost: { amount: number } | null;
}

interface Endpoint {
  id: string;
  url: string;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  campaignId: string | null;
  state: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

async function createEndpoint(app: TestApp, apiKey: string, url: string, events = ALL_EVENTS) {
  const created = await graphql<{ createWebhookEndpoint: { secret: string; endpoint: Endpoint } }>(
    app.baseUrl,
    apiKey,
    CREATE_ENDPOINT,
    { url, events },
  );
  expect(created.errors).toBeUndefined();
  return created.data!.createWebhookEndpoint;
}

async function endpoints(app: TestApp, apiKey: string): Promise<Endpoint[]> {
  const result = await graphql<{ webhookEndpoints: Endpoint[] }>(app.baseUrl, apiKey, ENDPOINTS);
  expect(result.errors).toBeUndefined();
  return result.data!.webhookEndpoints;
}

async function deliveries(app: TestApp, apiKey: string, endpointId: string): Promise<Delivery[]> {
  const all: Delivery[] = [];
  let after: string | null = null;
  do {
    const page: Awaited<
      ReturnType<
        typeof graphql<{
          webhookDeliveries: {
            edges: Array<{ node: Delivery }>;
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        }>
      >
    > = await graphql(app.baseUrl, apiKey, DELIVERIES, { endpointId, first: 200, after });
    expect(page.errors).toBeUndefined();
    all.push(...page.data!.webhookDeliveries.edges.map((edge) => edge.node));
    after = page.data!.webhookDeliveries.pageInfo.hasNextPage ? page.data!.webhookDeliveries.pageInfo.endCursor : null;
  } while (after);
  return all;
}

async function allMessages(app: TestApp, apiKey: string, campaignId: string): Promise<MessageNode[]> {
  const rows: MessageNode[] = [];
  let after: string | null = null;
  do {
    const page: Awaited<
      ReturnType<
        typeof graphql<{
          campaign: {
            messages: {
              edges: Array<{ node: MessageNode }>;
              pageInfo: { hasNextPage: boolean; endCursor: string | null };
            };
          };
        }>
      >
    > = await graphql(app.baseUrl, apiKey, MESSAGES, { id: campaignId, after });
    expect(page.errors).toBeUndefined();
    rows.push(...page.data!.campaign.messages.edges.map((edge) => edge.node));
    after = page.data!.campaign.messages.pageInfo.hasNextPage ? page.data!.campaign.messages.pageInfo.endCursor : null;
  } while (after);
  return rows;
}

async function campaignStatus(app: TestApp, apiKey: string, id: string): Promise<string> {
  const result = await graphql<{ campaign: { status: string } }>(
    app.baseUrl,
    apiKey,
    'query($id: ID!) { campaign(id: $id) { status } }',
    { id },
  );
  return result.data!.campaign.status;
}

function finalMessageIds(events: ReceivedEvent[], campaignId: string): Set<string> {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.type === 'message.final' && event.data.campaignId === campaignId) {
      for (const message of event.data.messages as Array<{ id: string }>) {
        ids.add(message.id);
      }
    }
  }
  return ids;
}

function drill(database: TestDatabaseKind, recipients: number, retryForSeconds: number) {
  return () => {
    let testApp: TestApp;
    const receiver = new WebhookReceiver();
    const failing = new FailingEndpoints();

    beforeAll(async () => {
      await receiver.start();
      await failing.start();
      testApp = await startTestApp(database, {
        ...FAST,
        WEBHOOK_RETRY_FOR_SECONDS: String(retryForSeconds),
        MESSAGE_RETENTION_DAYS: '30',
        MESSAGE_HASH_KEY: 'results-drill-hash-key-0123456789',
      });
    });

    afterAll(async () => {
      await testApp?.close();
      await receiver.stop();
      await failing.stop();
    });

    it('should deliver every event, signed, through an outage, while broken endpoints change nothing', async () => {
      const { apiKey } = await testApp.newAccount();
      const good = await createEndpoint(testApp, apiKey, receiver.url);
      receiver.useSecret(good.secret);
      for (const url of Object.values(failing.urls)) {
        await createEndpoint(testApp, apiKey, url);
      }
      // A second campaign, scheduled, paused and cancelled: the other campaign events.
      const later = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
        input: {
          recipients: gbNumbers(2, recipients),
          text: 'later',
          scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      expect(later.errors).toBeUndefined();
      const laterId = later.data!.sendBulk.id;
      for (const mutation of ['pauseCampaign', 'resumeCampaign', 'cancelCampaign']) {
        const changed = await graphql(
          testApp.baseUrl,
          apiKey,
          `mutation($id: ID!) { ${mutation}(id: $id) { status } }`,
          { id: laterId },
        );
        expect(changed.errors).toBeUndefined();
      }

      const numbers = gbNumbers(recipients);
      // Three recipients answer STOP (Plivo error 200): they are suppressed and reported as opted out.
      const stoppers = numbers.slice(0, 3);
      testApp.app.get(PlivoSandbox).configure({
        outcomeByNumber: Object.fromEntries(stoppers.map((n) => [n, { status: 'undelivered', errorCode: '200' }])),
      });

      const sent = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
        input: { recipients: numbers, text: 'results drill' },
      });
      expect(sent.errors).toBeUndefined();
      const campaignId = sent.data!.sendBulk.id;

      // The receiver goes down once the first reports come in, and comes back a little later.
      await waitFor('the first message.final', () =>
        Promise.resolve(finalMessageIds(receiver.received, campaignId).size > 0),
      );
      await receiver.goDown();
      const prisma = testApp.app.get(PrismaService);
      await waitFor('deliveries failing during the outage', async () =>
        prisma.webhookDelivery.findFirst({
          where: { endpointId: good.endpoint.id, state: 'PENDING', attempts: { gt: 0 }, lastError: { not: null } },
        }),
      );
      await receiver.comeBack();

      // The campaign finishes although three endpoints hang, fail and refuse: sending and report
      // intake do not wait for webhooks.
      await waitFor(
        'the campaign to complete',
        async () => (await campaignStatus(testApp, apiKey, campaignId)) === 'COMPLETED',
        90_000,
      );
      await waitFor('every message.final and the completion at the receiver', () =>
        Promise.resolve(
          finalMessageIds(receiver.received, campaignId).size === recipients &&
            receiver.received.some((e) => e.type === 'campaign.completed' && e.data.campaignId === campaignId) &&
            receiver.received.some((e) => e.type === 'campaign.cancelled' && e.data.campaignId === laterId),
        ),
      );

      expect(receiver.rejected).toEqual([]);
      const types = new Set(receiver.received.map((e) => e.type));
      for (const type of [
        'campaign.started',
        'campaign.paused',
        'campaign.resumed',
        'campaign.completed',
        'campaign.cancelled',
        'message.final',
        'recipient.opted_out',
      ]) {
        expect(types).toContain(type);
      }
      const paused = receiver.received.find((e) => e.type === 'campaign.paused')!;
      expect(paused.data).toMatchObject({ campaignId: laterId, reason: 'paused by the account' });
      // The sandbox's random outcomes may add a few more STOPs of their own.
      const optedOut = new Set(
        receiver.received.filter((e) => e.type === 'recipient.opted_out').map((e) => e.data.phone),
      );
      expect([...optedOut]).toEqual(expect.arrayContaining(stoppers));
      // Each names the campaign whose report carried the STOP (the one its suppression records).
      for (const phone of stoppers) {
        const event = receiver.received.find((e) => e.type === 'recipient.opted_out' && e.data.phone === phone)!;
        expect(event.data).toMatchObject({ phone, campaignId, source: 'stop' });
      }

      // Per endpoint, a campaign's events arrive in order: started first, completed after every message.final.
      const first = receiver.firstSeen();
      const ofCampaign = receiver.received.filter((e) => e.data.campaignId === campaignId);
      const position = (type: string) => ofCampaign.filter((e) => e.type === type).map((e) => first.get(e.id)!);
      expect(Math.max(...position('campaign.started'))).toBeLessThan(Math.min(...position('message.final')));
      expect(Math.min(...position('campaign.completed'))).toBeGreaterThan(Math.max(...position('message.final')));
      const completed = ofCampaign.find((e) => e.type === 'campaign.completed')!;
      expect(completed.data).toMatchObject({ tally: { total: recipients }, cost: { currency: 'USD' } });

      // The outage shows in the delivery log: retried deliveries, now delivered.
      const log = await deliveries(testApp, apiKey, good.endpoint.id);
      expect(log.filter((d) => d.state === 'DELIVERED' && d.attempts > 1).length).toBeGreaterThan(0);

      // The broken endpoints' logs say why.
      const byUrl = new Map((await endpoints(testApp, apiKey)).map((e) => [e.url, e]));
      const errorsOf = async (url: string) =>
        (await deliveries(testApp, apiKey, byUrl.get(url)!.id))
          .map((d) => `${d.lastStatusCode ?? ''} ${d.lastError ?? ''}`)
          .join('\n');
      expect(await errorsOf(failing.urls.hanging)).toContain('timed out');
      expect(await errorsOf(failing.urls.failing)).toContain('HTTP 500');
      expect(await errorsOf(failing.urls.refused)).toContain('ECONNREFUSED');

      // Manual replay: the receiver sees the same webhook-id again.
      const replayed = log.find((d) => d.eventType === 'campaign.started')!;
      const before = receiver.received.filter((e) => e.id === replayed.eventId).length;
      const replay = await graphql(
        testApp.baseUrl,
        apiKey,
        'mutation($id: ID!) { replayWebhookDelivery(id: $id) { id state } }',
        { id: replayed.id },
      );
      expect(replay.errors).toBeUndefined();
      await waitFor('the replayed event', () =>
        Promise.resolve(receiver.received.filter((e) => e.id === replayed.eventId).length > before),
      );

      // Export: the same rows as the messages connection, in the same order.
      const connection = await allMessages(testApp, apiKey, campaignId);
      const response = await fetch(`${testApp.baseUrl}/api/campaigns/${campaignId}/messages.ndjson`, {
        headers: { 'x-api-key': apiKey },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="campaign-${campaignId}.ndjson"`);
      expect(response.headers.get('x-total-count')).toBe(String(recipients));
      const exported = (await response.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(exported).toHaveLength(connection.length);
      exported.forEach((row, i) => {
        const node = connection[i];
        expect({
          id: row.messageId,
          to: row.to,
          status: row.status,
          errorCode: row.errorCode,
          providerMessageId: row.providerMessageId,
          cost: row.actualCost === null ? null : Number(row.actualCost),
        }).toEqual({
          id: node.id,
          to: node.to,
          status: node.status,
          errorCode: node.errorCode,
          providerMessageId: node.providerMessageId,
          cost: node.cost?.amount ?? null,
        });
      });
      const stopRow = exported.find((row) => row.to === stoppers[0])!;
      expect(stopRow).toMatchObject({
        status: 'UNDELIVERED',
        errorCode: '200',
        errorMeaning: expect.stringContaining('STOP'),
      });

      const csv = await fetch(
        `${testApp.baseUrl}/api/campaigns/${campaignId}/messages.csv?bom=true&status=undelivered`,
        {
          headers: { 'x-api-key': apiKey },
        },
      );
      expect(csv.headers.get('content-disposition')).toBe(
        `attachment; filename="campaign-${campaignId}-undelivered.csv"`,
      );
      const bytes = Buffer.from(await csv.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = bytes.subarray(3).toString('utf8').trim().split('\n');
      expect(lines[0]).toBe(
        'message_id,to,country,status,error_code,error_meaning,segments,encoding,estimated_cost,actual_cost,currency,submitted_at,sent_at,delivered_at,provider_message_id',
      );
      expect(lines.length - 1).toBe(connection.filter((m) => m.status === 'UNDELIVERED').length);
      // A number starting with + is escaped, so a spreadsheet does not read it as a formula.
      expect(lines.slice(1).every((line) => line.split(',')[1].startsWith("'+"))).toBe(true);

      // Owner only, authenticated, and bad filters named.
      const stranger = await testApp.newAccount();
      expect(
        (
          await fetch(`${testApp.baseUrl}/api/campaigns/${campaignId}/messages.csv`, {
            headers: { 'x-api-key': stranger.apiKey },
          })
        ).status,
      ).toBe(404);
      expect((await fetch(`${testApp.baseUrl}/api/campaigns/${campaignId}/messages.csv`)).status).toBe(401);
      const bad = await fetch(`${testApp.baseUrl}/api/campaigns/${campaignId}/messages.csv?status=LOST`, {
        headers: { 'x-api-key': apiKey },
      });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('status');

      // Retention: 31 days later the numbers are keyed hashes and the text is gone; counters and cost stay.
      const beforeRetention = await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
      await prisma.campaign.update({
        where: { id: campaignId },
        data: { completedAt: new Date(Date.now() - 31 * 86_400_000) },
      });
      const summary = await testApp.app.get(MessageRetentionService).runOnce();
      expect(summary.numbers).toBe(recipients);
      const afterRetention = await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
      expect(afterRetention.text).toBe('');
      expect(afterRetention.contentRemovedAt).not.toBeNull();
      expect(afterRetention.delivered).toBe(beforeRetention.delivered);
      expect(afterRetention.actualCost.toString()).toBe(beforeRetention.actualCost.toString());
      const hashed = await prisma.message.findFirstOrThrow({ where: { campaignId }, orderBy: { id: 'asc' } });
      expect(hashed.to).toBe(hashNumber('results-drill-hash-key-0123456789', numbers[0]));
      // The cancelled campaign finished just now: untouched.
      expect((await prisma.campaign.findUniqueOrThrow({ where: { id: laterId } })).text).toBe('later');
    }, scaledTimeout(240_000));
  };
}

describe('results out on postgres (5,000 recipients)', drill('postgres', 5000, 600));

describe('customer webhooks on pglite: broken endpoints are disabled', () => {
  let testApp: TestApp;
  const receiver = new WebhookReceiver();
  const failing = new FailingEndpoints();

  beforeAll(async () => {
    await receiver.start();
    await failing.start();
    testApp = await startTestApp('pglite', { ...FAST, WEBHOOK_RETRY_FOR_SECONDS: '2' });
  });

  afterAll(async () => {
    await testApp?.close();
    await receiver.stop();
    await failing.stop();
  });

  it('should disable endpoints that keep failing, say so, and deliver to the healthy one', async () => {
    const { apiKey } = await testApp.newAccount();
    const good = await createEndpoint(testApp, apiKey, receiver.url, ['message.final', 'campaign.completed']);
    receiver.useSecret(good.secret);
    for (const url of Object.values(failing.urls)) {
      await createEndpoint(testApp, apiKey, url);
    }
    const sent = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients: gbNumbers(200), text: 'disable drill' },
    });
    expect(sent.errors).toBeUndefined();
    const campaignId = sent.data!.sendBulk.id;
    await waitFor('every message.final at the receiver', () =>
      Promise.resolve(finalMessageIds(receiver.received, campaignId).size === 200),
    );
    const disabled = await waitFor('the three broken endpoints disabled', async () => {
      const list = await endpoints(testApp, apiKey);
      const off = list.filter((e) => !e.enabled);
      return off.length === 3 ? off : null;
    });
    expect(disabled.map((e) => e.url).sort()).toEqual(Object.values(failing.urls).sort());
    for (const endpoint of disabled) {
      expect(endpoint.disabledReason).toContain('kept failing');
      expect(endpoint.consecutiveFailures).toBeGreaterThan(0);
    }
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.every((e) => ['message.final', 'campaign.completed'].includes(e.type))).toBe(true);

    const enabled = await graphql<{ enableWebhookEndpoint: { enabled: boolean } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($id: ID!) { enableWebhookEndpoint(id: $id) { enabled } }',
      { id: disabled[0].id },
    );
    expect(enabled.data!.enableWebhookEndpoint.enabled).toBe(true);
  }, scaledTimeout(60_000));

  it('should refuse bad endpoints with BAD_USER_INPUT naming the field', async () => {
    const { apiKey } = await testApp.newAccount();
    const cases: Array<[string, string[], string]> = [
      ['ftp://example.com/x', ['message.final'], 'url'],
      ['https://example.com/x', ['message.sent'], 'events'],
      ['https://example.com/x', [], 'events'],
    ];
    for (const [url, events, field] of cases) {
      const result = await graphql(testApp.baseUrl, apiKey, CREATE_ENDPOINT, { url, events });
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].message).toMatch(new RegExp(`^${field}`));
    }
    const stranger = await testApp.newAccount();
    const mine = await createEndpoint(testApp, apiKey, 'https://example.com/hook', ['message.final']);
    const foreign = await graphql(
      testApp.baseUrl,
      stranger.apiKey,
      'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }',
      { id: mine.endpoint.id },
    );
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const deleted = await graphql<{ deleteWebhookEndpoint: boolean }>(
      testApp.baseUrl,
      apiKey,
      'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }',
      { id: mine.endpoint.id },
    );
    expect(deleted.data!.deleteWebhookEndpoint).toBe(true);
  });
});
