// Issue 11, item 9: input PostgreSQL or the runtime cannot take (NUL bytes, lone surrogates, huge
// numbers, dates past what the database stores) answers BAD_USER_INPUT naming the field, never a 500,
// and a schedule is bounded (MAX_SCHEDULE_AHEAD_DAYS, 35 by default). The audit log records every such call:
// its entry's strings are made storable (U+FFFD for a NUL or half of a surrogate pair).
import { PrismaService } from '../../src/persistence/prisma.service';
import { graphql } from '../utils/graphql-client';
import { usNumbers } from '../utils/phone-numbers';
import { TEST_DATABASES } from '../utils/test-databases';
import { startTestApp, TestApp } from '../utils/test-app';

const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { id status scheduledAt } }`;
const DAY_MS = 86_400_000;

describe.each(TEST_DATABASES)('Input integrity on sendBulk (%s)', (database) => {
  let testApp: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    testApp = await startTestApp(database, { SANDBOX_TIME_SCALE: '0.001' });
    prisma = testApp.app.get(PrismaService);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['text with a NUL byte', { text: 'hello\u0000world' }, /^text\b/],
    ['text with a lone surrogate', { text: 'hello \ud83d' }, /^text\b/],
    ['name with a NUL byte', { name: 'spring\u0000sale' }, /^name\b/],
    ['name with a lone surrogate', { name: 'spring \udc00 sale' }, /^name\b/],
    [
      'a recipient with a NUL byte',
      { recipients: ['+14155552671', '+1415555\u00002672'] },
      /^recipients: recipients\[1\] must not contain NUL/,
    ],
    [
      'a recipient with a lone surrogate',
      { recipients: ['+14155552671', '+1415\ud800'] },
      /^recipients: recipients\[1\]/,
    ],
    ['idempotencyKey with a NUL byte', { idempotencyKey: 'order\u00001' }, /^idempotencyKey\b/],
    ['maxCost of 1e308', { maxCost: 1e308 }, /^maxCost\b/],
    ['scheduledAt in year +275760', { scheduledAt: '+275760-09-13T00:00:00.000Z' }, /^scheduledAt\b/],
    ['scheduledAt on 9999-12-31', { scheduledAt: '9999-12-31T00:00:00.000Z' }, /^scheduledAt\b/],
    [
      'scheduledAt 36 days ahead',
      { scheduledAt: new Date(Date.now() + 36 * DAY_MS).toISOString() },
      /^scheduledAt: .*at most 35 days ahead/,
    ],
  ])('should answer %s with BAD_USER_INPUT naming the field and store nothing', async (_case, override, message) => {
    const { apiKey, accountId } = await testApp.newAccount();
    const response = await graphql(testApp.baseUrl, apiKey, SEND, {
      input: { recipients: usNumbers(2, 71_000), text: 'hello', ...override },
    });

    expect(response.status).not.toBe(500);
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toMatch(message);
    expect(await prisma.campaign.count({ where: { accountId } })).toBe(0);
    // The refused call is in the audit log all the same, what it carried made storable.
    const audited = await prisma.auditEntry.findMany({ where: { accountId, action: 'sendBulk' } });
    expect(audited.map((entry) => entry.outcome)).toEqual(['BAD_USER_INPUT']);
  });

  it('should audit a text cut at the audit bound inside an emoji, keeping the emoji whole or not at all', async () => {
    const { apiKey, accountId } = await testApp.newAccount();
    const text = `${'a'.repeat(199)}😀 is 201 units long here`;
    const response = await graphql<{ sendBulk: { id: string } }>(testApp.baseUrl, apiKey, SEND, {
      input: { recipients: usNumbers(2, 73_000), text },
    });

    expect(response.errors).toBeUndefined();
    const [entry] = await prisma.auditEntry.findMany({ where: { accountId, action: 'sendBulk' } });
    expect(entry).toMatchObject({ outcome: 'ok' });
    expect(entry.details).toMatchObject({ args: { input: { text: `${'a'.repeat(199)}…` } } });
  });

  it('should accept a schedule within the bound', async () => {
    const { apiKey } = await testApp.newAccount();
    const scheduledAt = new Date(Date.now() + 30 * DAY_MS).toISOString();
    const response = await graphql<{ sendBulk: { status: string; scheduledAt: string } }>(
      testApp.baseUrl,
      apiKey,
      SEND,
      { input: { recipients: usNumbers(2, 72_000), text: 'later', scheduledAt } },
    );

    expect(response.errors).toBeUndefined();
    expect(response.data!.sendBulk).toEqual({ id: expect.any(String), status: 'SCHEDULED', scheduledAt });
  });
});
