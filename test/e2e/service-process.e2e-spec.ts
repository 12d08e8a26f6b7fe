import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { graphql } from '../utils/graphql-client';
import { freePort, MAIN_JS, runService } from '../utils/service-process';
import { testDatabaseUrl } from '../utils/test-databases';

// These tests run the built service as a user would (`npm start` runs dist/src/main.js);
// `npm test` builds it first.
describe('the service process', () => {
  beforeAll(() => {
    if (!existsSync(MAIN_JS)) {
      throw new Error(`${MAIN_JS} is missing: run npm run build (npm test does it)`);
    }
  });

  it('should refuse to start with every configuration error listed, exiting non-zero', async () => {
    const service = runService({
      NODE_ENV: 'production',
      DATABASE_URL: 'mysql://root@localhost/sms',
      PLIVO_AUTH_ID: 'MAXXXXXXXXXXXXXXXXXX',
    });
    expect(await service.exited).toBe(1);
    const output = service.output();
    expect(output).toMatch(/Invalid environment configuration/);
    expect(output).toMatch(/DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(output).toMatch(/missing: PLIVO_AUTH_TOKEN, PLIVO_SENDER_ID/);
    expect(output).toMatch(/API_KEY is required when NODE_ENV=production/);
  });

  it('should start with nothing configured on embedded PGlite, print its key, stop on SIGTERM and keep data', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-start-'));
    try {
      const port = await freePort();
      const first = runService({ PORT: String(port), DATA_DIR: dataDir });
      const [, key] = await first.waitFor(/API key \(x-api-key\): (\S+)/, 90_000);
      expect(first.output()).toMatch(new RegExp(`http://localhost:${port}/graphql`));
      expect(first.output()).toMatch(/embedded PGlite/);
      const baseUrl = `http://127.0.0.1:${port}`;
      expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
      expect((await fetch(`${baseUrl}/ready`)).status).toBe(200);
      const response = await graphql(baseUrl, key, '{ campaigns { pageInfo { hasNextPage } } }');
      expect(response.errors).toBeUndefined();
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = runService({ PORT: String(port), DATA_DIR: dataDir });
      const [, sameKey] = await second.waitFor(/API key \(x-api-key\): (\S+)/, 90_000);
      second.child.kill('SIGTERM');
      expect(sameKey).toBe(key);
      expect(await second.exited).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('should run on PostgreSQL when DATABASE_URL is set, with the key from API_KEY', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-start-'));
    try {
      const port = await freePort();
      const apiKey = 'sk_from_environment_0123456789';
      const service = runService({
        PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: testDatabaseUrl('postgres'),
        API_KEY: apiKey,
      });
      await service.waitFor(/API key \(x-api-key\): the value of API_KEY/);
      expect(service.output()).toMatch(/PostgreSQL/);
      const response = await graphql(`http://127.0.0.1:${port}`, apiKey, '{ campaigns { pageInfo { hasNextPage } } }');
      expect(response.errors).toBeUndefined();
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
