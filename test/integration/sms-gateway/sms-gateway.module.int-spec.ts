import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigModule } from '../../../src/config/config.module';
import { loadEnvironment } from '../../../src/config/env.schema';
import { smsGatewayRoot } from '../../../src/app.module';
import { PlivoSandbox } from '../../../src/sandbox/sandbox';
import { SANDBOX_SENDER_ID } from '../../../src/sandbox/sandbox.module';
import { ProviderAccount } from '../../../src/sms-gateway/provider-account';
import { SmsGateway } from '../../../src/sms-gateway/sms-gateway';
import { SmsGatewayModule } from '../../../src/sms-gateway/sms-gateway.module';
import { PlivoSmsGateway } from '../../../src/sms-gateway/plivo-sms.gateway';

describe(SmsGatewayModule.name, () => {
  it('should start the in-process sandbox in sandbox mode, point the gateway at it and stop it on close', async () => {
    // A DATA_DIR of its own: the in-process sandbox keeps its messages there (a run in ./data found the last one's).
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sms-gateway-module-'));
    const env = loadEnvironment({
      NODE_ENV: 'test',
      PLIVO_WEBHOOK_SECRET: 'a-configured-webhook-secret',
      DATA_DIR: dataDir,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(env), smsGatewayRoot()],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();

    const account = app.get(ProviderAccount);
    const gateway = app.get(SmsGateway);
    const sandbox = app.get(PlivoSandbox);
    const result = await gateway.submitBatch({
      batchId: 'b1',
      src: account.senderId,
      recipients: ['+447700900001'],
      text: 'Hi',
      callbackUrl: 'http://127.0.0.1:9/dlr?b=b1',
      messageExpirySeconds: 600,
    });

    expect(account).toEqual({
      mode: 'sandbox',
      authId: sandbox.authId,
      senderId: SANDBOX_SENDER_ID,
      webhookSecrets: ['a-configured-webhook-secret'],
    });
    expect(gateway).toBeInstanceOf(PlivoSmsGateway);
    expect(result.messageUuids).toHaveLength(1);
    expect(sandbox.records.submissions).toHaveLength(1);

    const url = sandbox.url;
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    await expect(fetch(`${url}/__sandbox/stats`)).rejects.toThrow();
  });

  it('should use the real account and start no sandbox when PLIVO_* is set', async () => {
    const env = loadEnvironment({
      NODE_ENV: 'test',
      PLIVO_AUTH_ID: 'MAREALACCOUNT0000001',
      PLIVO_AUTH_TOKEN: 'real-token-real-token',
      PLIVO_SENDER_ID: '+14155550199',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(env), smsGatewayRoot()],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();

    expect(app.get(ProviderAccount)).toEqual({
      mode: 'plivo',
      authId: 'MAREALACCOUNT0000001',
      senderId: '+14155550199',
      webhookSecrets: ['real-token-real-token'],
    });
    expect(app.get(PlivoSandbox, { strict: false })).toBeNull();
    await app.close();
  });
});
