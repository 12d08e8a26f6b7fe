import * as plivo from 'plivo';
import { PlivoSandbox } from '../../../src/sandbox/sandbox';
import { CallbackReceiver, plivoClient, sdkVerifies, startSandbox } from '../../utils/sandbox';
import { scaledTimeout } from '../../utils/time-factor';

const SRC = '+14155550100';

describe('PlivoSandbox status callbacks', () => {
  let sandbox: PlivoSandbox;
  let client: plivo.Client;
  let receiver: CallbackReceiver;

  beforeEach(async () => {
    receiver = await new CallbackReceiver().start();
  });

  afterEach(async () => {
    await sandbox.stop();
    await receiver.stop();
  });

  async function start(options: Parameters<typeof startSandbox>[0] = {}): Promise<void> {
    sandbox = await startSandbox(options);
    client = plivoClient(sandbox);
  }

  it('should send queued, sent and the final status, signed with V3 and Ma-V3 that the SDK accepts', async () => {
    await start({ outcomes: { delivered: 1, undelivered: 0, failed: 0, rejected: 0 } });
    const url = receiver.url('/dlr?b=batch-7');

    const sent = await client.messages.create(SRC, '+447700900001', 'Hello', { url, method: 'POST' });
    await sandbox.whenIdle(scaledTimeout(30_000));

    const callbacks = receiver
      .forMessage(sent.messageUuid[0])
      .sort((a, b) => Number(a.params.Sequence) - Number(b.params.Sequence));
    expect(callbacks.map((c) => [c.params.Sequence, c.params.Status])).toEqual([
      ['1', 'queued'],
      ['2', 'sent'],
      ['3', 'delivered'],
    ]);
    const final = callbacks[2];
    expect(final.url).toBe(url);
    expect(final.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(final.params).toEqual(
      expect.objectContaining({
        MessageUUID: sent.messageUuid[0],
        To: '447700900001',
        From: '14155550100',
        Type: 'sms',
        Units: '1',
        TotalRate: '0.04000',
        TotalAmount: '0.04000',
        MCC: '234',
        ParentMessageUUID: sent.messageUuid[0],
        PartInfo: '1 of 1',
      }),
    );
    expect(final.params.DeliveryReportTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect(final.params.ErrorCode).toBeUndefined();
    for (const callback of callbacks) {
      expect(sdkVerifies(callback, sandbox.webhookSecret)).toBe(true);
      expect(sdkVerifies(callback, sandbox.webhookSecret, 'x-plivo-signature-ma-v3')).toBe(true);
    }
  });

  it('should fail verification for a tampered callback, a wrong secret and another URL', async () => {
    await start();
    await client.messages.create(SRC, '+447700900001', 'Hello', { url: receiver.url('/dlr?b=1') });
    await receiver.waitFor((r) => r.length > 0);
    const callback = receiver.received[0];

    expect(
      sdkVerifies(
        { ...callback, params: { ...callback.params, Status: 'delivered', Sequence: '9' } },
        sandbox.webhookSecret,
      ),
    ).toBe(false);
    expect(sdkVerifies(callback, 'not-the-secret')).toBe(false);
    expect(sdkVerifies({ ...callback, url: callback.url.replace('b=1', 'b=2') }, sandbox.webhookSecret)).toBe(false);
  });

  it('should send GET callbacks with query params when method is GET', async () => {
    await start();

    await client.messages.create(SRC, '+447700900001', 'Hello', { url: receiver.url('/dlr?b=3'), method: 'GET' });
    await sandbox.whenIdle(scaledTimeout(30_000));

    expect(receiver.received.length).toBeGreaterThanOrEqual(2);
    for (const callback of receiver.received) {
      expect(callback.method).toBe('GET');
      expect(callback.params.b).toBe('3');
      expect(sdkVerifies(callback, sandbox.webhookSecret)).toBe(true);
    }
  });

  it('should leave out the queued callback on request, the sent one first (Sequence 2)', async () => {
    await start({ outcomes: { delivered: 1, undelivered: 0, failed: 0, rejected: 0 }, queuedCallbacks: false });

    const sent = await client.messages.create(SRC, '+447700900002', 'Hello', { url: receiver.url() });
    await sandbox.whenIdle(scaledTimeout(30_000));

    const callbacks = receiver.forMessage(sent.messageUuid[0]).map((c) => [c.params.Sequence, c.params.Status]);
    expect(callbacks.sort()).toEqual([
      ['2', 'sent'],
      ['3', 'delivered'],
    ]);
  });

  it('should stop at sent for countries without receipts (US, CA)', async () => {
    await start();

    const sent = await client.messages.create(SRC, ['+14155550101', '+14165550101'], 'Hello', { url: receiver.url() });
    await sandbox.whenIdle(scaledTimeout(30_000));

    for (const uuid of sent.messageUuid) {
      expect(
        receiver
          .forMessage(uuid)
          .map((c) => c.params.Status)
          .sort(),
      ).toEqual(['queued', 'sent']);
    }
  });

  it('should carry the forced outcome, its error code, and charge nothing for failed', async () => {
    await start({
      outcomeByNumber: {
        '+447700900001': { status: 'undelivered', errorCode: '200' },
        '+447700900002': { status: 'failed', errorCode: '300' },
        '+447700900003': { status: 'rejected' },
      },
    });

    await client.messages.create(SRC, ['+447700900001', '+447700900002', '+447700900003'], 'Hello', {
      url: receiver.url(),
    });
    await sandbox.whenIdle(scaledTimeout(30_000));

    const final = (to: string) =>
      receiver.received.find((c) => c.params.To === to && !['queued', 'sent'].includes(c.params.Status));
    expect(final('447700900001')?.params).toEqual(
      expect.objectContaining({ Status: 'undelivered', ErrorCode: '200', TotalAmount: '0.04000' }),
    );
    expect(final('447700900002')?.params).toEqual(
      expect.objectContaining({ Status: 'failed', ErrorCode: '300', TotalAmount: '0.00000' }),
    );
    expect(final('447700900002')?.params.SentTime).toBeUndefined();
    expect(final('447700900003')?.params).toEqual(expect.objectContaining({ Status: 'rejected', ErrorCode: '30' }));
  });

  it('should bill Units and TotalAmount per segment', async () => {
    await start({ outcomes: { delivered: 1, undelivered: 0, failed: 0, rejected: 0 } });

    await client.messages.create(SRC, '+447700900001', 'x'.repeat(161), { url: receiver.url() });
    await sandbox.whenIdle(scaledTimeout(30_000));

    const delivered = receiver.received.find((c) => c.params.Status === 'delivered');
    expect(delivered?.params).toEqual(
      expect.objectContaining({ Units: '2', TotalRate: '0.04000', TotalAmount: '0.08000' }),
    );
  });

  it('should retry a callback after a non-2xx answer at the scaled 60/120/240 s delays, then give up', async () => {
    await start({ outcomes: { delivered: 1, undelivered: 0, failed: 0, rejected: 0 }, timeScale: 0.001 });
    receiver.respond = () => 500;

    await client.messages.create(SRC, '+14155550101', 'Hello', { url: receiver.url() });
    await sandbox.whenIdle(scaledTimeout(30_000));

    // 2 callbacks (queued, sent) × (1 attempt + 3 retries)
    expect(receiver.received).toHaveLength(8);
    const sentAttempts = receiver.received.filter((c) => c.params.Status === 'sent').map((c) => c.receivedAt);
    expect(sentAttempts[1] - sentAttempts[0]).toBeGreaterThanOrEqual(55);
    expect(sentAttempts[2] - sentAttempts[1]).toBeGreaterThanOrEqual(115);
    expect(sentAttempts[3] - sentAttempts[2]).toBeGreaterThanOrEqual(235);
    expect(new Set(receiver.received.map((c) => c.headers['x-plivo-signature-v3-nonce'])).size).toBe(8);
    expect(sandbox.stats().callbacks).toEqual(expect.objectContaining({ gaveUp: 2, retriesScheduled: 6 }));
  });

  it('should stop retrying once the receiver answers 2xx', async () => {
    await start();
    receiver.respond = (_c, index) => (index < 2 ? 503 : 200);

    await client.messages.create(SRC, '+14155550101', 'Hello', { url: receiver.url() });
    await sandbox.whenIdle(scaledTimeout(30_000));

    expect(receiver.received).toHaveLength(4);
    expect(sandbox.stats().callbacks).toEqual(expect.objectContaining({ succeeded: 2, failedAttempts: 2, gaveUp: 0 }));
  });

  it('should retry when the receiver does not answer within the callback timeout', async () => {
    await start({ callbackTimeoutMs: 300 });
    receiver.respond = (_c, index) => (index === 0 ? 'hang' : 200);

    await client.messages.create(SRC, '+14155550101', 'Hello', { url: receiver.url(), message_expiry: 5 });
    await sandbox.whenIdle(scaledTimeout(30_000));

    const queued = receiver.received.filter((c) => c.params.Status === 'queued');
    expect(queued).toHaveLength(2);
    expect(queued[0].params).toEqual(queued[1].params);
  });

  it("should give a slow receiver Plivo's real 8 s however fast the sandbox clock runs", async () => {
    // timeScale 0.001 turns Plivo's seconds into milliseconds; the callback timeout must stay 8 s real.
    await start({ outcomes: { delivered: 1, undelivered: 0, failed: 0, rejected: 0 } });
    receiver.respond = () => ({ status: 200, delayMs: 1_000 });

    await client.messages.create(SRC, '+447700900001', 'Hello', { url: receiver.url() });
    await sandbox.whenIdle(scaledTimeout(60_000));

    expect(sandbox.stats().callbacks).toEqual(expect.objectContaining({ failedAttempts: 0, retriesScheduled: 0 }));
    expect(receiver.received.map((c) => c.params.Status)).toEqual(['queued', 'sent', 'delivered']);
  });

  it('should pace sends at the MPS and expire (420, not charged) what would wait past message_expiry', async () => {
    // 1 MPS and 5 s expiry, 1000x faster: one message per ms, messages waiting > 5 ms expire.
    await start({ mps: 1, timeScale: 0.001, outcomes: { delivered: 1, undelivered: 0, failed: 0, rejected: 0 } });
    const recipients = Array.from({ length: 20 }, (_, i) => `+4477009000${String(i).padStart(2, '0')}`);

    await client.messages.create(SRC, recipients, 'Hello', { url: receiver.url(), message_expiry: 5 });
    await sandbox.whenIdle(scaledTimeout(30_000));

    const stats = sandbox.stats();
    expect(stats.messages.expired).toBe(14);
    expect(stats.messages.delivered).toBe(6);
    const expired = receiver.received.filter((c) => c.params.Status === 'failed');
    expect(expired).toHaveLength(14);
    expect(expired.every((c) => c.params.ErrorCode === '420' && c.params.TotalAmount === '0.00000')).toBe(true);
    const sentTimes = sandbox.records.submissions[0].messageUuids
      .map((uuid) => sandbox.records.message(uuid)?.sentAt)
      .filter((t): t is number => typeof t === 'number')
      .sort((a, b) => a - b);
    expect(sentTimes[sentTimes.length - 1] - sentTimes[0]).toBeGreaterThanOrEqual(5);
  });

  it('should pace a slower queue in real time (5 MPS, 1/100 time)', async () => {
    await start({ mps: 5, timeScale: 0.01 });
    const recipients = Array.from({ length: 11 }, (_, i) => `+4477009000${String(i).padStart(2, '0')}`);

    await client.messages.create(SRC, recipients, 'Hello');
    await sandbox.whenIdle(scaledTimeout(30_000));

    const sent = recipients.map((r) => sandbox.records.messagesFor(r)[0].sentAt as number).sort((a, b) => a - b);
    // 10 intervals of 200 ms Plivo time = 20 ms real.
    expect(sent[10] - sent[0]).toBeGreaterThanOrEqual(19);
  });

  it('should duplicate, reorder and lose callbacks on request', async () => {
    await start({ callbackDuplicateRate: 1, outcomes: { delivered: 1, undelivered: 0, failed: 0, rejected: 0 } });
    await client.messages.create(SRC, '+447700900001', 'Hello', { url: receiver.url() });
    await sandbox.whenIdle(scaledTimeout(30_000));
    expect(receiver.received).toHaveLength(6);
    expect(receiver.received.filter((c) => c.params.Sequence === '3')).toHaveLength(2);

    sandbox.configure({ callbackDuplicateRate: 0, callbackReorderRate: 1, callbackConcurrency: 1 });
    receiver.received.length = 0;
    const reordered = await client.messages.create(SRC, '+447700900002', 'Hello', { url: receiver.url() });
    await sandbox.whenIdle(scaledTimeout(30_000));
    expect(receiver.forMessage(reordered.messageUuid[0]).map((c) => c.params.Status)).toEqual([
      'delivered',
      'queued',
      'sent',
    ]);

    sandbox.configure({ callbackReorderRate: 0, callbackLossRate: 1 });
    receiver.received.length = 0;
    await client.messages.create(SRC, '+447700900003', 'Hello', { url: receiver.url() });
    await sandbox.whenIdle(scaledTimeout(30_000));
    expect(receiver.received).toHaveLength(0);
    expect(sandbox.stats().callbacks.lost).toBe(3);
  });

  it('should decide outcomes reproducibly from the seed', async () => {
    const recipients = Array.from({ length: 200 }, (_, i) => `+4477009${String(i).padStart(5, '0')}`);
    const outcomes = async (seed: number) => {
      const s = await startSandbox({
        seed,
        outcomes: { delivered: 0.5, undelivered: 0.2, failed: 0.2, rejected: 0.1 },
      });
      await plivoClient(s).messages.create(SRC, recipients, 'Hello');
      await s.whenIdle(scaledTimeout(30_000));
      const result = recipients.map(
        (r) => `${s.records.messagesFor(r)[0].status}/${s.records.messagesFor(r)[0].errorCode}`,
      );
      await s.stop();
      return result;
    };
    sandbox = await startSandbox();

    const first = await outcomes(7);
    const again = await outcomes(7);
    const other = await outcomes(8);

    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(new Set(first.map((o) => o.split('/')[0]))).toEqual(
      new Set(['delivered', 'undelivered', 'failed', 'rejected']),
    );
  });
});
