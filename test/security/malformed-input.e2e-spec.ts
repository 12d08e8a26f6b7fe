// Input that once answered 500, a misleading 404, or the wrong thing (found by probing the service from
// outside, 2026-12-06): every one is now the client's error, named, and nothing of it is kept. The
// contract: "No request, authenticated or not, can stop the service or make it answer 500 for bad input."
import { deflateSync, gzipSync } from 'node:zlib';
import { PrismaService } from '../../src/persistence/prisma.service';
import { graphql, wsClient } from '../utils/graphql-client';
import { usNumbers } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';
import { TEST_DATABASES } from '../utils/test-databases';

const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { id status } }`;

function nested(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

describe.each(TEST_DATABASES)('malformed input on %s', (database) => {
  let testApp: TestApp;
  let prisma: PrismaService;
  let apiKey: string;
  let accountId: string;

  beforeAll(async () => {
    testApp = await startTestApp(database);
    prisma = testApp.app.get(PrismaService);
    ({ apiKey, accountId } = await testApp.newAccount());
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function post(path: string, body: string | Buffer, headers: Record<string, string>) {
    const response = await fetch(`${testApp.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, ...headers },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      body: JSON.parse(text) as Record<string, unknown> & {
        errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
      },
    };
  }

  it('should answer a variable of the wrong type with 400 BAD_USER_INPUT naming it, not 500', async () => {
    const response = await graphql(
      testApp.baseUrl,
      apiKey,
      'query($first: Int) { campaigns(first: $first) { edges { node { id } } } }',
      { first: 1.5 },
    );
    expect(response.status).toBe(400);
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toContain('Variable "$first" got invalid value 1.5');
  });

  it('should answer a wrong value written in the query as BAD_USER_INPUT naming it, over HTTP and graphql-ws', async () => {
    const cases: Array<[string, string]> = [
      ['{ quote(input: {text: 5}) { segments } }', 'input.text: String cannot represent a non string value: 5'],
      ['mutation { sendBulk(input: {text: "Hi"}) { id } }', 'Field "SendBulkInput.recipients" of required type'],
      ['{ campaign(id: "x") { messages(status: BOGUS) { totalCount } } }', 'status: Value "BOGUS" does not exist'],
    ];
    for (const [query, message] of cases) {
      const response = await graphql(testApp.baseUrl, apiKey, query);
      expect({ query, status: response.status, code: response.errors?.[0].extensions?.code }).toEqual({
        query,
        status: 400,
        code: 'BAD_USER_INPUT',
      });
      expect(response.errors?.[0].message).toContain(message);
    }
    const client = wsClient(testApp.baseUrl, apiKey);
    try {
      const refused = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { campaignProgress { status } }' },
          { next: () => undefined, error: resolve, complete: () => resolve(null) },
        );
      });
      expect(refused).toEqual([
        expect.objectContaining({
          message: 'Field "campaignProgress" argument "campaignId" of type "ID!" is required, but it was not provided.',
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
    } finally {
      await client.dispose();
    }
    expect(await prisma.campaign.count({ where: { accountId } })).toBe(0);
  });

  it('should answer variables nested thousands deep with 400 BAD_USER_INPUT, not a stack overflow', async () => {
    const body = `{"query":"{ __typename }","variables":{"x":${nested(3_000)}}}`;
    const response = await post('/graphql', body, { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0].message).toBe('Variable "$x": nested deeper than 32 levels');
  });

  it('should answer a persisted query as not supported, not as an internal error', async () => {
    const response = await post(
      '/graphql',
      JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }),
      { 'content-type': 'application/json' },
    );
    expect(response.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
  });

  it('should answer a corrupt deflate or gzip body with 400 BAD_USER_INPUT, not 404', async () => {
    for (const encoding of ['deflate', 'gzip']) {
      const response = await post('/graphql', 'xx', {
        'content-type': 'application/json',
        'content-encoding': encoding,
      });
      expect([encoding, response.status, response.body.code]).toEqual([encoding, 400, 'BAD_USER_INPUT']);
      expect(response.body.message).toMatch(/^body: /);
    }
    // A well-formed compressed body is still read.
    const compressed = deflateSync(JSON.stringify({ query: '{ __typename }' }));
    const response = await post('/graphql', compressed, {
      'content-type': 'application/json',
      'content-encoding': 'deflate',
    });
    expect(response.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('should refuse uploads nested too deep, with a header only, or compressed, naming the field, keeping nothing', async () => {
    const lists = () => prisma.recipientList.count({ where: { accountId } });
    const before = await lists();
    const deep = await post('/api/recipient-lists', `{"phone":"+14155552671","x":${nested(5_000)}}\n`, {
      'content-type': 'application/x-ndjson',
    });
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'body: row 1: a value nested deeper than 32 levels',
    });

    const headerOnly = await post('/api/recipient-lists', 'phone,name\n', { 'content-type': 'text/csv' });
    expect(headerOnly.status).toBe(400);
    expect(headerOnly.body.message).toBe('body: the upload has a header but no rows: send one row per recipient');

    const gzipped = await post('/api/recipient-lists', gzipSync('phone\n+14155552671\n'), {
      'content-type': 'text/csv',
      'content-encoding': 'gzip',
    });
    expect(gzipped.status).toBe(400);
    expect(gzipped.body.message).toMatch(/^Content-Encoding: send the file uncompressed/);
    expect(await lists()).toBe(before);
  });

  it('should refuse bytes that are not UTF-8 in a JSON body, a query string or an upload, naming where, storing nothing', async () => {
    const campaigns = () => prisma.campaign.count({ where: { accountId } });
    const lists = () => prisma.recipientList.count({ where: { accountId } });
    const [campaignsBefore, listsBefore] = [await campaigns(), await lists()];
    // "Grüße" in Latin-1: read leniently, it was sent as "Gr\uFFFD\uFFFDe", in UCS-2.
    const latin1 = Buffer.from(
      `{"query":${JSON.stringify(SEND)},"variables":{"input":{"recipients":["+14155552671"],"text":"Gr\xfc\xdfe"}}}`,
      'latin1',
    );
    const json = await post('/graphql', latin1, { 'content-type': 'application/json' });
    expect([json.status, json.body]).toEqual([
      400,
      { statusCode: 400, code: 'BAD_USER_INPUT', message: 'body: not valid UTF-8: send the body encoded as UTF-8' },
    ]);

    const query = await post('/api/campaigns?text=a%FFb&defaultCountry=US', 'phone\n+14155552671\n', {
      'content-type': 'text/csv',
    });
    expect([query.status, query.body.message]).toEqual([
      400,
      'query: percent-encoded bytes that are not UTF-8: encode the query string as UTF-8',
    ]);

    const upload = await post('/api/recipient-lists', Buffer.from('phone,name\n+14155552671,Gr\xfc\xdfe\n', 'latin1'), {
      'content-type': 'text/csv',
    });
    expect([upload.status, upload.body.message]).toEqual([
      400,
      'body: line 2 is not valid UTF-8: save the file as UTF-8 and send it again',
    ]);
    expect([await campaigns(), await lists()]).toEqual([campaignsBefore, listsBefore]);

    // The same text in UTF-8 is GSM-7, as it should be.
    const utf8 = await graphql(
      testApp.baseUrl,
      apiKey,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { text encoding } }',
      {
        input: {
          recipients: ['+14155552671'],
          text: 'Grüße',
          scheduledAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      },
    );
    expect(utf8.data).toEqual({ sendBulk: { text: 'Grüße', encoding: 'GSM7' } });
  });

  it('should read an upload as ?format= says, whatever its Content-Type (a form, JSON)', async () => {
    for (const [contentType, format, body] of [
      ['application/x-www-form-urlencoded', 'csv', 'phone\n+14155552671\n'],
      ['application/json', 'csv', 'phone\n+14155552671\n'],
      ['application/json', 'ndjson', '{"phone":"+14155552671"}\n'],
    ]) {
      const list = await post(`/api/recipient-lists?format=${format}`, body, { 'content-type': contentType });
      expect([contentType, format, list.status, list.body.recipients]).toEqual([contentType, format, 201, 1]);
    }
    const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
    const campaign = await post(
      `/api/campaigns?text=hi&format=csv&scheduledAt=${encodeURIComponent(scheduledAt)}`,
      'phone\n+14155552671\n',
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect([campaign.status, campaign.body.upload]).toEqual([201, expect.objectContaining({ recipients: 1 })]);
  });

  it('should refuse a NUL byte in any input, naming the field, and store nothing', async () => {
    const settings = () => graphql(testApp.baseUrl, apiKey, '{ consentSettings { helpReply optOutReply } }');
    const before = await settings();
    const response = await graphql(
      testApp.baseUrl,
      apiKey,
      'mutation($input: ConsentSettingsInput!) { updateConsentSettings(input: $input) { helpReply } }',
      { input: { helpReply: 'help\u0000me', optOutReply: 'Bye' } },
    );
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toBe('helpReply: must not contain NUL bytes or unpaired surrogates');
    expect((await settings()).data).toEqual(before.data);
  });

  it('should audit a sendBulk refused for an unparseable scheduledAt', async () => {
    const response = await graphql(testApp.baseUrl, apiKey, SEND, {
      input: { recipients: usNumbers(1, 72_000), text: 'x', scheduledAt: 'not-a-date' },
    });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toMatch(/^scheduledAt\b/);
    const audited = await prisma.auditEntry.findMany({ where: { accountId, action: 'sendBulk' } });
    expect(audited.map((entry) => entry.outcome)).toContain('BAD_USER_INPUT');
  });

  it("should refuse a scheduledAt without its offset instead of reading it in the server's time zone", async () => {
    const response = await graphql(testApp.baseUrl, apiKey, SEND, {
      input: { recipients: usNumbers(1, 72_050), text: 'x', scheduledAt: '2030-01-07T10:00:00' },
    });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toBe(
      'scheduledAt: must be a date-time with its offset, e.g. 2026-12-07T10:00:00Z',
    );
  });

  it('should refuse an export with an unknown query parameter instead of exporting every row', async () => {
    const sent = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
      input: {
        recipients: usNumbers(1, 72_100),
        text: 'x',
        scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    const response = await fetch(
      `${testApp.baseUrl}/api/campaigns/${sent.data!.sendBulk.id}/messages.csv?statuses=DELIVERED`,
      {
        headers: { 'x-api-key': apiKey },
      },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/^statuses: unknown query parameter/);
  });

  it('should answer the same cancel or pause sent twice at once with the campaign both times', async () => {
    const schedule = () =>
      graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
        input: {
          recipients: usNumbers(2, 72_200),
          text: 'x',
          scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
    for (const [mutation, status] of [
      ['pauseCampaign', 'PAUSED'],
      ['cancelCampaign', 'CANCELLED'],
    ]) {
      const id = (await schedule()).data!.sendBulk.id;
      const twice = await Promise.all(
        [1, 2].map(() =>
          graphql(testApp.baseUrl, apiKey, `mutation($id: ID!) { ${mutation}(id: $id) { status } }`, { id }),
        ),
      );
      for (const answer of twice) {
        expect([mutation, answer.errors]).toEqual([mutation, undefined]);
        expect(answer.data).toEqual({ [mutation]: { status } });
      }
    }
  });
});
