import { Logger } from '@nestjs/common';
import Decimal from 'decimal.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CampaignStatus } from '../../src/domain/campaign-status.enum';
import { Encoding } from '../../src/domain/encoding.enum';
import { CampaignRepository } from '../../src/persistence/campaign.repository';
import { PrismaService } from '../../src/persistence/prisma.service';
import { graphql, wsClient } from '../utils/graphql-client';
import { startTestApp, TestApp } from '../utils/test-app';

// Issue 11, items 4 and 5: a configured API_KEY revokes the generated key; a revoked key's open
// subscriptions are closed (4403) within seconds.

const QUERY = '{ campaigns { pageInfo { hasNextPage } } }';

describe('API key lifecycle (issue 11, items 4 and 5)', () => {
  it('should revoke the key generated on a first start once API_KEY is set, and say so in the log', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-keys-'));
    const first = await startTestApp('postgres', { DATA_DIR: dataDir });
    const generated = readFileSync(path.join(dataDir, 'api-key'), 'utf8').trim();
    expect((await graphql(first.baseUrl, generated, QUERY)).errors).toBeUndefined();
    await first.close();
    // Its key files are not needed again (the key is read above): none is left in the temporary directory.
    rmSync(dataDir, { recursive: true, force: true });

    const warnings = jest.spyOn(Logger.prototype, 'warn');
    const configured = 'sk_configured_rotation_key_0001';
    const second = await startTestApp('postgres', { API_KEY: configured });
    try {
      expect(warnings.mock.calls.map((call) => String(call[0]))).toContainEqual(
        expect.stringMatching(/API_KEY is set: revoked \d+ generated API key/),
      );
      expect((await graphql(second.baseUrl, generated, QUERY)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect((await graphql(second.baseUrl, configured, QUERY)).errors).toBeUndefined();
    } finally {
      warnings.mockRestore();
      await second.close();
    }

    // Rotating API_KEY revokes the previous one; the generated key stays revoked.
    const rotated = 'sk_configured_rotation_key_0002';
    const third = await startTestApp('postgres', { API_KEY: rotated });
    try {
      for (const old of [generated, configured]) {
        expect((await graphql(third.baseUrl, old, QUERY)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      }
      expect((await graphql(third.baseUrl, rotated, QUERY)).errors).toBeUndefined();
    } finally {
      await third.close();
    }
  });

  it('should start with a short API_KEY (the contract fixes no length), warn that it can be guessed, and not log it', async () => {
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    const short = 'test-key';
    const testApp = await startTestApp('postgres', { API_KEY: short });
    try {
      const logged = warnings.mock.calls.map((call) => String(call[0]));
      expect(logged).toContainEqual(
        expect.stringMatching(/^API_KEY is 8 characters long: a key that short can be guessed/),
      );
      expect(logged.filter((line) => line.includes(short))).toEqual([]);
      expect((await graphql(testApp.baseUrl, short, QUERY)).errors).toBeUndefined();
    } finally {
      warnings.mockRestore();
      await testApp.close();
    }
  });

  describe('revocation of a connected key', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await startTestApp('postgres', { WS_AUTH_RECHECK_SECONDS: '1' });
    });

    afterAll(async () => {
      await testApp.close();
    });

    it('should close the subscriptions of a revoked key with 4403 within seconds', async () => {
      const { accountId, apiKey } = await testApp.newAccount();
      const campaign = await testApp.app.get(CampaignRepository).create({
        accountId,
        name: 'paused',
        status: CampaignStatus.PAUSED,
        text: 'hello',
        senderId: '+14155550100',
        encoding: Encoding.GSM7,
        segmentsPerMessage: 1,
        estimatedCost: new Decimal('0'),
      });
      const client = wsClient(testApp.baseUrl, apiKey);
      let received = 0;
      const ended = new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: `subscription { campaignProgress(campaignId: "${campaign.id}") { total } }` },
          { next: () => received++, error: resolve, complete: () => resolve('complete') },
        );
      });
      const deadline = Date.now() + 30_000;
      while (received === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(received).toBe(1);

      await testApp.app.get(PrismaService).apiKey.updateMany({
        where: { accountId },
        data: { revokedAt: new Date() },
      });
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        ended,
        new Promise((resolve) => (timer = setTimeout(() => resolve('still open after 20 s'), 20_000))),
      ]);
      clearTimeout(timer);
      expect((outcome as { code?: number }).code).toBe(4403);
      await client.dispose();
    });
  });
});
