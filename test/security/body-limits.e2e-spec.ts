import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { ClientRequest, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { PrismaService } from '../../src/persistence/prisma.service';
import { graphql } from '../utils/graphql-client';
import { freePort, MAIN_JS, runService, START_NODE_OPTIONS } from '../utils/service-process';
import { startTestApp, TestApp } from '../utils/test-app';
import { testDatabaseUrl } from '../utils/test-databases';
import { scaledTimeout } from '../utils/time-factor';
import { waitFor } from '../utils/wait-for';

const BODY_IDLE_MS = scaledTimeout(2000);
const STALLED_BODY_ANSWER = {
  statusCode: 408,
  code: 'BAD_USER_INPUT',
  message: `body: nothing received for ${BODY_IDLE_MS / 1000} s`,
};

// Issue 11, item 1: no request, with or without a key, can exhaust the heap or block the service
// by its size; bodies are refused before they are read unless an authenticated key needs them.

function aliases(count: number): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: __typename`).join(' ')} }`;
}

/** A valid JSON body made larger than `bytes` by whitespace, so its content stays tiny. */
function paddedBody(payload: Record<string, unknown>, bytes: number): string {
  return `${JSON.stringify(payload)}${' '.repeat(bytes)}`;
}

async function postOrError(url: string, headers: Record<string, string>, body: string) {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    // The service may close the connection while the client is still uploading a refused body.
    return { status: 0, text: String(error) };
  }
}

/** The answer to a request written by hand (status 0 and the error when the connection failed). */
function answerOf(request: ClientRequest): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on('error', (error) => resolve({ status: 0, text: String(error) }));
  });
}

describe('request size limits (issue 11, item 1)', () => {
  describe('the service process with the heap of npm start', () => {
    beforeAll(() => {
      if (!existsSync(MAIN_JS)) {
        throw new Error(`${MAIN_JS} is missing: run npm run build (npm test does it)`);
      }
    });

    it('should survive a 3.9 MB document of 200,000 aliases sent without a key, and keep answering', async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-security-'));
      const port = await freePort();
      const service = runService({
        PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: testDatabaseUrl('postgres'),
        API_KEY: 'sk_security_body_limit_key_01',
        NODE_OPTIONS: START_NODE_OPTIONS,
      });
      try {
        await service.waitFor(/ready on/, 90_000);
        const baseUrl = `http://127.0.0.1:${port}`;
        const query = aliases(200_000);
        expect(query.length).toBeGreaterThan(3_500_000);
        for (let attempt = 0; attempt < 2; attempt++) {
          const answer = await postOrError(`${baseUrl}/graphql`, {}, JSON.stringify({ query }));
          expect([0, 401, 413]).toContain(answer.status);
        }
        // The same document with a valid key is refused by the parser's token limit, not parsed whole.
        const withKey = await postOrError(
          `${baseUrl}/graphql`,
          { 'x-api-key': 'sk_security_body_limit_key_01' },
          JSON.stringify({ query: aliases(60_000) }),
        );
        expect(withKey.status).toBe(400);
        expect(withKey.text).toMatch(/tokens/);
        expect(service.child.exitCode).toBeNull();
        expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
      } finally {
        service.child.kill('SIGTERM');
        await service.exited;
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe('in process', () => {
    let testApp: TestApp;
    let apiKey: string;

    beforeAll(async () => {
      // A stalled large body loses its slot after 2 s × TEST_TIME_FACTOR here (10 s by default); the slot
      // test's first upload pauses only until the second one is seen waiting.
      testApp = await startTestApp('postgres', {
        GRAPHQL_MAX_FIELDS: '200',
        BULK_BODY_IDLE_TIMEOUT_MS: String(BODY_IDLE_MS),
      });
      ({ apiKey } = await testApp.newAccount());
    });

    afterAll(async () => {
      await testApp.close();
    });

    it('should refuse a body over the default limit on any path without reading it (413), also for a 404', async () => {
      const body = paddedBody({ hello: 'world' }, 2 * 1024 * 1024);
      for (const route of ['/nope', '/health', '/graphql']) {
        const answer = await postOrError(`${testApp.baseUrl}${route}`, {}, body);
        expect([0, 401, 413]).toContain(answer.status);
        expect(answer.status).not.toBe(404);
      }
      expect((await fetch(`${testApp.baseUrl}/health`)).status).toBe(200);
    });

    it('should accept a large body only from an authenticated key, and only for sendBulk or quote', async () => {
      const size = 1536 * 1024;
      const quote = paddedBody(
        {
          query: 'query($input: QuoteInput!) { quote(input: $input) { recipients } }',
          variables: { input: { recipients: ['+14155552671'], text: 'hi' } },
        },
        size,
      );
      const large = await postOrError(`${testApp.baseUrl}/graphql`, { 'x-api-key': apiKey }, quote);
      expect(large.status).toBe(200);
      expect(JSON.parse(large.text)).toEqual({ data: { quote: { recipients: 1 } } });

      const campaigns = paddedBody({ query: '{ campaigns { pageInfo { hasNextPage } } }' }, size);
      const refused = await postOrError(`${testApp.baseUrl}/graphql`, { 'x-api-key': apiKey }, campaigns);
      expect(refused.status).toBe(413);
      expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');

      const wrongKey = await postOrError(
        `${testApp.baseUrl}/graphql`,
        { 'x-api-key': 'sk_not-a-key-not-a-key' },
        quote,
      );
      expect([0, 401, 413]).toContain(wrongKey.status);
    });

    it('should take one large body at a time: a second waits, unread, until the first is answered', async () => {
      const size = 1536 * 1024;
      const quote = (recipient: string) =>
        paddedBody(
          {
            query: 'query($input: QuoteInput!) { quote(input: $input) { recipients } }',
            variables: { input: { recipients: [recipient], text: 'hi' } },
          },
          size,
        );
      const metric = async (name: string) => {
        const text = await (await fetch(`${testApp.baseUrl}/metrics`)).text();
        return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
      };
      const waitForMetric = async (name: string, value: number) => {
        const deadline = Date.now() + 30_000;
        while ((await metric(name)) !== value) {
          if (Date.now() > deadline) {
            throw new Error(`${name} never reached ${value}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };

      // The first upload stops halfway: it holds the only slot while its body is still arriving.
      const firstBody = Buffer.from(quote('+14155552671'));
      const first = httpRequest(`${testApp.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': firstBody.length, 'x-api-key': apiKey },
      });
      const firstAnswer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        first.on('response', (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        });
        first.on('error', reject);
      });
      first.write(firstBody.subarray(0, firstBody.length / 2));
      await waitForMetric('bulk_sms_bulk_requests_in_flight', 1);

      const second = postOrError(`${testApp.baseUrl}/graphql`, { 'x-api-key': apiKey }, quote('+14155552672'));
      await waitForMetric('bulk_sms_bulk_requests_waiting', 1);
      first.end(firstBody.subarray(firstBody.length / 2));

      const answers = await Promise.all([firstAnswer, second]);
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.text)).toEqual({ data: { quote: { recipients: 1 } } });
      }
      await waitForMetric('bulk_sms_bulk_requests_in_flight', 0);
    });

    it('should answer 408 to a large body that stops arriving, and give its slot to the next', async () => {
      const body = Buffer.from(
        paddedBody(
          {
            query: 'query($input: QuoteInput!) { quote(input: $input) { recipients } }',
            variables: { input: { recipients: ['+14155552671'], text: 'hi' } },
          },
          1536 * 1024,
        ),
      );
      const stalled = httpRequest(`${testApp.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-api-key': apiKey },
      });
      const stalledAnswer = answerOf(stalled);
      // Half the body, then nothing more: it holds the only slot.
      stalled.write(body.subarray(0, body.length / 2));
      const next = postOrError(`${testApp.baseUrl}/graphql`, { 'x-api-key': apiKey }, body.toString());

      const refused = await stalledAnswer;
      expect([refused.status, JSON.parse(refused.text)]).toEqual([408, STALLED_BODY_ANSWER]);
      const answered = await next;
      expect(answered.status).toBe(200);
      expect(JSON.parse(answered.text)).toEqual({ data: { quote: { recipients: 1 } } });
      stalled.destroy();
    });

    it('should answer 408 to an upload that stops arriving, and never let one account hold every upload slot', async () => {
      const prisma = testApp.app.get(PrismaService);
      const stalling = await testApp.newAccount();
      const other = await testApp.newAccount();
      const upload = async (key: string) => {
        const response = await fetch(`${testApp.baseUrl}/api/recipient-lists`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'text/csv' },
          body: 'phone\n+14155552671\n',
        });
        return { status: response.status, body: (await response.json()) as { message?: string; recipients?: number } };
      };
      const stalled = httpRequest(`${testApp.baseUrl}/api/recipient-lists`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', 'content-length': 1_000_000, 'x-api-key': stalling.apiKey },
      });
      const stalledAnswer = answerOf(stalled);
      // A header and a row, then nothing more: the list row is written once the header is read.
      stalled.write('phone\n+14155552672\n');
      await waitFor('the stalled upload to be under way', () =>
        prisma.recipientList.findFirst({ where: { accountId: stalling.accountId, state: 'UPLOADING' } }),
      );

      expect(await upload(stalling.apiKey)).toEqual({
        status: 429,
        body: expect.objectContaining({
          message: 'one upload at a time per account, and one of yours is under way; retry when it ends',
        }),
      });
      expect(await upload(other.apiKey)).toEqual({ status: 201, body: expect.objectContaining({ recipients: 1 }) });

      const refused = await stalledAnswer;
      expect([refused.status, JSON.parse(refused.text)]).toEqual([408, STALLED_BODY_ANSWER]);
      stalled.destroy();
      // The slot is free again, and the broken-off list is gone.
      expect(await upload(stalling.apiKey)).toEqual({ status: 201, body: expect.objectContaining({ recipients: 1 }) });
      expect(await prisma.recipientList.count({ where: { accountId: stalling.accountId, state: 'UPLOADING' } })).toBe(
        0,
      );
    });

    it('should refuse a document over the token limit before parsing it whole', async () => {
      const response = await graphql(testApp.baseUrl, apiKey, aliases(20_000));
      expect(response.status).toBe(400);
      expect(response.errors?.[0].message).toMatch(/tokens/);
    });

    it('should refuse an operation with more fields or aliases than GRAPHQL_MAX_FIELDS', async () => {
      const response = await graphql(testApp.baseUrl, apiKey, aliases(300));
      expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0].message).toBe('query: more than 200 fields (aliases included)');
      expect((await graphql(testApp.baseUrl, apiKey, aliases(150))).errors).toBeUndefined();
    });

    it('should close a graphql-ws socket whose message exceeds the limit (1009) before parsing it', async () => {
      const socket = new WebSocket(`${testApp.baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(2 * 1024 * 1024) } }));
      expect(await closed).toBe(1009);
    });
  });
});
