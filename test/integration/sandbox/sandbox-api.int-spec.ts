import * as plivo from 'plivo';
import { PlivoSandbox } from '../../../src/sandbox/sandbox';
import { controlApi, plivoClient, startSandbox } from '../../utils/sandbox';
import { scaledTimeout } from '../../utils/time-factor';

type SdkError = Error & { status?: number };

async function rejection(promise: Promise<unknown>): Promise<SdkError | string> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError | string;
  }
  throw new Error('expected a rejection');
}

const numbers = (count: number, prefix = '+4477009') =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);

describe('PlivoSandbox Message and Pricing API through the plivo SDK', () => {
  let sandbox: PlivoSandbox;
  let client: plivo.Client;

  beforeEach(async () => {
    sandbox = await startSandbox();
    client = plivoClient(sandbox);
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  describe('POST /Message/', () => {
    it('should queue a batch and return one uuid per unique valid number, listing invalid ones', async () => {
      const response = await client.messages.create(
        '+14155550100',
        ['+447700900001', '+447700900002', '+44 7700 900001', '12345', '+0123456789'],
        'Hello',
      );

      expect(response.message).toBe('message(s) queued');
      expect(response.messageUuid).toHaveLength(2);
      expect(new Set(response.messageUuid).size).toBe(2);
      expect((response as unknown as { invalid_number: string[] }).invalid_number).toEqual(['12345', '+0123456789']);
      expect(sandbox.records.submissions).toHaveLength(1);
      expect(sandbox.records.submissions[0].numbers.sort()).toEqual(['+447700900001', '+447700900002']);
    });

    it('should answer 400 "invalid phone numbers." when every number is invalid', async () => {
      const error = (await rejection(client.messages.create('+14155550100', ['123', '456'], 'Hi'))) as SdkError;

      expect(error.status).toBe(400);
      expect(error.message).toBe('invalid phone numbers.');
      expect(sandbox.records.submissions).toHaveLength(0);
    });

    it('should name a single invalid number', async () => {
      const error = (await rejection(client.messages.create('+14155550100', '1111111', 'Hi'))) as SdkError;

      expect(error.status).toBe(400);
      expect(error.message).toBe("'1111111' is not a valid phone number.");
    });

    it('should accept exactly 1,000 numbers and reject 1,001', async () => {
      const ok = await client.messages.create('+14155550100', numbers(1000), 'Hi');
      const error = (await rejection(client.messages.create('+14155550100', numbers(1001), 'Hi'))) as SdkError;

      expect(ok.messageUuid).toHaveLength(1000);
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/1000/);
    });

    it('should reject numbers of countries it is not configured to know', async () => {
      sandbox.configure({ countries: ['US'] });

      const response = await client.messages.create('+14155550100', ['+14155550101', '+447700900001'], 'Hi');

      expect(response.messageUuid).toHaveLength(1);
      expect((response as unknown as { invalid_number: string[] }).invalid_number).toEqual(['+447700900001']);
    });

    it.each([
      ['GSM text over 1,600 characters', 'a'.repeat(1601), 'text parameter length exceeds 1600 characters'],
      ['GSM extension characters counted twice', '€'.repeat(801), 'text parameter length exceeds 1600 characters'],
      [
        'Unicode text over 737 characters',
        'ü'.repeat(100) + 'ж'.repeat(638),
        'text parameter length exceeds 737 unicode characters',
      ],
    ])('should reject %s', async (_name, text, message) => {
      const error = (await rejection(client.messages.create('+14155550100', '+447700900001', text))) as SdkError;

      expect(error.status).toBe(400);
      expect(error.message).toBe(message);
    });

    it('should accept the longest allowed texts', async () => {
      await expect(client.messages.create('+14155550100', '+447700900001', 'a'.repeat(1600))).resolves.toBeDefined();
      await expect(client.messages.create('+14155550100', '+447700900002', 'ж'.repeat(737))).resolves.toBeDefined();
    });

    it('should reject a bad message_expiry and a bad callback method', async () => {
      const expiry = (await rejection(
        client.messages.create('+14155550100', '+447700900001', 'Hi', { message_expiry: 3 }),
      )) as SdkError;
      const method = (await rejection(
        client.messages.create('+14155550100', '+447700900001', 'Hi', { url: 'http://x.test/d', method: 'PUT' }),
      )) as SdkError;

      expect(expiry.status).toBe(400);
      expect(method.status).toBe(400);
    });

    it('should answer 401 to a wrong token and record nothing', async () => {
      const error = (await rejection(
        plivoClient(sandbox, { authToken: 'wrong' }).messages.create('+14155550100', '+447700900001', 'Hi'),
      )) as SdkError;

      expect(error.status).toBe(401);
      expect(error.message).toBe('authentication failed');
      expect(sandbox.records.submissions).toHaveLength(0);
    });

    it('should answer 429 past the request limit per window (plain Error, no status, like the SDK gives)', async () => {
      sandbox.configure({ rateLimitRequests: 3, rateLimitWindowMs: 60_000 });
      for (let i = 0; i < 3; i++) {
        await client.messages.create('+14155550100', `+44770090000${i}`, 'Hi');
      }

      const error = (await rejection(client.messages.create('+14155550100', '+447700900009', 'Hi'))) as SdkError;

      expect(error.status).toBeUndefined();
      expect(error.message).toMatch(/status code 429/);
      expect(sandbox.stats().requests.rateLimited).toBe(1);
    });

    it('should answer 429 beyond the concurrent request limit', async () => {
      sandbox.configure({ maxConcurrentRequests: 2, latencyMs: 100 });

      const results = await Promise.allSettled(
        Array.from({ length: 4 }, (_, i) => client.messages.create('+14155550100', `+44770090000${i}`, 'Hi')),
      );

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      expect(sandbox.stats().requests.concurrencyLimited).toBe(2);
    });
  });

  describe('GET /Message/', () => {
    it('should return a message record and 404 for an unknown uuid', async () => {
      const sent = await client.messages.create('+14155550100', '+447700900001', 'Hello there');
      await sandbox.whenIdle(scaledTimeout(30_000));

      const record = await client.messages.get(sent.messageUuid[0]);
      const missing = (await rejection(client.messages.get('00000000-0000-0000-0000-000000000000'))) as SdkError;

      expect(record).toEqual(
        expect.objectContaining({
          messageUuid: sent.messageUuid[0],
          toNumber: '447700900001',
          fromNumber: '14155550100',
          messageDirection: 'outbound',
          units: 1,
          totalRate: '0.04000',
          destinationCountryIso2: 'GB',
        }),
      );
      expect(['delivered', 'undelivered', 'failed', 'rejected']).toContain(record.messageState);
      expect(missing.status).toBe(404);
    });

    it('should list newest first with to_number, limit, offset and meta', async () => {
      await client.messages.create('+14155550100', ['+447700900001', '+447700900002'], 'one');
      await client.messages.create('+14155550100', ['+447700900001'], 'two');

      const list = (params: object) => client.messages.list(params) as unknown as Promise<Array<{ toNumber: string }>>;
      const forNumber = await list({ to_number: '447700900001', message_direction: 'outbound', limit: 20, offset: 0 });
      const page = await list({ limit: 1, offset: 1 });
      const tooBig = (await rejection(client.messages.list({ limit: 21 }))) as SdkError;

      expect(forNumber).toHaveLength(2);
      expect(forNumber.every((m) => m.toNumber === '447700900001')).toBe(true);
      expect(page).toHaveLength(1);
      expect((page as unknown as { meta: { next: string | null; previous: string | null } }).meta).toEqual(
        expect.objectContaining({
          limit: 1,
          offset: 1,
          next: expect.stringContaining('offset=2'),
          previous: expect.stringContaining('offset=0'),
        }),
      );
      expect(tooBig.status).toBe(400);
    });

    it('should filter by message_time__gte', async () => {
      await client.messages.create('+14155550100', '+447700900001', 'old');
      const future = new Date(Date.now() + 60_000).toISOString().slice(0, 19).replace('T', ' ');

      const none = (await client.messages.list({ message_time__gte: future })) as unknown as unknown[];

      expect(none).toHaveLength(0);
    });
  });

  describe('GET /Pricing/', () => {
    it('should return Plivo-shaped prices', async () => {
      type Pricing = {
        countryIso: string;
        message: { outbound: { rate: string }; outboundNetworksList: Array<{ groupName: string; rate: string }> };
      };
      const pricing = await (client.pricings as unknown as { get(iso: string): Promise<Pricing> }).get('DE');

      expect(pricing.countryIso).toBe('DE');
      expect(pricing.message.outbound.rate).toMatch(/^\d\.\d{5}$/);
      expect(pricing.message.outboundNetworksList.length).toBeGreaterThan(1);
    });

    it('should answer 404 for an unknown country', async () => {
      const error = (await rejection(
        (client.pricings as unknown as { get(iso: string): Promise<unknown> }).get('XX'),
      )) as SdkError;

      expect(error.status).toBe(404);
    });
  });

  describe('records and control API', () => {
    it('should count submissions per number and report duplicates', async () => {
      await client.messages.create('+14155550100', ['+447700900001', '+447700900002'], 'a');
      await client.messages.create('+14155550100', ['+447700900001'], 'b');

      expect(sandbox.records.submissionsByNumber()).toEqual(
        new Map([
          ['+447700900001', 2],
          ['+447700900002', 1],
        ]),
      );
      expect(sandbox.records.duplicates()).toEqual([{ number: '+447700900001', count: 2 }]);

      const submissions = await controlApi<{ count: number; timesSubmitted: number }>(
        sandbox,
        'submissions?to=%2B447700900001',
      );
      const stats = await controlApi<{ submissions: { batches: number; messages: number; duplicateNumbers: number } }>(
        sandbox,
        'stats',
      );
      expect(submissions.body).toEqual(expect.objectContaining({ count: 2, timesSubmitted: 2 }));
      expect(stats.body.submissions).toEqual({ batches: 2, messages: 3, duplicateNumbers: 1 });
    });

    it('should change knobs through POST /__sandbox/config and list every error', async () => {
      const ok = await controlApi<{ mps: number }>(sandbox, 'config', { mps: 7, errorRate: 0.1 });
      const bad = await controlApi<{ errors: string[] }>(sandbox, 'config', {
        mps: -1,
        errorRate: 2,
        authToken: 'x',
        nope: 1,
      });

      expect(ok.status).toBe(200);
      expect(ok.body.mps).toBe(7);
      expect(sandbox.options.errorRate).toBe(0.1);
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual(
        expect.arrayContaining([
          'authToken cannot change at run time',
          'unknown sandbox setting: nope',
          'errorRate must be a number between 0 and 1',
          'mps must be a positive number',
        ]),
      );
      expect(sandbox.options.mps).toBe(7);
    });

    it('should forget everything on POST /__sandbox/reset', async () => {
      await client.messages.create('+14155550100', '+447700900001', 'a');

      const reset = await controlApi(sandbox, 'reset', {});

      expect(reset.status).toBe(200);
      expect(sandbox.records.submissions).toHaveLength(0);
      expect(sandbox.stats().requests.total).toBe(0);
    });
  });
});
