import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiKeyService } from '../../src/common/auth/api-key.service';
import { scopeDeclarations } from '../../src/common/auth/scope-coverage';
import { PrismaService } from '../../src/persistence/prisma.service';
import { graphql, GraphqlResponse, wsClient } from '../utils/graphql-client';
import { usNumbers } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';
import { waitFor } from '../utils/wait-for';

const CLI_JS = path.resolve(__dirname, '../../dist/src/cli/main.js');

/** The built CLI, in an empty folder and environment, as a user would run it. */
function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// Issue 16: an admin manages accounts and keys with scopes; every operation declares its scope;
// accounts are isolated; revoking a key closes its subscriptions; the audit log shows it all.

interface AuditEdge {
  cursor: string;
  node: {
    action: string;
    outcome: string;
    apiKeyId: string | null;
    accountId: string | null;
    details: string;
    clientAddress: string | null;
  };
}

const AUDIT_LOG = `query($accountId: ID, $first: Int, $after: String) {
  auditLog(accountId: $accountId, first: $first, after: $after) {
    edges { cursor node { action outcome apiKeyId accountId details clientAddress } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('accounts, API keys with scopes, and the audit log', () => {
  let testApp: TestApp;
  let admin: string;

  beforeAll(async () => {
    testApp = await startTestApp('postgres', {
      SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    admin = readFileSync(path.join(testApp.dataDir, 'admin-api-key'), 'utf8').trim();
  });

  afterAll(async () => {
    await testApp.close();
  });

  const call = <T = Record<string, unknown>>(key: string, query: string, variables: Record<string, unknown> = {}) =>
    graphql<T>(testApp.baseUrl, key, query, variables);

  function errorCode(response: GraphqlResponse<unknown>): unknown {
    return response.errors?.[0]?.extensions?.code;
  }

  async function createAccount(name: string): Promise<string> {
    const response = await call<{ createAccount: { id: string; name: string } }>(
      admin,
      'mutation($name: String!) { createAccount(name: $name) { id name createdAt } }',
      { name },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.createAccount.name).toBe(name);
    return response.data!.createAccount.id;
  }

  async function createKey(accountId: string, name: string, scopes: string[]) {
    const response = await call<{
      createApiKey: { key: string; apiKey: { id: string; scopes: string[]; active: boolean } };
    }>(
      admin,
      `mutation($accountId: ID!, $name: String!, $scopes: [Scope!]!) {
        createApiKey(accountId: $accountId, name: $name, scopes: $scopes) { key apiKey { id name scopes active } }
      }`,
      { accountId, name, scopes },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.createApiKey.apiKey).toMatchObject({ name, scopes, active: true });
    return { key: response.data!.createApiKey.key, id: response.data!.createApiKey.apiKey.id };
  }

  it('should declare a scope on every root GraphQL field and REST route', () => {
    const declarations = scopeDeclarations(testApp.app);
    expect(declarations.filter((d) => d.scope === undefined)).toEqual([]);
    // The walk sees the whole application, so it cannot pass by seeing nothing.
    expect(declarations).toEqual(
      expect.arrayContaining([
        { operation: 'Mutation.sendBulk', handler: 'CampaignCommandsResolver.sendBulk', scope: 'campaigns:write' },
        { operation: 'Query.campaigns', handler: 'CampaignsResolver.campaignsPage', scope: 'campaigns:read' },
        expect.objectContaining({ operation: 'Subscription.campaignProgress', scope: 'campaigns:read' }),
        expect.objectContaining({ operation: 'Mutation.createApiKey', scope: 'admin' }),
        expect.objectContaining({ operation: 'GET /health', scope: 'public' }),
      ]),
    );
  });

  it("should enforce each scope, isolate accounts, close a revoked key's subscriptions and audit it all", async () => {
    const alpha = await createAccount('Alpha');
    const beta = await createAccount('Beta');
    const alphaWriter = await createKey(alpha, 'alpha sender', ['CAMPAIGNS_READ', 'CAMPAIGNS_WRITE']);
    const alphaReader = await createKey(alpha, 'alpha dashboard', ['CAMPAIGNS_READ']);
    const betaWriter = await createKey(beta, 'beta sender', ['CAMPAIGNS_READ', 'CAMPAIGNS_WRITE']);

    // campaigns:write: the writer sends, the reader may not.
    const recipients = usNumbers(3, 4200);
    const send = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { id status } }`;
    const refused = await call(alphaReader.key, send, { input: { recipients, text: 'hello', name: 'alpha' } });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors?.[0].message).toBe('Forbidden: this API key lacks the campaigns:write scope');
    const sent = await call<{ sendBulk: { id: string } }>(alphaWriter.key, send, {
      input: { recipients, text: 'hello', name: 'alpha' },
    });
    expect(sent.errors).toBeUndefined();
    const campaignId = sent.data!.sendBulk.id;

    // campaigns:read: the reader sees it; Beta sees nothing of Alpha's.
    const byId = 'query($id: ID!) { campaign(id: $id) { id name } }';
    expect((await call(alphaReader.key, byId, { id: campaignId })).data).toEqual({
      campaign: { id: campaignId, name: 'alpha' },
    });
    expect((await call(betaWriter.key, byId, { id: campaignId })).data).toEqual({ campaign: null });
    const betaList = await call<{ campaigns: { edges: unknown[] } }>(
      betaWriter.key,
      '{ campaigns { edges { node { id } } } }',
    );
    expect(betaList.data?.campaigns.edges).toEqual([]);

    // admin: only the admin key manages accounts, and the admin key has no campaign scope.
    expect(errorCode(await call(alphaWriter.key, '{ accounts { edges { node { id } } } }'))).toBe('FORBIDDEN');
    expect(errorCode(await call(admin, '{ campaigns { edges { cursor } } }'))).toBe('FORBIDDEN');
    const accounts = await call<{ accounts: { edges: Array<{ node: { id: string; name: string } }> } }>(
      admin,
      '{ accounts(first: 200) { edges { node { id name } } } }',
    );
    expect(accounts.data?.accounts.edges.map((e) => e.node.id)).toEqual(expect.arrayContaining([alpha, beta]));

    // Subscriptions: Beta cannot follow Alpha's campaign; the reader can, until its key is revoked.
    const betaSubscription = await firstEvent(betaWriter.key, campaignId);
    expect(betaSubscription).toMatchObject({
      next: { errors: [{ message: `Campaign ${campaignId} not found`, extensions: { code: 'NOT_FOUND' } }] },
    });
    const client = wsClient(testApp.baseUrl, alphaReader.key);
    let received = 0;
    const ended = new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: `subscription { campaignProgress(campaignId: "${campaignId}") { total } }` },
        { next: () => received++, error: resolve, complete: () => resolve('complete') },
      );
    });
    try {
      await waitFor('the first progress event', () => Promise.resolve(received > 0), 30_000);
      const revoked = await call<{ revokeApiKey: { id: string; active: boolean; revokedAt: string } }>(
        admin,
        'mutation($id: ID!) { revokeApiKey(id: $id) { id active revokedAt } }',
        { id: alphaReader.id },
      );
      expect(revoked.data?.revokeApiKey).toMatchObject({ id: alphaReader.id, active: false });
      const outcome = await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 10_000, 'open'))]);
      expect(outcome).toMatchObject({ code: 4403 });
    } finally {
      await client.dispose();
    }
    expect(errorCode(await call(alphaReader.key, byId, { id: campaignId }))).toBe('UNAUTHENTICATED');
    const keys = await call<{ apiKeys: Array<{ id: string; active: boolean }> }>(
      admin,
      'query($accountId: ID!) { apiKeys(accountId: $accountId) { id active } }',
      { accountId: alpha },
    );
    expect(keys.data?.apiKeys).toEqual(
      expect.arrayContaining([
        { id: alphaReader.id, active: false },
        { id: alphaWriter.id, active: true },
      ]),
    );
    expect(JSON.stringify(keys)).not.toContain(alphaWriter.key);

    // The audit log: who (key), what, from where; about Alpha only when asked; no phone numbers.
    const log = await call<{ auditLog: { edges: AuditEdge[] } }>(admin, AUDIT_LOG, { accountId: alpha, first: 50 });
    expect(log.errors).toBeUndefined();
    const entries = log.data!.auditLog.edges.map((edge) => edge.node);
    const adminKeyId = entries.find((entry) => entry.action === 'createApiKey')?.apiKeyId;
    expect(entries.map((entry) => [entry.action, entry.outcome, entry.apiKeyId])).toEqual([
      ['revokeApiKey', 'ok', adminKeyId],
      ['sendBulk', 'ok', alphaWriter.id],
      ['createApiKey', 'ok', adminKeyId],
      ['createApiKey', 'ok', adminKeyId],
      ['createAccount', 'ok', adminKeyId],
    ]);
    expect(entries.every((entry) => entry.accountId === alpha && entry.clientAddress)).toBe(true);
    const sendEntry = JSON.parse(entries[1].details) as { args: { input: Record<string, unknown> }; resultId: string };
    expect(sendEntry).toMatchObject({
      args: { input: { recipients: { count: 3 }, name: 'alpha' } },
      resultId: campaignId,
    });
    // Ids and cursors are random hex/base64 and may hold any digit run ("…b2c1415543b6"): they are
    // set aside, and everything else must hold no trace of the numbers, in any form.
    const logText = JSON.stringify(log.data)
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
      .replace(/\\?"(cursor|endCursor)\\?":\\?"[^"\\]*\\?"/g, '<cursor>');
    expect(logText).not.toMatch(/4155|\+1415/);
    for (const recipient of recipients) {
      expect(logText).not.toContain(recipient.slice(1));
      expect(logText).not.toContain(recipient.slice(2));
    }
    expect(JSON.stringify(log.data)).not.toContain(alphaWriter.key);

    // Cursor pagination through the whole log.
    const firstPage = await call<{
      auditLog: { edges: AuditEdge[]; pageInfo: { endCursor: string; hasNextPage: boolean } };
    }>(admin, AUDIT_LOG, { accountId: alpha, first: 2 });
    expect(firstPage.data?.auditLog.pageInfo.hasNextPage).toBe(true);
    const secondPage = await call<{ auditLog: { edges: AuditEdge[] } }>(admin, AUDIT_LOG, {
      accountId: alpha,
      first: 2,
      after: firstPage.data!.auditLog.pageInfo.endCursor,
    });
    expect(secondPage.data?.auditLog.edges.map((edge) => edge.node.action)).toEqual(['createApiKey', 'createApiKey']);
    expect(errorCode(await call(alphaWriter.key, AUDIT_LOG, {}))).toBe('FORBIDDEN');
  });

  it('should refuse bad key requests naming the field, and refuse an expired key', async () => {
    const account = await createAccount('Gamma');
    const mutation = `mutation($accountId: ID!, $scopes: [Scope!]!, $expiresAt: DateTime) {
      createApiKey(accountId: $accountId, name: "k", scopes: $scopes, expiresAt: $expiresAt) { key }
    }`;
    const past = await call(admin, mutation, {
      accountId: account,
      scopes: ['CAMPAIGNS_READ'],
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect(errorCode(past)).toBe('BAD_USER_INPUT');
    expect(past.errors?.[0].message).toMatch(/^expiresAt: must be in the future/);
    const none = await call(admin, mutation, { accountId: account, scopes: [] });
    expect(errorCode(none)).toBe('BAD_USER_INPUT');
    expect(none.errors?.[0].message).toMatch(/scopes/);
    const unknown = await call(admin, mutation, {
      accountId: '00000000-0000-4000-8000-000000000000',
      scopes: ['CAMPAIGNS_READ'],
    });
    expect(unknown.errors?.[0].message).toMatch(/^accountId: no account with this id/);
    // An id that is not one is refused, and still audited: the entry names no account, its details the argument.
    const malformed = await call(admin, mutation, { accountId: 'not-an-account-id', scopes: ['CAMPAIGNS_READ'] });
    expect(malformed.errors?.[0].message).toMatch(/^accountId: /);
    const latest = await call<{ auditLog: { edges: AuditEdge[] } }>(admin, AUDIT_LOG, { first: 1 });
    expect(latest.data!.auditLog.edges[0].node).toMatchObject({ action: 'createApiKey', accountId: null });
    expect(JSON.parse(latest.data!.auditLog.edges[0].node.details)).toMatchObject({
      args: { accountId: 'not-an-account-id' },
    });

    // A key that expires works until then, and not after (the expiry is stored and checked).
    const soon = await call<{ createApiKey: { key: string } }>(admin, mutation, {
      accountId: account,
      scopes: ['CAMPAIGNS_READ'],
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const key = soon.data!.createApiKey.key;
    expect((await call(key, '{ campaigns { edges { cursor } } }')).errors).toBeUndefined();
    await testApp.app.get(PrismaService).apiKey.updateMany({
      where: { accountId: account },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    // This instance's key cache would keep the key for up to 30 s more.
    testApp.app.get(ApiKeyService).forget();
    expect(errorCode(await call(key, '{ campaigns { edges { cursor } } }'))).toBe('UNAUTHENTICATED');
  });

  it('should scope and isolate suppressions, webhooks, exports and console sessions', async () => {
    const gamma = await createAccount('Gamma');
    const delta = await createAccount('Delta');
    const gammaReader = await createKey(gamma, 'gamma dashboard', ['CAMPAIGNS_READ']);
    const gammaOps = await createKey(gamma, 'gamma ops', ['CAMPAIGNS_WRITE', 'SUPPRESSIONS_WRITE', 'WEBHOOKS_WRITE']);
    const deltaAll = await createKey(delta, 'delta all', [
      'CAMPAIGNS_READ',
      'CAMPAIGNS_WRITE',
      'SUPPRESSIONS_WRITE',
      'WEBHOOKS_WRITE',
    ]);
    const forbidden = (response: GraphqlResponse<unknown>) => [
      errorCode(response),
      response.errors?.[0]?.extensions?.requiredScope,
    ];

    // Suppressions: changes need suppressions:write, reads campaigns:read; Delta sees none of Gamma's.
    const [stopped] = usNumbers(1, 4300);
    const add = 'mutation($input: AddSuppressionsInput!) { addSuppressions(input: $input) { added } }';
    expect(forbidden(await call(gammaReader.key, add, { input: { phones: [stopped] } }))).toEqual([
      'FORBIDDEN',
      'suppressions:write',
    ]);
    expect((await call(gammaOps.key, add, { input: { phones: [stopped] } })).data).toEqual({
      addSuppressions: { added: 1 },
    });
    const list = '{ suppressions { edges { node { phone } } } }';
    expect(forbidden(await call(gammaOps.key, list))).toEqual(['FORBIDDEN', 'campaigns:read']);
    expect((await call(gammaReader.key, list)).data).toEqual({
      suppressions: { edges: [{ node: { phone: stopped } }] },
    });
    expect((await call(deltaAll.key, list)).data).toEqual({ suppressions: { edges: [] } });

    // Webhook endpoints: changes need webhooks:write; Delta can neither see nor delete Gamma's.
    const create = `mutation($url: String!, $events: [String!]!) {
      createWebhookEndpoint(url: $url, events: $events) { endpoint { id } } }`;
    const endpoint = { url: 'https://hooks.example.com/gamma', events: ['campaign.completed'] };
    expect(forbidden(await call(gammaReader.key, create, endpoint))).toEqual(['FORBIDDEN', 'webhooks:write']);
    const created = await call<{ createWebhookEndpoint: { endpoint: { id: string } } }>(gammaOps.key, create, endpoint);
    expect(created.errors).toBeUndefined();
    const endpointId = created.data!.createWebhookEndpoint.endpoint.id;
    expect((await call(gammaReader.key, '{ webhookEndpoints { id } }')).data).toEqual({
      webhookEndpoints: [{ id: endpointId }],
    });
    expect((await call(deltaAll.key, '{ webhookEndpoints { id } }')).data).toEqual({ webhookEndpoints: [] });
    const remove = 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }';
    const deltaRemove = await call(deltaAll.key, remove, { id: endpointId });
    expect(deltaRemove.data?.deleteWebhookEndpoint ?? errorCode(deltaRemove)).not.toBe(true);
    expect((await call(gammaReader.key, '{ webhookEndpoints { id } }')).data).toEqual({
      webhookEndpoints: [{ id: endpointId }],
    });

    // Exports: campaigns:read on the account's own campaigns; another account's is a 404.
    const sent = await call<{ sendBulk: { id: string } }>(
      gammaOps.key,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipients: usNumbers(2, 4400), text: 'hello', name: 'gamma' } },
    );
    expect(sent.errors).toBeUndefined();
    const csvUrl = `${testApp.baseUrl}/api/campaigns/${sent.data!.sendBulk.id}/messages.csv`;
    const exported = await fetch(csvUrl, { headers: { 'x-api-key': gammaReader.key } });
    expect(exported.status).toBe(200);
    expect(await exported.text()).toContain('\n');
    expect((await fetch(csvUrl, { headers: { 'x-api-key': gammaOps.key } })).status).toBe(403);
    expect((await fetch(csvUrl, { headers: { 'x-api-key': deltaAll.key } })).status).toBe(404);

    // The console: a session can do what its key can, and ends with the key.
    const signIn = await fetch(`${testApp.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-console-request': '1' },
      body: JSON.stringify({ apiKey: gammaReader.key }),
    });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
    const viaConsole = async (query: string) =>
      (await (
        await fetch(`${testApp.baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie, 'x-console-request': '1' },
          body: JSON.stringify({ query }),
        })
      ).json()) as GraphqlResponse<unknown>;
    expect((await viaConsole('{ suppressions { edges { node { phone } } } }')).data).toEqual({
      suppressions: { edges: [{ node: { phone: stopped } }] },
    });
    expect(forbidden(await viaConsole(`mutation { pauseCampaign(id: "${sent.data!.sendBulk.id}") { id } }`))).toEqual([
      'FORBIDDEN',
      'campaigns:write',
    ]);
    const session = await fetch(`${testApp.baseUrl}/api/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    // Exactly the key's scopes: what the console's navigation offers.
    await expect(session.json()).resolves.toMatchObject({ scopes: ['campaigns:read'] });
    await call(admin, 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: gammaReader.id });
    // The instance that revoked the key forgets its sessions at once.
    expect((await fetch(`${testApp.baseUrl}/api/session`, { headers: { cookie } })).status).toBe(401);
    // The audit log shows the session opened with the key and the changes (refused calls changed nothing).
    const log = await call<{ auditLog: { edges: AuditEdge[] } }>(admin, AUDIT_LOG, { accountId: gamma, first: 50 });
    expect(log.errors).toBeUndefined();
    const entries = log.data!.auditLog.edges.map(({ node }) => [node.action, node.outcome, node.apiKeyId]);
    expect(entries).toEqual(
      expect.arrayContaining([
        ['POST /api/session', 'ok', gammaReader.id],
        ['addSuppressions', 'ok', gammaOps.id],
        ['createWebhookEndpoint', 'ok', gammaOps.id],
        ['sendBulk', 'ok', gammaOps.id],
      ]),
    );
  });

  it('should refuse a campaigns:write key a mutation answer with messages, before the mutation runs, over HTTP and graphql-ws', async () => {
    const epsilon = await createAccount('Epsilon');
    const writer = await createKey(epsilon, 'epsilon sender', ['CAMPAIGNS_WRITE']);
    const everything = await createKey(epsilon, 'epsilon all', ['CAMPAIGNS_READ', 'CAMPAIGNS_WRITE']);
    const forbidden = (response: GraphqlResponse<unknown>) => ({
      data: response.data ?? null,
      code: errorCode(response),
      requiredScope: response.errors?.[0]?.extensions?.requiredScope,
      message: response.errors?.[0]?.message,
    });
    const refusal = {
      data: null,
      code: 'FORBIDDEN',
      requiredScope: 'campaigns:read',
      message: 'Forbidden: this API key lacks the campaigns:read scope, which Campaign.messages needs',
    };
    const campaignCount = async () =>
      (
        await call<{ campaigns: { edges: unknown[] } }>(
          everything.key,
          '{ campaigns(first: 100) { edges { cursor } } }',
        )
      ).data!.campaigns.edges.length;
    const recipients = usNumbers(3, 4_600);

    // sendBulk asking for the messages: refused, and no campaign was created (the client is not left guessing).
    const sendWithMessages = `mutation($input: SendBulkInput!) {
      sendBulk(input: $input) { id messages { edges { node { to status } } } } }`;
    expect(forbidden(await call(writer.key, sendWithMessages, { input: { recipients, text: 'hi' } }))).toEqual(refusal);
    expect(await campaignCount()).toBe(0);

    // Without them: the campaign and its own fields, as before.
    const sent = await call<{ sendBulk: { id: string; status: string } }>(
      writer.key,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id status } }',
      { input: { recipients, text: 'hi', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() } },
    );
    expect(sent.errors).toBeUndefined();
    const campaignId = sent.data!.sendBulk.id;

    // Through a fragment, on a campaign the key did not create itself: refused, and not paused.
    const pauseWithMessages = `mutation($id: ID!) { pauseCampaign(id: $id) { id ...Recipients } }
      fragment Recipients on Campaign { status messages(first: 5) { edges { node { to } } } }`;
    expect(forbidden(await call(writer.key, pauseWithMessages, { id: campaignId }))).toEqual(refusal);
    const byId = 'query($id: ID!) { campaign(id: $id) { status messages { edges { node { to } } } } }';
    const read = await call<{ campaign: { status: string; messages: { edges: unknown[] } } }>(everything.key, byId, {
      id: campaignId,
    });
    expect(read.data?.campaign).toMatchObject({ status: 'SCHEDULED', messages: { edges: expect.any(Array) } });
    expect(read.data!.campaign.messages.edges).toHaveLength(3);

    // The same over graphql-ws.
    const client = wsClient(testApp.baseUrl, writer.key);
    try {
      const outcome = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: pauseWithMessages, variables: { id: campaignId } },
          { next: resolve, error: resolve, complete: () => resolve('complete') },
        );
      });
      expect(outcome).toEqual([
        expect.objectContaining({
          message: refusal.message,
          extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
        }),
      ]);
    } finally {
      await client.dispose();
    }
    expect(
      (await call<{ campaign: { status: string } }>(everything.key, byId, { id: campaignId })).data?.campaign.status,
    ).toBe('SCHEDULED');
  });

  it('should store account settings with the Plivo token encrypted, never shown nor audited in clear', async () => {
    const account = await createAccount('Delta');
    const token = 'delta-plivo-auth-token-0123456789';
    const update = `mutation($accountId: ID!, $input: UpdateAccountSettingsInput!) {
      updateAccountSettings(accountId: $accountId, input: $input) {
        accountId plivoAuthId plivoAuthTokenSet senderIds mps defaultCountry
      }
    }`;
    const halfSet = await call(admin, update, { accountId: account, input: { plivoAuthId: 'SAXXXXXXXXXXXXXXXXXX' } });
    expect(halfSet.errors?.[0].message).toMatch(/^plivoAuthToken: plivoAuthId and plivoAuthToken are set together/);
    const updated = await call(admin, update, {
      accountId: account,
      input: {
        plivoAuthId: 'SAXXXXXXXXXXXXXXXXXX',
        plivoAuthToken: token,
        senderIds: ['DeltaCo'],
        mps: 20,
        defaultCountry: 'GB',
      },
    });
    expect(updated.errors).toBeUndefined();
    expect(updated.data).toEqual({
      updateAccountSettings: {
        accountId: account,
        plivoAuthId: 'SAXXXXXXXXXXXXXXXXXX',
        plivoAuthTokenSet: true,
        senderIds: ['DeltaCo'],
        mps: 20,
        defaultCountry: 'GB',
      },
    });
    const badCountry = await call(admin, update, { accountId: account, input: { defaultCountry: 'Britain' } });
    expect(badCountry.errors?.[0].message).toMatch(/defaultCountry/);

    const stored = await testApp.app
      .get(PrismaService)
      .accountSettings.findUniqueOrThrow({ where: { accountId: account } });
    expect(stored.plivoAuthTokenEncrypted).toMatch(/^v1:/);
    expect(stored.plivoAuthTokenEncrypted).not.toContain(token);
    const log = await call(admin, AUDIT_LOG, { accountId: account, first: 5 });
    expect(JSON.stringify(log.data)).toContain('[redacted]');
    expect(JSON.stringify(log.data)).not.toContain(token);
  });

  it('should create keys from the CLI, finding the admin key through --data-dir, and say where it looked', async () => {
    const accountId = await createAccount('From the CLI');
    const created = await runCli([
      'keys',
      'create',
      '--account',
      accountId,
      '--name',
      'ci',
      '--scopes',
      'campaigns:read',
      '--url',
      testApp.baseUrl,
      '--data-dir',
      testApp.dataDir,
    ]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^\S+ {2}ci {2}\[campaigns:read\] {2}active$/m);
    const material = /^Key \(shown once, keep it now\): (sk_\S+)$/m.exec(created.stdout)?.[1];
    expect((await call(material!, '{ campaigns { edges { cursor } } }')).errors).toBeUndefined();

    // A refused key: the error names where the key came from and every place looked at.
    const refused = await runCli(['keys', 'list', '--account', accountId, '--url', testApp.baseUrl], {
      BULK_SMS_ADMIN_KEY: `${material!}x`,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /UNAUTHENTICATED: Invalid API key .*\[key from \$BULK_SMS_ADMIN_KEY\]\nlooked for the key at: --key, \$BULK_SMS_ADMIN_KEY$/m,
    );
  });

  it('should serve the GraphQL explorer to a browser outside production, from its own assets', async () => {
    const page = await fetch(`${testApp.baseUrl}/graphql`, { headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/graphql-explorer/graphiql.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetch(`${testApp.baseUrl}/graphql-explorer/graphiql.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    // API calls still need a key.
    expect((await fetch(`${testApp.baseUrl}/graphql`, { headers: { accept: 'application/json' } })).status).toBe(401);
  });

  async function firstEvent(key: string, campaignId: string): Promise<unknown> {
    const client = wsClient(testApp.baseUrl, key);
    try {
      return await new Promise((resolve) => {
        client.subscribe(
          { query: `subscription { campaignProgress(campaignId: "${campaignId}") { total } }` },
          {
            next: (value) => resolve({ next: value }),
            error: (error) => resolve({ error }),
            complete: () => resolve('complete'),
          },
        );
      });
    } finally {
      await client.dispose();
    }
  }
});
