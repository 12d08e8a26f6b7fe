import { PlivoSandbox } from '../../../src/sandbox/sandbox';
import { SandboxRuntimeConfig } from '../../../src/sandbox/sandbox.options';
import { PlivoSmsGateway } from '../../../src/sms-gateway/plivo-sms.gateway';
import { SmsGatewayError } from '../../../src/sms-gateway/sms-gateway.error';
import { SubmitBatchRequest, SubmitFailureKind } from '../../../src/sms-gateway/sms-gateway.types';
import { CallbackReceiver, sdkVerifies, startSandbox } from '../../utils/sandbox';
import { scaledTimeout } from '../../utils/time-factor';

function gatewayFor(
  sandbox: PlivoSandbox,
  overrides: { authToken?: string; timeoutMs?: number } = {},
): PlivoSmsGateway {
  return new PlivoSmsGateway({
    authId: sandbox.authId,
    authToken: overrides.authToken ?? sandbox.authToken,
    apiUrl: sandbox.apiUrl,
    timeoutMs: overrides.timeoutMs ?? 2000,
  });
}

function request(overrides: Partial<SubmitBatchRequest> = {}): SubmitBatchRequest {
  return {
    batchId: 'batch-1',
    src: '+14155550100',
    recipients: ['+447700900001', '+447700900002'],
    text: 'Hello from the gateway',
    callbackUrl: 'http://127.0.0.1:9/dlr?b=batch-1',
    messageExpirySeconds: 600,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<SmsGatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SmsGatewayError);
    return error as SmsGatewayError;
  }
  throw new Error('expected a rejection');
}

describe(PlivoSmsGateway.name, () => {
  let sandbox: PlivoSandbox;
  let gateway: PlivoSmsGateway;

  beforeEach(async () => {
    sandbox = await startSandbox();
    gateway = gatewayFor(sandbox);
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  describe('submitBatch', () => {
    it('should submit through the SDK and return the api id, uuids and invalid numbers', async () => {
      const result = await gateway.submitBatch(request({ recipients: ['+447700900001', '+447700900002', '+1234'] }));

      expect(result.apiId).toBe(sandbox.records.submissions[0].apiId);
      expect(result.messageUuids.sort()).toEqual([...sandbox.records.submissions[0].messageUuids].sort());
      expect(result.invalidNumbers).toEqual(['+1234']);
      expect(sandbox.records.submissions[0]).toEqual(
        expect.objectContaining({
          callbackUrl: 'http://127.0.0.1:9/dlr?b=batch-1',
          callbackMethod: 'POST',
          numbers: ['+447700900001', '+447700900002'],
        }),
      );
    });

    it('should pass message_expiry and the callback method through', async () => {
      sandbox.configure({ mps: 1, timeScale: 0.001 });

      await gateway.submitBatch(
        request({
          recipients: Array.from({ length: 12 }, (_, i) => `+4477009000${String(i).padStart(2, '0')}`),
          messageExpirySeconds: 5,
          callbackMethod: 'GET',
        }),
      );
      await sandbox.whenIdle(scaledTimeout(30_000));

      expect(sandbox.records.submissions[0].callbackMethod).toBe('GET');
      expect(sandbox.stats().messages.expired).toBeGreaterThan(0);
    });

    it.each([
      ['no recipients', []],
      ['1,001 recipients', Array.from({ length: 1001 }, (_, i) => `+447700${String(i).padStart(6, '0')}`)],
    ])('should reject %s locally as permanent without calling Plivo', async (_name, recipients) => {
      const error = await failure(gateway.submitBatch(request({ recipients })));

      expect(error.kind).toBe('permanent');
      expect(sandbox.stats().requests.total).toBe(0);
    });

    it('should deliver callbacks a receiver can verify with the webhook secret', async () => {
      const receiver = await new CallbackReceiver().start();
      try {
        await gateway.submitBatch(request({ callbackUrl: receiver.url('/dlr?b=batch-9') }));
        await sandbox.whenIdle(scaledTimeout(30_000));

        expect(receiver.received.length).toBeGreaterThanOrEqual(4);
        expect(receiver.received.every((c) => sdkVerifies(c, sandbox.webhookSecret))).toBe(true);
      } finally {
        await receiver.stop();
      }
    });

    type Case = {
      name: string;
      knobs: SandboxRuntimeConfig;
      kind: SubmitFailureKind;
      status?: number;
      recorded: boolean;
      req?: Partial<SubmitBatchRequest>;
      token?: string;
    };
    const cases: Case[] = [
      { name: '429 storm', knobs: { stormDurationMs: 60_000 }, kind: 'transient', status: 429, recorded: false },
      {
        name: '429 past the request limit',
        knobs: { rateLimitRequests: 1, rateLimitWindowMs: 60_000 },
        kind: 'transient',
        status: 429,
        recorded: false,
      },
      {
        // Here before Plivo queued it; the service cannot tell, so it checks before resending (plivo.md G3).
        name: '503',
        knobs: { errorRate: 1, errorStatus: 503 },
        kind: 'ambiguous',
        status: 503,
        recorded: false,
      },
      {
        name: '500 after Plivo queued it',
        knobs: { errorRate: 1, errorStatus: 500 },
        kind: 'ambiguous',
        status: 500,
        recorded: true,
      },
      { name: '502', knobs: { errorRate: 1, errorStatus: 502 }, kind: 'ambiguous', status: 502, recorded: true },
      { name: '504', knobs: { errorRate: 1, errorStatus: 504 }, kind: 'ambiguous', status: 504, recorded: true },
      { name: 'a timeout (accepted, never answered)', knobs: { timeoutRate: 1 }, kind: 'ambiguous', recorded: true },
      {
        name: 'a reset after accepting',
        knobs: { resetRate: 1, resetMode: 'after' },
        kind: 'ambiguous',
        recorded: true,
      },
      {
        name: 'a reset before accepting',
        knobs: { resetRate: 1, resetMode: 'before' },
        kind: 'ambiguous',
        recorded: false,
      },
      { name: '401 wrong token', knobs: {}, kind: 'pause', status: 401, recorded: false, token: 'wrong-token' },
      { name: '403 geo permissions', knobs: { barredCountries: ['GB'] }, kind: 'pause', status: 403, recorded: false },
      { name: '403 injected', knobs: { errorRate: 1, errorStatus: 403 }, kind: 'pause', status: 403, recorded: false },
      { name: 'Insufficient Credit', knobs: { creditUsd: 0 }, kind: 'pause', status: 400, recorded: false },
      {
        name: '400 text too long',
        knobs: {},
        kind: 'permanent',
        status: 400,
        recorded: false,
        req: { text: 'x'.repeat(1601) },
      },
      {
        name: '400 all numbers invalid',
        knobs: {},
        kind: 'permanent',
        status: 400,
        recorded: false,
        req: { recipients: ['+12', '+34'] },
      },
    ];

    it.each(cases)('should classify $name as $kind', async ({ knobs, kind, status, recorded, req, token }) => {
      const subject = gatewayFor(sandbox, { timeoutMs: 300, authToken: token });
      sandbox.configure(knobs);
      if (knobs.rateLimitRequests) {
        // Use up the window first.
        await subject.submitBatch(request({ recipients: ['+447700900009'] }));
      }

      const error = await failure(subject.submitBatch(request(req)));

      expect(error.kind).toBe(kind);
      expect(error.status).toBe(status);
      const accepted = sandbox.records.submissions.filter((s) => s.numbers.includes('+447700900001'));
      expect(accepted.length > 0).toBe(recorded);
    });

    it('should record a timed-out batch as accepted and keep processing it', async () => {
      sandbox.configure({ timeoutRate: 1 });
      const subject = gatewayFor(sandbox, { timeoutMs: 200 });

      await failure(subject.submitBatch(request()));
      await sandbox.whenIdle(scaledTimeout(30_000));

      expect(sandbox.records.submissions[0].answer).toBe('timeout');
      expect(sandbox.stats().messages.queued).toBe(0);
    });
  });

  describe('getMessage and listMessages', () => {
    it('should read one message and return null for an unknown one', async () => {
      sandbox.configure({ outcomeByNumber: { '+447700900001': { status: 'undelivered', errorCode: '80' } } });
      const sentAt = Date.now();
      const { messageUuids } = await gateway.submitBatch(request({ recipients: ['+447700900001'] }));
      await sandbox.whenIdle(scaledTimeout(30_000));

      const record = await gateway.getMessage(messageUuids[0]);
      const missing = await gateway.getMessage('00000000-0000-0000-0000-000000000000');

      expect(record).toEqual({
        messageUuid: messageUuids[0],
        to: '+447700900001',
        from: '+14155550100',
        status: 'UNDELIVERED',
        errorCode: '80',
        units: 1,
        totalAmount: '0.04000',
        totalRate: '0.04000',
        messageTime: expect.any(Date),
      });
      // Plivo's message time has whole seconds: it lies between the second the test sent in and now.
      expect(record!.messageTime!.getTime()).toBeGreaterThanOrEqual(Math.floor(sentAt / 1000) * 1000);
      expect(record!.messageTime!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(missing).toBeNull();
    });

    it('should list by recipient and time window', async () => {
      await gateway.submitBatch(request({ recipients: ['+447700900001', '+447700900002'] }));
      await gateway.submitBatch(request({ recipients: ['+447700900001'] }));

      const forOne = await gateway.listMessages({ toNumber: '+447700900001', since: new Date(Date.now() - 60_000) });
      const future = await gateway.listMessages({ since: new Date(Date.now() + 60_000) });
      const page = await gateway.listMessages({ limit: 50, offset: 0 });

      expect(forOne).toHaveLength(2);
      expect(forOne.every((m) => m.to === '+447700900001' && m.status !== undefined)).toBe(true);
      expect(future).toHaveLength(0);
      expect(page).toHaveLength(3);
    });
  });

  describe('getCountryPrice', () => {
    it('should return the outbound rate and the worst network rate', async () => {
      await expect(gateway.getCountryPrice('gb')).resolves.toEqual({
        country: 'GB',
        currency: 'USD',
        rate: '0.04000',
        maxRate: '0.04200',
      });
    });

    it.each(['XX', 'ZZZ', ''])('should reject the unknown country %p as permanent', async (iso) => {
      const error = await failure(gateway.getCountryPrice(iso));

      expect(error.kind).toBe('permanent');
    });
  });
});
