/*
 * Just-in-time dispatch, measured: the built service (dist/src/main.js) runs as its own process on a
 * fresh PostgreSQL database against a standalone Plivo sandbox in this process (real-account mode,
 * PLIVO_API_URL), so the sandbox's records are the counting truth.
 *
 * 1. Drain rate: a 100,000-recipient campaign at 1,000 MPS (the sandbox sends at 1,000 MPS too).
 *    The rate is messages / (the sandbox's last send - its first acceptance); the floor beside it
 *    is what the sandbox itself can do in the same run: 100,000 / (100,000 / MPS) seconds = MPS.
 *    Zero 429 (API limit) and zero 420 (expired in the queue) are required.
 * 2. Control latency after cancel: a second campaign, cancelled 5 s after its first batch: how many
 *    of its messages reached the sandbox after the cancel answered, and how long until the sandbox
 *    had sent its last one (the cost stops then). The bound is MPS x (lead + claim interval).
 *
 *   npm run bench            (all benchmarks)
 *   node dist/bench/dispatch-control.js
 */
import { Client } from 'pg';
import { applyMigrations } from '../src/persistence/migrator';
import { PlivoSandbox } from '../src/sandbox/sandbox';
import { SandboxMessage } from '../src/sandbox/sandbox-message';
import { freePort, runService } from '../test/utils/service-process';
import { BenchResult } from './bench-result';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const API_KEY = 'sk_benchmark_key_0000000000000002';
const MPS = 1_000;
const LEAD_SECONDS = 10;
const POLL_MS = 100;
const DRAIN_RECIPIENTS = 100_000;
const CANCEL_RECIPIENTS = 100_000;
const SENDER = '+14155550100';

async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function numbers(count: number, offset: number): string[] {
  return Array.from({ length: count }, (_, i) => `+4474${String(10_000_000 + offset + i).slice(0, 8)}`);
}

async function graphql<T>(base: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) {
    throw new Error(JSON.stringify(body.errors));
  }
  return body.data!;
}

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function runDispatchControlBenchmark(): Promise<BenchResult[]> {
  const name = `bulk_sms_bench_${process.pid}_dispatch`;
  await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  await applyMigrations(databaseUrl);
  // GB numbers (receipts), instant delivery reports so that callbacks never lag behind sending.
  const sandbox = await new PlivoSandbox({ mps: MPS, dlrDelayMs: 0 }).start(0);
  const port = await freePort();
  const service = runService(
    {
      PORT: String(port),
      API_BASE_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: `/tmp/bulk-sms-bench-${port}`,
      DATABASE_URL: databaseUrl,
      API_KEY,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: process.env.SERVICE_NODE_OPTIONS ?? '--max-old-space-size=256',
      PLIVO_AUTH_ID: sandbox.authId,
      PLIVO_AUTH_TOKEN: sandbox.authToken,
      PLIVO_SENDER_ID: SENDER,
      PLIVO_API_URL: sandbox.apiUrl,
      PLIVO_WEBHOOK_SECRET: sandbox.webhookSecret,
      PLIVO_MPS: String(MPS),
      DISPATCH_LEAD_SECONDS: String(LEAD_SECONDS),
      DISPATCH_POLL_MS: String(POLL_MS),
    },
    require.resolve('../src/main.js'),
  );
  const base = `http://127.0.0.1:${port}`;
  const send = async (recipients: string[], text: string) =>
    (
      await graphql<{ sendBulk: { id: string } }>(
        base,
        'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
        { input: { recipients, text } },
      )
    ).sendBulk.id;
  try {
    await service.waitFor(/Bulk SMS service ready/, 60_000);

    // 1. Drain rate.
    const drain = numbers(DRAIN_RECIPIENTS, 0);
    await send(drain, 'Benchmark: drain');
    await until('every message sent by the sandbox', () => sentCount(sandbox, drain) === DRAIN_RECIPIENTS, 600_000);
    const drained = messagesTo(sandbox, drain);
    const firstAccepted = drained.reduce((min, m) => Math.min(min, m.queuedAt), Number.POSITIVE_INFINITY);
    const lastSent = drained.reduce((max, m) => Math.max(max, leftQueueAt(m)), 0);
    const drainRate = DRAIN_RECIPIENTS / ((lastSent - firstAccepted) / 1000);
    const stats = sandbox.stats();
    const tooMany = stats.requests.byStatus['429'] ?? 0;
    const expired = stats.messages.expired;

    // 2. Control latency after cancel.
    const cancelled = numbers(CANCEL_RECIPIENTS, 200_000);
    const id = await send(cancelled, 'Benchmark: cancel');
    await until('the first batch', () => acceptedCount(sandbox, cancelled) > 0, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await graphql(base, 'mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id });
    const cancelAnswered = Date.now();
    const atCancel = acceptedCount(sandbox, cancelled);
    const firstBatchAt = messagesTo(sandbox, cancelled).reduce((min, m) => Math.min(min, m.queuedAt), Infinity);
    const sinceFirst = (cancelAnswered - firstBatchAt) / 1000;
    await until(
      'the sandbox to send what it has',
      () => sentCount(sandbox, cancelled) === acceptedCount(sandbox, cancelled),
      120_000,
    );
    // Nothing more arrives: wait one more lead and check.
    await new Promise((resolve) => setTimeout(resolve, LEAD_SECONDS * 1000));
    const after = acceptedCount(sandbox, cancelled);
    const lastSentAfterCancel = messagesTo(sandbox, cancelled).reduce((max, m) => Math.max(max, leftQueueAt(m)), 0);

    return [
      {
        name: `drain rate, ${DRAIN_RECIPIENTS.toLocaleString('en-US')} recipients at ${MPS} MPS (lead ${LEAD_SECONDS} s)`,
        value: Math.round(drainRate),
        unit: 'messages/s',
        target: `>= ${0.95 * MPS} (floor: the sandbox's ${MPS} MPS)`,
      },
      { name: 'HTTP 429 answers during the drain', value: tooMany, unit: '', target: '0' },
      { name: 'messages expired in the queue (error 420)', value: expired, unit: '', target: '0' },
      {
        name: `at Plivo when the cancel answered, ${round(sinceFirst, 1)} s after the first batch`,
        value: atCancel,
        unit: 'messages',
        target: `<= ${Math.round(MPS * (LEAD_SECONDS + sinceFirst))} (MPS x (lead + ${round(sinceFirst, 1)} s))`,
      },
      {
        name: 'reached Plivo after the cancel answered',
        value: after - atCancel,
        unit: 'messages',
        target: `<= ${MPS * (LEAD_SECONDS + POLL_MS / 1000)} (MPS x (lead + poll))`,
      },
      {
        name: 'cost stops after cancel (last message sent by the sandbox)',
        value: round(Math.max(0, lastSentAfterCancel - cancelAnswered) / 1000),
        unit: 's',
        target: `<= ${LEAD_SECONDS + 1} s`,
      },
    ];
  } finally {
    service.child.kill('SIGTERM');
    await service.exited.catch(() => undefined);
    await sandbox.stop();
    await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
  }
}

/** The sandbox's messages to these numbers (one pass over its records: no per-number scan). */
function messagesTo(sandbox: PlivoSandbox, list: string[]): SandboxMessage[] {
  const digits = new Set(list.map((n) => n.replace(/^\+/, '')));
  const found: SandboxMessage[] = [];
  for (const submission of sandbox.records.submissions) {
    for (const uuid of submission.messageUuids) {
      const message = sandbox.records.message(uuid);
      if (message && digits.has(message.to)) {
        found.push(message);
      }
    }
  }
  return found;
}

function acceptedCount(sandbox: PlivoSandbox, list: string[]): number {
  return messagesTo(sandbox, list).length;
}

/** Messages that left the sandbox's MPS queue (sent, or failed/rejected at once). */
function sentCount(sandbox: PlivoSandbox, list: string[]): number {
  return messagesTo(sandbox, list).filter((m) => m.status !== 'queued').length;
}

function leftQueueAt(message: SandboxMessage): number {
  return message.sentAt ?? message.finalAt ?? 0;
}

if (require.main === module) {
  void runDispatchControlBenchmark().then(
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
