import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { MessageStatus } from '../../src/domain/message-status.enum';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { freshDatabase } from '../utils/fresh-database';
import { graphql } from '../utils/graphql-client';
import { usNumbers, waitFor } from '../utils/phone-numbers';
import { freePort, runService, ServiceProcess } from '../utils/service-process';
import { scaledTimeout } from '../utils/time-factor';

const API_KEY = 'sk_crash_recovery_test_key_000001';
// 32 batches of 125: enough that every kill lands mid-campaign (kills follow the provider's count of accepted
// messages, not the clock, so a slow machine moves them in time, never out of the campaign).
const RECIPIENTS = 4_000;

jest.setTimeout(scaledTimeout(300_000));

async function sql<T extends Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The whole service as separate processes against one PostgreSQL database and one standalone
 * sandbox (the real plivo SDK over HTTP): processes are killed with SIGKILL mid-campaign and
 * restarted, and the sandbox's own record proves that no recipient was submitted twice.
 */
describe('crash recovery and several instances (PostgreSQL, separate processes)', () => {
  let sandbox: PlivoSandbox;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let databaseUrl: string;
  const running = new Set<ServiceProcess>();
  // The instances' DATA_DIR (one per port), removed with the file.
  const dataDirs = mkdtempSync(path.join(tmpdir(), 'bulk-sms-crash-'));

  beforeAll(async () => {
    sandbox = await new PlivoSandbox({
      timeScale: 0.01,
      mps: 100_000,
      seed: 7,
      dlrDelayMs: 500,
      rateLimitRequests: 3_000,
      rateLimitWindowMs: 5_000,
      latencyMs: 15,
    }).start(0);
  });

  beforeEach(async () => {
    database = await freshDatabase('postgres');
    databaseUrl = database.url;
    sandbox.reset();
  });

  afterEach(async () => {
    for (const service of running) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    running.clear();
    await database.drop();
  });

  afterAll(async () => {
    await sandbox.stop();
    rmSync(dataDirs, { recursive: true, force: true });
  });

  /** `publicPort`: where Plivo's callbacks go (instances behind one address share it). */
  async function start(port: number, publicPort = port): Promise<ServiceProcess> {
    const service = runService({
      PORT: String(port),
      API_BASE_URL: `http://127.0.0.1:${publicPort}`,
      DATA_DIR: path.join(dataDirs, String(port)),
      DATABASE_URL: databaseUrl,
      API_KEY,
      PLIVO_AUTH_ID: sandbox.authId,
      PLIVO_AUTH_TOKEN: sandbox.authToken,
      PLIVO_SENDER_ID: '+14155550100',
      PLIVO_API_URL: sandbox.apiUrl,
      PLIVO_WEBHOOK_SECRET: sandbox.webhookSecret,
      // Its campaigns are small: threads ready from boot would only add their warm-up to each restart.
      WORKER_THREADS_READY: 'false',
      PLIVO_TIMEOUT_MS: '2000',
      PLIVO_LIST_REQUESTS_PER_MINUTE: '3000',
      // Reports lost while an instance was down are looked up one by one: allow a brisk pace.
      PLIVO_API_REQUESTS_PER_5S: '3000',
      // Paced so that the campaign lasts a few seconds, long enough to be interrupted: 1,000
      // messages/s, and at most 4 s of messages at the provider (the lead, capped at 80 % of expiry).
      PLIVO_MPS: '1000',
      PLIVO_MESSAGE_EXPIRY_SECONDS: '5',
      DISPATCH_BATCH_SIZE: '125',
      DISPATCH_POLL_MS: '20',
      DISPATCH_LEASE_MARGIN_SECONDS: '1',
      DISPATCH_RECONCILE_DELAY_SECONDS: '1',
      DISPATCH_RETRY_BASE_SECONDS: '0.05',
      OVERDUE_AFTER_SECONDS: '3',
      OVERDUE_POLL_INTERVAL_SECONDS: '1',
      RECEIPT_WINDOW_SECONDS: '30',
      NO_RECEIPT_WINDOW_SECONDS: '5',
      LOG_LEVEL: 'warn',
    });
    running.add(service);
    void service.exited.then(() => running.delete(service));
    await service.waitFor(/Bulk SMS service ready/, 60_000);
    return service;
  }

  async function kill(service: ServiceProcess): Promise<void> {
    service.child.kill('SIGKILL');
    await service.exited;
  }

  /** Resolves once the sandbox has accepted at least this share of the campaign's recipients. */
  async function providerHas(share: number): Promise<void> {
    await waitFor(`${share * 100} % of the recipients at the provider`, () =>
      Promise.resolve(sandbox.records.messageCount >= share * RECIPIENTS),
    );
  }

  /** How many instances submitted batches of the campaign. */
  async function submitterCount(campaignId: string): Promise<number> {
    const [row] = await sql<{ n: string }>(
      databaseUrl,
      `SELECT count(DISTINCT "submittedBy") AS n FROM "Batch" WHERE "campaignId" = '${campaignId}'`,
    );
    return Number(row.n);
  }

  async function sendCampaign(port: number): Promise<string> {
    const response = await graphql<{ sendBulk: { id: string } }>(
      `http://127.0.0.1:${port}`,
      API_KEY,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipients: usNumbers(RECIPIENTS, 0), text: 'crash drill', name: 'crash drill' } },
    );
    expect(response.errors).toBeUndefined();
    return response.data!.sendBulk.id;
  }

  async function expectSettledExactlyOnce(campaignId: string): Promise<void> {
    const diagnose = setTimeout(() => {
      void (async () => {
        const open = await sql(
          databaseUrl,
          `SELECT m.status, b.state, b."lastError", count(*) AS n FROM "Message" m LEFT JOIN "Batch" b ON b.id = m."batchId" WHERE m."campaignId" = '${campaignId}' AND m.status IN ('PENDING', 'SUBMITTED', 'QUEUED', 'SENT') GROUP BY 1, 2, 3`,
        );
        console.log('STILL OPEN', JSON.stringify(open), JSON.stringify(sandbox.stats().callbacks));
        for (const service of running) {
          console.log('SERVICE OUTPUT', service.output().slice(-3000));
        }
      })();
    }, scaledTimeout(90_000));
    await waitFor(
      'every recipient at a final status and the campaign completed',
      async () => {
        const [row] = await sql<{ open: string; status: string }>(
          databaseUrl,
          `SELECT (SELECT count(*) FROM "Message" WHERE "campaignId" = c.id AND status IN ('PENDING', 'SUBMITTED', 'QUEUED', 'SENT')) AS open, c.status
           FROM "Campaign" c WHERE c.id = '${campaignId}'`,
        );
        return Number(row.open) === 0 && row.status === 'COMPLETED';
      },
      240_000,
    ).finally(() => clearTimeout(diagnose));
    const numbers = usNumbers(RECIPIENTS, 0);
    const times = numbers.map((n) => sandbox.records.timesSubmitted(n));
    expect(sandbox.records.duplicates()).toEqual([]);
    const missing = numbers.filter((n) => sandbox.records.timesSubmitted(n) !== 1);
    if (missing.length > 0) {
      const rows = await sql(
        databaseUrl,
        `SELECT m.status, m."errorCode", b.state, b.attempts, b."reconcileAttempts", b."lastError" FROM "Message" m JOIN "Batch" b ON b.id = m."batchId" WHERE m."to" = '${missing[0]}'`,
      );
      console.log('NOT SUBMITTED ONCE', missing.length, JSON.stringify(rows));
    }
    expect(times.filter((n) => n !== 1).length).toBe(0);
    // Counters and the GROUP BY from one statement, so one snapshot: a completed campaign's messages
    // may still move (a failure report that arrives after the receipt window turns UNCONFIRMED into
    // FAILED), and two separate reads would compare the counters before such a change with the
    // messages after it.
    const [{ campaign, groups }] = await sql<{
      campaign: Record<string, unknown>;
      groups: Array<{ status: MessageStatus; n: number }>;
    }>(
      databaseUrl,
      `SELECT to_jsonb(c) AS campaign,
         (SELECT json_agg(g) FROM (SELECT status, count(*)::int AS n FROM "Message" WHERE "campaignId" = c.id GROUP BY status) g) AS groups
       FROM "Campaign" c WHERE c.id = '${campaignId}'`,
    );
    // Every counter, also those of statuses no message has (they must be 0).
    for (const status of Object.values(MessageStatus)) {
      const count = groups.find((g) => g.status === status)?.n ?? 0;
      expect({ status, count: campaign[status.toLowerCase()] }).toEqual({ status, count });
    }
    expect(campaign.total).toBe(RECIPIENTS);
    expect(campaign.status).toBe('COMPLETED');
  }

  it('should finish a 4,000-recipient campaign killed with SIGKILL three times, sending each recipient once', async () => {
    const port = await freePort();
    let service = await start(port);
    const campaignId = await sendCampaign(port);
    for (const share of [0.1, 0.35, 0.6]) {
      await providerHas(share);
      await kill(service);
      service = await start(port);
    }
    await expectSettledExactlyOnce(campaignId);
  });

  it('should share one campaign between two instances within the limits, one killed midway', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    await start(portA);
    const b = await start(portB, portA);
    const campaignId = await sendCampaign(portA);
    await providerHas(0.3);
    // Killed midway once it has taken part (an instance that was not woken by the sendBulk finds the
    // campaign at its next poll, by which time the other may have claimed the first batches).
    await waitFor('both instances submitting', async () => (await submitterCount(campaignId)) === 2);
    await kill(b);
    await expectSettledExactlyOnce(campaignId);
    const stats = sandbox.stats();
    expect(stats.requests.byStatus['429'] ?? 0).toBe(0);
    expect(await submitterCount(campaignId)).toBe(2);
  });
});
