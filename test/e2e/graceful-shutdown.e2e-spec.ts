import { IncomingMessage, request, ServerResponse } from 'node:http';
import { Client } from 'pg';
import type { Client as WsClient } from 'graphql-ws';
import { CLOSE_GOING_AWAY } from '../../src/common/graphql/graphql-ws-connections';
import { RequestDrain, SHUTTING_DOWN_MESSAGE } from '../../src/common/http/request-drain';
import { CampaignStatus } from '../../src/domain/campaign-status.enum';
import { MessageStatus } from '../../src/domain/message-status.enum';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { progressFactory } from '../factories/progress.factory';
import { wsClient } from '../utils/graphql-client';
import { gbNumbers, usNumbers } from '../utils/phone-numbers';
import { pricesStored } from '../utils/prices-stored';
import { runCli } from '../utils/run-cli';
import { watchShutdownHooks } from '../utils/shutdown-hooks-under-way';
import { startTestApp } from '../utils/test-app';
import { TEST_DATABASES, testDatabaseUrl } from '../utils/test-databases';
import { waitFor } from '../utils/wait-for';

const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { id progress { total } } }`;
const PROGRESS = `subscription($id: ID!) { campaignProgress(campaignId: $id) { status total } }`;

interface Answer {
  status: number;
  connection: string | undefined;
  body: { data?: { sendBulk: { id: string; progress: { total: number } } }; errors?: unknown[] };
}

/**
 * A sendBulk whose headers reach the service at once and whose body waits for `rest`: the request
 * is in flight (the server said "100 Continue", right before handing it to the app) before the test
 * closes the service, and reaches the database only after.
 */
function sendBulkInTwoParts(
  baseUrl: string,
  apiKey: string,
  body: string,
): { headersIn: Promise<void>; rest: () => void; answer: Promise<Answer> } {
  const half = Math.floor(body.length / 2);
  let markHeadersIn: () => void = () => undefined;
  const headersIn = new Promise<void>((resolve) => (markHeadersIn = resolve));
  const req = request(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-api-key': apiKey,
      expect: '100-continue',
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          connection: res.headers.connection,
          body: JSON.parse(text) as Answer['body'],
        }),
      );
    });
    req.on('error', reject);
  });
  req.on('continue', () => {
    req.write(body.slice(0, half));
    markHeadersIn();
  });
  req.flushHeaders();
  return { headersIn, rest: () => req.end(body.slice(half)), answer };
}

interface WsResult {
  data?: { sendBulk: { id: string; progress: { total: number } } };
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** One operation over graphql-ws: its result, or the errors the server refused it with. */
function wsOperation(client: WsClient, query: string, variables: Record<string, unknown> = {}): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    let result: WsResult = {};
    client.subscribe(
      { query, variables },
      {
        next: (value) => (result = value as WsResult),
        error: (error: unknown) => {
          if (Array.isArray(error)) {
            resolve({ errors: error as WsResult['errors'] });
          } else {
            // A CloseEvent has a code; a socket's error (its 'error' event) a message.
            const { code, reason, message } = error as { code?: number; reason?: string; message?: string };
            reject(new Error(`the connection ended before the result (${code}: ${reason}; ${message})`));
          }
        },
        complete: () => resolve(result),
      },
    );
  });
}

async function query<T extends object>(
  database: (typeof TEST_DATABASES)[number],
  sql: string,
  values: unknown[],
): Promise<T[]> {
  const client = new Client({ connectionString: testDatabaseUrl(database) });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function messagesStored(database: (typeof TEST_DATABASES)[number], campaignId: string): Promise<number> {
  const [{ count }] = await query<{ count: string }>(
    database,
    'SELECT count(*) FROM "Message" WHERE "campaignId" = $1',
    [campaignId],
  );
  return Number(count);
}

// Nest's close() stops the modules and disconnects the database before it closes the HTTP server:
// a request still coming in then failed, or left a transaction open until the forced exit.
describe.each(TEST_DATABASES)('stopping the service on %s', (database) => {
  it('should stop taking requests first, finish the one in flight and store it, then close', async () => {
    const testApp = await startTestApp(database);
    const { apiKey } = await testApp.newAccount();
    const recipients = usNumbers(40, 7_000);
    await pricesStored(testApp.baseUrl, apiKey, recipients.slice(0, 1));
    const server = testApp.app.getHttpServer();
    // Server side: the answer is written before the client reads it, and before the drain ends.
    const events: string[] = [];
    server.on('request', (_req: IncomingMessage, res: ServerResponse) =>
      res.once('finish', () => events.push('answer written')),
    );
    const sending = sendBulkInTwoParts(
      testApp.baseUrl,
      apiKey,
      JSON.stringify({ query: SEND, variables: { input: { recipients, text: 'Closing time', name: 'drain' } } }),
    );
    await sending.headersIn;
    watchShutdownHooks(testApp.app, (hook) => events.push(hook));

    const closing = testApp.close();
    await waitFor('the service to stop listening', () => Promise.resolve(!server.listening));
    await expect(fetch(`${testApp.baseUrl}/health`)).rejects.toThrow();
    sending.rest();

    const answer = await sending.answer;
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(answer.connection).toBe('close');
    const campaign = answer.body.data!.sendBulk;
    expect(campaign.progress.total).toBe(40);
    await closing;
    // No shutdown hook began before the answer was written: the modules and the database were up for it.
    expect(events[0]).toBe('answer written');
    expect(events).toContain('PrismaService.beforeApplicationShutdown');
    expect(await messagesStored(database, campaign.id)).toBe(40);
  });

  it('should let a graphql-ws operation in flight finish and store it, and refuse new ones meanwhile', async () => {
    // A worker's PGlite outlives its files: an earlier one may have stored the GB price this test
    // needs the service to fetch.
    await query(database, 'DELETE FROM "Price" WHERE country = $1', ['GB']);
    const testApp = await startTestApp(database);
    const { apiKey } = await testApp.newAccount();
    const sandbox = testApp.app.get(PlivoSandbox);
    const client = wsClient(testApp.baseUrl, apiKey);
    try {
      expect(await wsOperation(client, '{ __typename }')).toEqual({ data: { __typename: 'Query' } });
      // The sendBulk waits for its GB price, which the sandbox answers 5 s late; scheduled an hour
      // ahead, so that the dispatcher sends nothing to the slow sandbox while the service stops.
      sandbox.configure({ latencyMs: 5_000 });
      const sending = wsOperation(client, SEND, {
        input: {
          recipients: gbNumbers(10, 7_000),
          text: 'Closing time',
          name: 'drain-ws',
          scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      // In flight once the drain counts it as an operation (it then waits 5 s for its price). Neither a
      // request reaching the sandbox nor any request in flight says so: this app's dispatcher sends the
      // first drill's campaign, due on the same database, and the sandbox's status callbacks for it are
      // HTTP requests to this app.
      const drain = testApp.app.get(RequestDrain);
      await waitFor('the sendBulk executing', () => Promise.resolve(drain.operationsInFlight > 0));

      const closing = testApp.close();
      expect(await wsOperation(client, '{ __typename }')).toEqual({
        errors: [{ message: SHUTTING_DOWN_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } }],
      });
      const result = await sending;
      expect(result.errors).toBeUndefined();
      expect(result.data!.sendBulk.progress.total).toBe(10);
      await closing;
      expect(await messagesStored(database, result.data!.sendBulk.id)).toBe(10);
    } finally {
      await client.dispose();
    }
  });

  it('should close graphql-ws connections with 1001 rather than end their subscriptions, so a CLI watching a campaign follows it through a restart', async () => {
    const first = await startTestApp(database);
    const { accountId, apiKey } = await first.newAccount();
    const campaign = await progressFactory(first.app).campaign(accountId, { messages: 3 });
    // A client that does not reconnect, to see what the stop does to a subscription.
    const observer = wsClient(first.baseUrl, apiKey);
    const seen: string[] = [];
    const closedWith = new Promise<number>((resolve) =>
      observer.on('closed', (event) => resolve((event as { code: number }).code)),
    );
    observer.subscribe(
      { query: PROGRESS, variables: { id: campaign.id } },
      {
        next: () => seen.push('next'),
        error: () => seen.push('error'),
        complete: () => seen.push('complete'),
      },
    );
    let watchingLive: () => void = () => undefined;
    const live = new Promise<void>((resolve) => (watchingLive = resolve));
    // Its first plain progress line (stderr is not a terminal here) means the subscription is live.
    const watching = runCli(
      ['status', campaign.id, '--watch', '--url', first.baseUrl, '--key', apiKey],
      {},
      (stderr) => {
        if (stderr.includes('done')) {
          watchingLive();
        }
      },
    );
    await live;
    await waitFor('the observer’s first snapshot', () => Promise.resolve(seen.includes('next')));

    await first.close();
    expect(await closedWith).toBe(CLOSE_GOING_AWAY);
    expect(seen).not.toContain('complete');

    // The same service back on the same address, as after a restart: the CLI reconnects on its own.
    const second = await startTestApp(database, { PORT: new URL(first.baseUrl).port });
    try {
      const factory = progressFactory(second.app);
      await factory.moveMessages(campaign.id, MessageStatus.SUBMITTED, MessageStatus.DELIVERED, 3, '0.0035');
      await factory.setStatus(campaign.id, CampaignStatus.COMPLETED);
      factory.signal(campaign.id);
      const run = await watching;
      expect(run.stderr).not.toContain('error');
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/100% 3\/3 done · delivered 3 · 0\.0105 USD · COMPLETED/);
      expect(run.stdout).toContain(`Campaign ${campaign.id}: COMPLETED`);
    } finally {
      await observer.dispose();
      await second.close();
    }
  });
});
