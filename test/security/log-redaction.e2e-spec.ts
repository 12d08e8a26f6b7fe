import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, MAIN_JS, runService } from '../utils/service-process';
import { testDatabaseUrl } from '../utils/test-databases';

// Issue 11, item 12: phone numbers reach no log through a URL's query string (GraphQL GET with
// variables, a webhook URL in any letter case); every logged URL loses its query.

describe('URLs in the logs (issue 11, item 12)', () => {
  beforeAll(() => {
    if (!existsSync(MAIN_JS)) {
      throw new Error(`${MAIN_JS} is missing: run npm run build (npm test does it)`);
    }
  });

  it('should log request URLs without their query strings', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-logs-'));
    const port = await freePort();
    const apiKey = 'sk_log_redaction_key_000001';
    const service = runService({
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: testDatabaseUrl('postgres'),
      API_KEY: apiKey,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
    });
    try {
      await service.waitFor(/ready on/, 90_000);
      const baseUrl = `http://127.0.0.1:${port}`;
      const variables = encodeURIComponent(JSON.stringify({ to: '+14155550123' }));
      const query = encodeURIComponent('query($to: String) { __typename }');
      await fetch(`${baseUrl}/graphql?query=${query}&variables=${variables}`, {
        headers: { 'x-api-key': apiKey, 'apollo-require-preflight': 'true' },
      });
      await fetch(
        `${baseUrl}/API/webhooks/plivo/delivery-report?To=%2B14155550124&From=%2B14155550125&Status=delivered`,
      );
      await fetch(`${baseUrl}/nowhere?phone=%2B14155550126`);
      await service.waitFor(/\/API\/webhooks\/plivo\/delivery-report/);
      await service.waitFor(/\/nowhere/);
      await service.waitFor(/"url":"\/graphql/);
      const output = service.output();
      for (const number of ['14155550123', '14155550124', '14155550125', '14155550126']) {
        expect(output).not.toContain(number);
      }
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
