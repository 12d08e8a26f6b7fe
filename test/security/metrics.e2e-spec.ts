import { startTestApp, TestApp } from '../utils/test-app';

// Issue 11, item 8: /metrics stays available to Prometheus, behind a bearer token when METRICS_TOKEN is set.

describe('/metrics access (issue 11, item 8)', () => {
  const token = 'metrics-token-0123456789';
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp('postgres', { METRICS_TOKEN: token });
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should refuse a scrape without the bearer token, or with a wrong one (401)', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: token }] as Array<
      Record<string, string>
    >) {
      const response = await fetch(`${testApp.baseUrl}/metrics`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await response.text()).not.toMatch(/process_cpu_user_seconds_total/);
    }
  });

  it('should serve the metrics with the token', async () => {
    const response = await fetch(`${testApp.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/process_cpu_user_seconds_total/);
  });

  it('should keep health and readiness public', async () => {
    expect((await fetch(`${testApp.baseUrl}/health`)).status).toBe(200);
    expect((await fetch(`${testApp.baseUrl}/ready`)).status).toBe(200);
  });
});
