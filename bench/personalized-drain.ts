/*
 * Personalized drain: 100,000 recipients uploaded as a list (phone + name, 1,000 distinct names) and sent with
 * a template over the name, so 1,000 distinct texts of 100 recipients each (one request per text: batches
 * never mix texts). The built service runs as its own process on a fresh PostgreSQL database against a
 * standalone Plivo sandbox in this process (real-account mode), both at 500 MPS; delivery reports are
 * immediate (the sandbox's callback delay is 0), which does not change the sending rate.
 *
 * The rate is taken from the sandbox's own records: messages / (the sandbox's last send - its first
 * acceptance), beside the configured MPS as the floor (the sandbox sends no faster). BENCH_ROUNDS campaigns,
 * each to new numbers; every recipient must receive exactly its own text, once.
 *
 * Also printed: how fast requests reach the sandbox while Plivo's queue still has room. Until one lead
 * (MPS x DISPATCH_LEAD_SECONDS, 5,000 messages) is queued, the pacing grants every claim at once, so the
 * time the sandbox took to accept them gives the rate the dispatcher claims and submits at, beside the
 * 5 requests/s that 500 MPS needs at 100 recipients a request and the API budget's 60 requests/s (300 per
 * 5 s, shared).
 *
 *   npm run bench -- personalized-drain
 *   node dist/bench/personalized-drain.js [recipients]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { applyMigrations } from '../src/persistence/migrator';
import { PlivoSandbox } from '../src/sandbox/sandbox';
import { SandboxMessage } from '../src/sandbox/sandbox-message';
import { gbMobileNumbers, sandboxMessagesTo, BENCH_BRAKE_ENV } from './bench-sandbox';
import { START_NODE_OPTIONS, freePort, runService } from '../test/utils/service-process';
import { BENCH_ROUNDS, BenchResult, roundTo, withFloor } from './bench-result';
import { sql } from './bench-sql';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const API_KEY = 'sk_benchmark_key_0000000000000003';
const MPS = 500;
const DISTINCT_NAMES = 1_000;
const SENDER = '+14155550100';
const TEMPLATE = 'Hi {{ name }}, your order is ready for collection. Reply STOP to opt out.';
// The service's default DISPATCH_LEAD_SECONDS: Plivo's queue is kept at most this far ahead.
const LEAD_SECONDS = 10;
const API_REQUESTS_PER_SECOND = 300 / 5;

const nameOf = (i: number): string => `Guest ${i % DISTINCT_NAMES}`;

async function uploadList(base: string, phones: string[]): Promise<string> {
  const csv = ['phone,name', ...phones.map((phone, i) => `${phone},${nameOf(i)}`)].join('\n') + '\n';
  const response = await fetch(`${base}/api/recipient-lists`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', 'x-api-key': API_KEY },
    body: csv,
  });
  const body = (await response.json()) as { id: string; recipients: number };
  if (response.status !== 201 || body.recipients !== phones.length) {
    throw new Error(`upload failed: ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
  }
  return body.id;
}

async function sendList(base: string, listId: string): Promise<void> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify({
      query: 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      variables: { input: { recipientListId: listId, recipients: [], text: TEMPLATE } },
    }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) {
    throw new Error(JSON.stringify(body.errors));
  }
}

export async function runPersonalizedDrainBenchmark(size = 100_000): Promise<BenchResult[]> {
  const name = `bulk_sms_bench_${process.pid}_personalized_drain`;
  await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  await applyMigrations(databaseUrl);
  const sandbox = await new PlivoSandbox({ mps: MPS, dlrDelayMs: 0 }).start(0);
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-bench-'));
  const service = runService(
    {
      PORT: String(port),
      API_BASE_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      API_KEY,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: process.env.SERVICE_NODE_OPTIONS ?? START_NODE_OPTIONS,
      PLIVO_AUTH_ID: sandbox.authId,
      PLIVO_AUTH_TOKEN: sandbox.authToken,
      PLIVO_SENDER_ID: SENDER,
      PLIVO_API_URL: sandbox.apiUrl,
      PLIVO_WEBHOOK_SECRET: sandbox.webhookSecret,
      PLIVO_MPS: String(MPS),
      ...BENCH_BRAKE_ENV,
    },
    require.resolve('../src/main.js'),
  );
  const base = `http://127.0.0.1:${port}`;
  const label = size.toLocaleString('en-US');
  try {
    await service.waitFor(/Bulk SMS service ready/, 120_000);
    const results: BenchResult[] = [];
    for (let round = 1; round <= BENCH_ROUNDS; round++) {
      const phones = gbMobileNumbers(size, round * 1_000_000);
      const listId = await uploadList(base, phones);
      await sendList(base, listId);
      const deadline = Date.now() + 120_000 + (size / MPS) * 3_000;
      let sent: SandboxMessage[] = [];
      for (;;) {
        sent = sandboxMessagesTo(sandbox, phones);
        if (sent.length === size && sent.every((m) => m.status !== 'queued')) {
          break;
        }
        if (Date.now() > deadline) {
          throw new Error(`only ${sent.length} of ${size} messages reached the sandbox`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      const firstAccepted = sent.reduce((min, m) => Math.min(min, m.queuedAt), Number.POSITIVE_INFINITY);
      const lastAccepted = sent.reduce((max, m) => Math.max(max, m.queuedAt), 0);
      const lastSent = sent.reduce((max, m) => Math.max(max, m.sentAt ?? m.finalAt ?? 0), 0);
      const rate = size / ((lastSent - firstAccepted) / 1000);
      const perRequest = size / DISTINCT_NAMES;
      const leadMessages = Math.min(size, MPS * LEAD_SECONDS);
      const acceptedAt = sent.map((m) => m.queuedAt).sort((a, b) => a - b);
      const fillSeconds = (acceptedAt[leadMessages - 1] - firstAccepted) / 1000;
      const requestsPerSecond = leadMessages / perRequest / Math.max(fillSeconds, 0.001);
      const wrong = phones.filter((phone, i) => {
        const texts = sandbox.records.textsSentTo(phone);
        return texts.length !== 1 || texts[0] !== TEMPLATE.replace('{{ name }}', nameOf(i));
      }).length;
      const load = loadavg()[0].toFixed(1);
      console.error(
        `personalized drain round ${round}: ${Math.round(rate)} messages/s; accepted over ` +
          `${roundTo((lastAccepted - firstAccepted) / 1000, 1)} s, sent over ${roundTo((lastSent - firstAccepted) / 1000, 1)} s; ` +
          `${wrong} recipients without exactly their own text; load ${load}; the first lead ` +
          `(${leadMessages} messages, ${leadMessages / perRequest} requests) accepted in ${roundTo(fillSeconds, 2)} s: ` +
          `${roundTo(requestsPerSecond, 1)} requests/s against the ${MPS / perRequest}/s that ${MPS} MPS needs ` +
          `(API budget ceiling ${API_REQUESTS_PER_SECOND * perRequest} messages/s at ${perRequest} per request)`,
      );
      if (wrong > 0) {
        throw new Error(`${wrong} recipients did not receive exactly their own text once`);
      }
      results.push(
        withFloor(
          {
            name:
              `drain rate, ${label} personalized recipients (${DISTINCT_NAMES.toLocaleString('en-US')} distinct texts) ` +
              `at ${MPS} MPS, PostgreSQL, run ${round} (load ${load}); floor: the configured MPS`,
            value: Math.round(rate),
            unit: 'messages/s',
            target: 'ratio >= 0.95',
          },
          MPS,
        ),
        {
          name: `requests/s while Plivo's queue fills (the first ${leadMessages.toLocaleString('en-US')} messages), run ${round}`,
          value: roundTo(requestsPerSecond, 1),
          unit: 'requests/s',
          target: `>= ${MPS / perRequest} (${MPS} MPS at ${perRequest} per request)`,
        },
      );
    }
    const stats = sandbox.stats();
    results.push(
      {
        name: 'HTTP 429 answers during the personalized drains',
        value: stats.requests.byStatus['429'] ?? 0,
        unit: '',
        target: '0',
      },
      {
        name: 'messages expired in the queue (error 420), personalized drains',
        value: stats.messages.expired,
        unit: '',
        target: '0',
      },
    );
    return results;
  } finally {
    service.child.kill('SIGTERM');
    await service.exited.catch(() => undefined);
    await sandbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
  }
}

if (require.main === module) {
  void runPersonalizedDrainBenchmark(Number(process.argv[2] ?? 100_000)).then(
    (results) => {
      console.table(results);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
