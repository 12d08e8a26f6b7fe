import http from 'node:http';
import { AddressInfo } from 'node:net';
import * as plivo from 'plivo';
import { verifyPlivoV3 } from '../common/plivo-signature/plivo-v3-signature';
import { PlivoSmsGateway } from '../sms-gateway/plivo-sms.gateway';
import { PlivoSandbox } from './sandbox';

interface ReceivedCallback {
  url: string;
  params: Record<string, string>;
  v3: string;
  maV3: string;
  nonce: string;
}

/** A callback receiver on a free port that keeps what it got. */
async function startReceiver(): Promise<{ url: string; received: ReceivedCallback[]; close(): Promise<void> }> {
  const received: ReceivedCallback[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({
        url: `${url}${req.url === '/' ? '' : (req.url ?? '')}`,
        params: Object.fromEntries(new URLSearchParams(body)),
        v3: String(req.headers['x-plivo-signature-v3']),
        maV3: String(req.headers['x-plivo-signature-ma-v3']),
        nonce: String(req.headers['x-plivo-signature-v3-nonce']),
      });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const gateway = (sandbox: PlivoSandbox, authId: string, authToken: string) =>
  new PlivoSmsGateway({ authId, authToken, apiUrl: sandbox.apiUrl, timeoutMs: 5_000 });

describe('PlivoSandbox sub-accounts', () => {
  let sandbox: PlivoSandbox;

  beforeEach(async () => {
    sandbox = await new PlivoSandbox({
      timeScale: 0.001,
      outcomes: { delivered: 1, undelivered: 0, failed: 0, rejected: 0 },
    }).start(0);
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  it('should create a sub-account through the SDK and read it with the main credentials only', async () => {
    const main = new plivo.Client(sandbox.authId, sandbox.authToken, { url: sandbox.apiUrl + sandbox.authId });
    const created = (await main.subaccounts.create('Acme', true)) as { authId: string; authToken: string };

    expect(created.authId).toMatch(/^SA[0-9A-F]{18}$/);
    expect(created.authToken).toMatch(/^[0-9a-f]{40}$/);
    const read = (await main.subaccounts.get(created.authId)) as unknown as {
      name: string;
      enabled: boolean;
      authToken: string;
    };
    expect(read).toMatchObject({ name: 'Acme', enabled: true, authToken: created.authToken });

    const asSub = new plivo.Client(created.authId, created.authToken, { url: sandbox.apiUrl + created.authId });
    await expect(asSub.subaccounts.create('Nested', true)).rejects.toMatchObject({ status: 401 });
    const wrongToken = new plivo.Client(created.authId, sandbox.authToken, { url: sandbox.apiUrl + created.authId });
    await expect(wrongToken.messages.create('ACME', '447400123456', 'x')).rejects.toMatchObject({ status: 401 });
  });

  it('should record who sent each message and show each account only its own messages', async () => {
    const sub = sandbox.createSubaccount('Acme');
    const subGateway = gateway(sandbox, sub.authId, sub.authToken);
    const mainGateway = gateway(sandbox, sandbox.authId, sandbox.authToken);
    const request = {
      batchId: 'b',
      recipients: ['+447400123456'],
      text: 'hi',
      callbackUrl: '',
      messageExpirySeconds: 600,
    };

    const fromSub = await subGateway.submitBatch({ ...request, src: 'ACME' });
    const fromMain = await mainGateway.submitBatch({ ...request, src: '+14155550100' });

    expect(sandbox.records.submissions.map((s) => [s.authId, s.src])).toEqual([
      [sub.authId, 'ACME'],
      [sandbox.authId, '14155550100'],
    ]);
    await expect(subGateway.getMessage(fromSub.messageUuids[0])).resolves.toMatchObject({ from: 'ACME' });
    await expect(subGateway.getMessage(fromMain.messageUuids[0])).resolves.toBeNull();
    await expect(mainGateway.getMessage(fromSub.messageUuids[0])).resolves.toBeNull();
    const listed = await subGateway.listMessages({ toNumber: '+447400123456' });
    expect(listed.map((m) => m.messageUuid)).toEqual(fromSub.messageUuids);
  });

  it("should sign a sub-account's callbacks V3 with its token and Ma-V3 with the main secret, and the main account's with the main secret", async () => {
    const receiver = await startReceiver();
    try {
      const sub = sandbox.createSubaccount('Acme');
      const base = { batchId: 'b', text: 'hi', callbackUrl: `${receiver.url}/dlr?batch=b`, messageExpirySeconds: 600 };
      await gateway(sandbox, sub.authId, sub.authToken).submitBatch({
        ...base,
        src: 'ACME',
        recipients: ['+447400123456'],
      });
      await gateway(sandbox, sandbox.authId, sandbox.authToken).submitBatch({
        ...base,
        src: '+14155550100',
        recipients: ['+447400123457'],
      });
      await sandbox.whenIdle();

      const verifies = (callback: ReceivedCallback, header: string, secret: string) =>
        verifyPlivoV3({
          method: 'POST',
          url: callback.url,
          nonce: callback.nonce,
          signatureHeader: header,
          secrets: [secret],
          params: callback.params,
        });
      const ofSub = receiver.received.filter((c) => c.params.To === '447400123456');
      const ofMain = receiver.received.filter((c) => c.params.To === '447400123457');
      expect(ofSub.map((c) => c.params.Status)).toEqual(['queued', 'sent', 'delivered']);
      expect(ofMain).toHaveLength(3);
      for (const callback of ofSub) {
        expect(verifies(callback, callback.v3, sub.authToken)).toBe(true);
        expect(verifies(callback, callback.v3, sandbox.webhookSecret)).toBe(false);
        expect(verifies(callback, callback.maV3, sandbox.webhookSecret)).toBe(true);
      }
      for (const callback of ofMain) {
        expect(verifies(callback, callback.v3, sandbox.webhookSecret)).toBe(true);
        expect(callback.maV3).toBe(callback.v3);
      }
    } finally {
      await receiver.close();
    }
  });
});
