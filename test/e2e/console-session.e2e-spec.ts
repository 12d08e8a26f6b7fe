import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ApiKeyRepository } from '../../src/persistence/api-key.repository';
import { ApiKeyService } from '../../src/common/auth/api-key.service';
import { ConsoleSessionService } from '../../src/common/auth/console-session.service';
import { GraphqlWsConnections } from '../../src/common/graphql/graphql-ws-connections';
import { ConsoleSessionRepository } from '../../src/persistence/console-session.repository';
import { startTestApp, type TestApp } from '../utils/test-app';

const CAMPAIGNS = JSON.stringify({ query: '{ campaigns { edges { node { id } } } }' });

// PGlite here; the browser e2e (console.e2e-spec.ts) signs in against PostgreSQL, so both run the session queries.
describe('console sessions (pglite)', () => {
  let testApp: TestApp;
  let base: string;

  beforeAll(async () => {
    testApp = await startTestApp('pglite');
    base = testApp.baseUrl;
  });
  afterAll(async () => {
    await testApp.close();
  });

  async function signIn(apiKey: string, headers: Record<string, string> = { 'x-console-request': '1' }) {
    return fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ apiKey }),
    });
  }

  function cookieOf(response: Response): string {
    const header = response.headers.get('set-cookie') ?? '';
    return header.split(';')[0];
  }

  function graphqlWith(cookie: string, headers: Record<string, string> = { 'x-console-request': '1' }) {
    return fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, ...headers },
      body: CAMPAIGNS,
    });
  }

  /** Opens graphql-ws with the cookie (and an Origin), runs one query; resolves with its data or the close code. */
  function overWebSocket(cookie: string, origin: string): Promise<unknown> {
    return new Promise((resolve) => {
      class CookieWebSocket extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { cookie, origin } });
        }
      }
      const client = createClient({
        url: `${base.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: CookieWebSocket,
        retryAttempts: 0,
        lazy: true,
      });
      const finish = (value: unknown) => void Promise.resolve(client.dispose()).then(() => resolve(value));
      client.subscribe(
        { query: '{ campaigns { edges { node { id } } } }' },
        {
          next: (result) => finish(result.data ?? result.errors),
          error: (error: unknown) => finish({ closed: (error as { code?: number }).code }),
          complete: () => undefined,
        },
      );
    });
  }

  /** A graphql-ws connection opened with the cookie, acknowledged; `closed` resolves with its close code. */
  async function openConnection(cookie: string): Promise<{ closed: Promise<number> }> {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
      headers: { cookie, origin: base },
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      socket.once('message', (data: Buffer) => {
        const message = data.toString('utf8');
        return (JSON.parse(message) as { type: string }).type === 'connection_ack'
          ? resolve()
          : reject(new Error(message));
      });
      socket.once('error', reject);
    });
    return { closed };
  }

  it('closes the connections a session opened when it is signed out, or has ended elsewhere', async () => {
    // Before, a socket opened with the cookie outlived the sign-out, queries and mutations included.
    const { apiKey } = await testApp.newAccount();
    const cookie = cookieOf(await signIn(apiKey));
    const other = cookieOf(await signIn(apiKey));
    const connection = await openConnection(cookie);
    const untouched = await openConnection(other);
    let untouchedClosed = false;
    void untouched.closed.then(() => (untouchedClosed = true));
    const signedOut = await fetch(`${base}/api/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-console-request': '1' },
    });
    expect(signedOut.status).toBe(204);
    await expect(connection.closed).resolves.toBe(4403);
    expect(untouchedClosed).toBe(false);

    // Signed out on another instance (only the database knows): the next recheck closes it; the key's
    // own connections are not the session's.
    const token = decodeURIComponent(other.split('=')[1]);
    const sessions = testApp.app.get(ConsoleSessionService);
    await testApp.app.get(ConsoleSessionRepository).revokeByHash(sessions.hashOf(token), new Date());
    await testApp.app.get(GraphqlWsConnections).closeRevoked();
    await expect(untouched.closed).resolves.toBe(4403);
  });

  it('exchanges a key for an HttpOnly SameSite=Strict cookie that opens GraphQL over HTTP and graphql-ws, until sign-out', async () => {
    const { apiKey, accountId } = await testApp.newAccount();
    const signedIn = await signIn(apiKey, { 'x-console-request': '1', origin: base });
    expect(signedIn.status).toBe(200);
    await expect(signedIn.json()).resolves.toMatchObject({ accountId });
    const setCookie = signedIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^bulk_sms_session=[\w-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain(apiKey);
    const cookie = cookieOf(signedIn);

    // The session names the key's scopes (what the console offers); newAccount's key has every account scope.
    await expect((await fetch(`${base}/api/session`, { headers: { cookie } })).json()).resolves.toMatchObject({
      accountId,
      scopes: expect.arrayContaining(['campaigns:read', 'campaigns:write']),
    });
    await expect((await graphqlWith(cookie)).json()).resolves.toEqual({ data: { campaigns: { edges: [] } } });
    await expect(overWebSocket(cookie, base)).resolves.toEqual({ campaigns: { edges: [] } });

    // CSRF: no console header, or another origin, is refused; so is a WebSocket from another origin.
    expect((await graphqlWith(cookie, {})).status).toBe(403);
    expect((await graphqlWith(cookie, { 'x-console-request': '1', origin: 'https://evil.example' })).status).toBe(403);
    await expect(overWebSocket(cookie, 'https://evil.example')).resolves.toEqual({ closed: 4403 });
    expect((await signIn(apiKey, {})).status).toBe(403);

    const signedOut = await fetch(`${base}/api/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-console-request': '1' },
    });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.get('set-cookie')).toMatch(/^bulk_sms_session=;/);
    const after = await graphqlWith(cookie);
    expect(after.status).toBe(401);
    await expect(after.json()).resolves.toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect((await fetch(`${base}/api/session`, { headers: { cookie } })).status).toBe(401);
    // The x-api-key path is unchanged, cookie or not.
    const byKey = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, cookie },
      body: CAMPAIGNS,
    });
    expect(byKey.status).toBe(200);
  });

  it('refuses a wrong key, and ends the sessions of a revoked key', async () => {
    const wrong = await signIn('sk_wrong_key_00000000000000000');
    expect(wrong.status).toBe(401);
    await expect(wrong.json()).resolves.toMatchObject({ code: 'UNAUTHENTICATED', message: 'Invalid API key' });
    expect((await signIn('')).status).toBe(400);

    const { apiKey, accountId } = await testApp.newAccount();
    const cookie = cookieOf(await signIn(apiKey));
    expect((await graphqlWith(cookie)).status).toBe(200);
    await testApp.app.get(ApiKeyRepository).revokeLabelledKeys(accountId, 'test');
    // Cached sessions are trusted for up to 30 s, like keys; once forgotten, the database says the key is gone.
    testApp.app.get(ApiKeyService).forget();
    testApp.app.get(ConsoleSessionService).forget();
    expect((await graphqlWith(cookie)).status).toBe(401);
  });
});
