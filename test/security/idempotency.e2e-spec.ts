// Issue 11, item 11: an idempotency key replays only the request it was first used with. The same
// key with a different body is a CONFLICT naming idempotencyKey (as Stripe answers), and stores nothing.
import { PrismaService } from '../../src/persistence/prisma.service';
import { graphql, GraphqlResponse } from '../utils/graphql-client';
import { usNumbers } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';

const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { id text } }`;

type SendResult = { sendBulk: { id: string; text: string } };

describe('Idempotency keys on sendBulk', () => {
  let testApp: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    testApp = await startTestApp('postgres', { SANDBOX_TIME_SCALE: '0.001' });
    prisma = testApp.app.get(PrismaService);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  function expectConflict(response: GraphqlResponse<SendResult>): void {
    expect(response.status).not.toBe(500);
    expect(response.data?.sendBulk ?? null).toBeNull();
    expect(response.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(response.errors?.[0].message).toMatch(/^idempotencyKey: .*different request/);
  }

  it.each<[string, Record<string, unknown>]>([
    ['text', { text: 'a different text' }],
    ['recipients', { recipients: usNumbers(3, 81_000) }],
    ['recipient order', { recipients: usNumbers(3, 80_000).reverse() }],
    ['maxCost', { maxCost: 100 }],
    ['name', { name: 'another name' }],
  ])('should answer CONFLICT when the key is reused with a different %s', async (_what, change) => {
    const { apiKey, accountId } = await testApp.newAccount();
    const input = { recipients: usNumbers(3, 80_000), text: 'first body', idempotencyKey: 'order-7' };
    const first = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, { input });
    expect(first.errors).toBeUndefined();

    const second = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, { input: { ...input, ...change } });

    expectConflict(second);
    const campaigns = await prisma.campaign.findMany({ where: { accountId } });
    expect(campaigns.map((c) => c.text)).toEqual(['first body']);
    expect(await prisma.message.count({ where: { campaignId: first.data!.sendBulk.id } })).toBe(3);
  });

  it('should return the first campaign for the same body, spelled with explicit defaults', async () => {
    const { apiKey } = await testApp.newAccount();
    const input = { recipients: usNumbers(3, 82_000), text: 'same body', idempotencyKey: 'order-8' };
    const first = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, { input });
    const again = await graphql<SendResult>(testApp.baseUrl, apiKey, SEND, {
      input: { ...input, smartEncoding: false, name: null, maxCost: null },
    });

    expect(again.errors).toBeUndefined();
    expect(again.data!.sendBulk.id).toBe(first.data!.sendBulk.id);
  });

  it('should let exactly one of two racing different bodies win and answer CONFLICT to the other', async () => {
    const { apiKey, accountId } = await testApp.newAccount();
    const base = { recipients: usNumbers(3, 83_000), idempotencyKey: 'order-9' };
    const responses = await Promise.all([
      graphql<SendResult>(testApp.baseUrl, apiKey, SEND, { input: { ...base, text: 'body A' } }),
      graphql<SendResult>(testApp.baseUrl, apiKey, SEND, { input: { ...base, text: 'body B' } }),
    ]);

    const winners = responses.filter((r) => r.data?.sendBulk);
    const losers = responses.filter((r) => !r.data?.sendBulk);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expectConflict(losers[0]);
    const campaigns = await prisma.campaign.findMany({ where: { accountId } });
    expect(campaigns.map((c) => c.text)).toEqual([winners[0].data!.sendBulk.text]);
  });

  it('should not conflict across accounts using the same key', async () => {
    const a = await testApp.newAccount();
    const b = await testApp.newAccount();
    const input = { recipients: usNumbers(3, 84_000), text: 'per account', idempotencyKey: 'shared-key' };
    const first = await graphql<SendResult>(testApp.baseUrl, a.apiKey, SEND, { input });
    const second = await graphql<SendResult>(testApp.baseUrl, b.apiKey, SEND, {
      input: { ...input, text: 'other account' },
    });

    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    expect(second.data!.sendBulk.id).not.toBe(first.data!.sendBulk.id);
  });
});
