import { randomUUID } from 'node:crypto';
import { createServer, Server, Socket, connect } from 'node:net';
import { graphql } from '../../utils/graphql-client';
import { freePort } from '../../utils/service-process';
import { startTestApp, TestApp } from '../../utils/test-app';
import { testDatabaseUrl } from '../../utils/test-databases';
import { waitFor } from '../../utils/wait-for';

/** A TCP relay to PostgreSQL that can be cut (every connection closed, new ones refused) and restored. */
class CuttableRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async open(): Promise<void> {
    if (this.server) {
      return;
    }
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/**
 * The contract: GET /ready is 200 when the database answers, else 503. While PostgreSQL cannot be reached,
 * every request that needs it is answered 503 SERVICE_UNAVAILABLE (it was /ready 500, and POST /graphql
 * with a valid key 404 "Cannot POST /graphql"), and everything answers again once it is back.
 */
describe('a database that does not answer (PostgreSQL)', () => {
  let relay: CuttableRelay;
  let testApp: TestApp;

  beforeAll(async () => {
    const url = new URL(testDatabaseUrl('postgres'));
    relay = new CuttableRelay(await freePort(), { host: url.hostname, port: Number(url.port || 5432) });
    await relay.open();
    url.host = `127.0.0.1:${relay.port}`;
    testApp = await startTestApp('postgres', { DATABASE_URL: url.toString() });
  });

  afterAll(async () => {
    await relay.open().catch(() => undefined);
    await testApp?.close();
    await relay.cut();
  });

  it('should answer 503 to /ready, GraphQL and the REST API while it is gone, and 200 once it is back', async () => {
    const { apiKey } = await testApp.newAccount();
    const unseen = await testApp.newAccount();
    const count = '{ campaigns(first: 1) { edges { node { id } } } }';
    expect((await graphql(testApp.baseUrl, apiKey, count)).data).toEqual({ campaigns: { edges: [] } });

    await relay.cut();

    const ready = await fetch(`${testApp.baseUrl}/ready`);
    expect([ready.status, await ready.json()]).toEqual([
      503,
      { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'database is not answering' },
    ]);
    // A key checked before (cached): the resolver's query fails. A key never seen: the gate cannot check it.
    const unavailable = {
      message: 'the database is not answering; retry shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    };
    const known = await graphql(testApp.baseUrl, apiKey, count);
    expect([known.status, known.errors?.[0]]).toEqual([200, expect.objectContaining(unavailable)]);
    const fresh = await fetch(`${testApp.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': unseen.apiKey },
      body: JSON.stringify({ query: count }),
    });
    expect([fresh.status, fresh.headers.get('retry-after'), await fresh.json()]).toEqual([
      503,
      '5',
      { data: null, errors: [unavailable] },
    ]);
    const list = await fetch(`${testApp.baseUrl}/api/recipient-lists`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'x-api-key': apiKey },
      body: 'phone\n+14155552671\n',
    });
    expect([list.status, ((await list.json()) as { code: string }).code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    // The export reads over a pool of its own (plain pg): its connection refused is a 503 too, not a 500.
    for (const format of ['csv', 'ndjson']) {
      const exported = await fetch(`${testApp.baseUrl}/api/campaigns/${randomUUID()}/messages.${format}`, {
        headers: { 'x-api-key': apiKey },
      });
      expect([exported.status, exported.headers.get('retry-after'), await exported.json()]).toEqual([
        503,
        '5',
        expect.objectContaining({
          code: 'SERVICE_UNAVAILABLE',
          message: 'the database is not answering; retry shortly',
        }),
      ]);
    }
    expect((await fetch(`${testApp.baseUrl}/health`)).status).toBe(200);

    await relay.open();

    await waitFor('/ready to answer 200', async () => (await fetch(`${testApp.baseUrl}/ready`)).status === 200);
    expect((await graphql(testApp.baseUrl, apiKey, count)).data).toEqual({ campaigns: { edges: [] } });
  });
});
