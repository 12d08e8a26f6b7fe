/*
 * Just-in-time dispatch, measured: the built service (dist/src/main.js) runs as its own process on a
 * fresh PostgreSQL database against a standalone Plivo sandbox in this process (real-account mode,
 * PLIVO_API_URL), so the sandbox's records are the counting truth.
 *
 * 1. Drain rate: campaigns of 1,000 / 10,000 / 100,000 / 1,000,000 recipients (BENCH_DRAIN_SIZES; the
 *    million takes 17 minutes at this rate: BENCH_DRAIN_SIZES=1000,10000,100000 leaves it out) at 1,000 MPS
 *    (the sandbox sends at 1,000 MPS too), with the service's CPU seconds per drain as the cost growth.
 *    The rate is messages / (the sandbox's last send - its first acceptance); the floor beside it
 *    is what the sandbox itself can do in the same run: 100,000 / (100,000 / MPS) seconds = MPS.
 *    Zero 429 (API limit) and zero 420 (expired in the queue) are required.
 * 2. Control latency after cancel: a second campaign, cancelled 5 s after its first batch: how many
 *    of its messages reached the sandbox after the cancel answered, and how long until the sandbox
 *    had sent its last one (the cost stops then). The bound is MPS x (lead + claim interval).
 *
 *   npm run bench            (all benchmarks)
 *   node dist/bench/dispatch-control.js
 *   SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' ...   (profile the service; NODE_OPTIONS refuses --cpu-prof)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations } from '../src/persistence/migrator';
import { PlivoSandbox } from '../src/sandbox/sandbox';
import { SandboxMessage } from '../src/sandbox/sandbox-message';
import { gbMobileNumbers, sandboxMessagesTo, BENCH_BRAKE_ENV } from './bench-sandbox';
import { START_NODE_OPTIONS, freePort, runService } from '../test/utils/service-process';
import { BenchResult, growthLines } from './bench-result';
import { graphql } from './bench-graphql';
import { sql } from './bench-sql';
import { cpuSeconds, cpuSpent, postgresCpuSeconds, rssMb } from './process-usage';
import { memorySplitLines, serviceMemorySplit } from './service-memory';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const API_KEY = 'sk_benchmark_key_0000000000000002';
const MPS = 1_000;
const LEAD_SECONDS = 10;
const POLL_MS = 100;
// The sandbox's default: callbacks on up to 256 connections at once, as a busy Plivo account sees.
const SANDBOX_CALLBACK_CONCURRENCY = 256;
const CANCEL_RECIPIENTS = 100_000;
const PGLITE_MEMORY_RECIPIENTS = 20_000;
const SENDER = '+14155550100';

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

/**
 * What a message costs to accept, send and follow through its status callbacks, in the service and in
 * PostgreSQL, and the sending rate that CPU would allow if this machine's cores did nothing else (the
 * sandbox, which plays Plivo, runs in the bench's process and is not counted). Beside the MPS: a ratio
 * under 1 means one instance on this machine could not keep up with a faster account.
 */
function drainCpuLines(size: number, drain: Drain): BenchResult[] {
  const serviceMs = (drain.cpuSeconds * 1000) / size;
  const databaseMs = (drain.databaseCpuSeconds * 1000) / size;
  const perMessageMs = serviceMs + databaseMs;
  const allowed = (cpus().length * 1000) / perMessageMs;
  const label = `the ${size.toLocaleString('en-US')}-recipient drain at ${MPS} MPS`;
  return [
    {
      name: `CPU per message during ${label}, ${round(drain.callbacks / size, 1)} status callbacks a message: service ${round(serviceMs, 3)} + PostgreSQL ${round(databaseMs, 3)} ms`,
      value: round(perMessageMs, 3),
      unit: 'ms',
      target: '-',
    },
    {
      name: `status callbacks waiting at the sandbox, most at once during ${label} (queued or on one of its ${SANDBOX_CALLBACK_CONCURRENCY} connections, sampled every 200 ms)`,
      value: drain.mostCallbacksWaiting,
      unit: 'callbacks',
      target: '-',
    },
    {
      name: `all status callbacks of ${label} answered, seconds after the sandbox sent its last message`,
      value: round(drain.callbacksAnsweredAfter, 1),
      unit: 's',
      target: '-',
    },
    {
      name: `status callbacks the service answered other than 200 during ${label} (503 when its intake is saturated; retried a minute later, as Plivo does)`,
      value: drain.refusedCallbacks,
      unit: '',
      target: '-',
    },
    {
      name: `messages/s that CPU would allow on this machine's ${cpus().length} cores (cores / CPU per message); floor: the MPS drained`,
      value: Math.round(allowed),
      unit: 'messages/s',
      target: '-',
      floor: MPS,
      ratio: round(allowed / MPS),
    },
  ];
}

interface Drain {
  /** Numbers the sandbox holds more than one message for (a batch sent twice): must be 0. */
  sentTwice: number;
  rate: number;
  cpuSeconds: number;
  /** Every PostgreSQL process's CPU over the same time (0 on PGlite, whose CPU is the service's). */
  databaseCpuSeconds: number;
  /** Status callbacks the sandbox delivered to the service meanwhile (Plivo sends 2-3 a message). */
  callbacks: number;
  /** Callback attempts the service answered with other than 2xx (503 when its intake is saturated): retried later. */
  refusedCallbacks: number;
  /** The sandbox's callbacks queued or in flight, at most, sampled every 200 ms: the service's backlog. */
  mostCallbacksWaiting: number;
  /** Seconds from the drain's last message sent to its last status callback answered (both seen by 500 ms polls). */
  callbacksAnsweredAfter: number;
  rssSamplesMb: number[];
}

/**
 * Drain benchmark on PostgreSQL (drain rate and its cost growth, then control latency after cancel),
 * or on the embedded PGlite: a 20,000-recipient campaign drained at 1,000 MPS with the service's RSS
 * sampled meanwhile (the steady state a newcomer sees).
 */
export async function runDispatchControlBenchmark(
  database: 'postgres' | 'pglite' = 'postgres',
): Promise<BenchResult[]> {
  const name = `bulk_sms_bench_${process.pid}_dispatch`;
  if (database === 'postgres') {
    await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await sql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  }
  const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  if (database === 'postgres') {
    await applyMigrations(databaseUrl);
  }
  // GB numbers (receipts), instant delivery reports so that callbacks never lag behind sending.
  const sandbox = await new PlivoSandbox({
    mps: MPS,
    dlrDelayMs: 0,
    callbackConcurrency: SANDBOX_CALLBACK_CONCURRENCY,
  }).start(0);
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-bench-'));
  const service = runService(
    {
      PORT: String(port),
      API_BASE_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      ...(database === 'postgres' && { DATABASE_URL: databaseUrl }),
      // Production with a real Plivo account refuses the embedded database unless told to run on it.
      ...(database === 'pglite' && { ALLOW_EMBEDDED_DB: 'true' }),
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
      DISPATCH_LEAD_SECONDS: String(LEAD_SECONDS),
      DISPATCH_POLL_MS: String(POLL_MS),
    },
    require.resolve('../src/main.js'),
    (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  const base = `http://127.0.0.1:${port}`;
  const send = async (recipients: string[], text: string) =>
    (
      await graphql<{ sendBulk: { id: string } }>(
        base,
        API_KEY,
        'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
        { input: { recipients, text } },
      )
    ).sendBulk.id;
  const pid = () => service.child.pid!;
  const callbacksWaiting = () => {
    const { queued, inFlight } = sandbox.stats().callbacks;
    return queued + inFlight;
  };
  let offset = 0;
  const drain = async (size: number): Promise<Drain> => {
    const list = gbMobileNumbers(size, offset);
    offset += size;
    const rssSamplesMb: number[] = [];
    let mostCallbacksWaiting = 0;
    let callbacksAnsweredAfter = 0;
    const sampler = setInterval(() => {
      rssSamplesMb.push(rssMb(pid()));
      mostCallbacksWaiting = Math.max(mostCallbacksWaiting, callbacksWaiting());
    }, 200);
    const cpuBefore = cpuSeconds(pid());
    const databaseCpuBefore = database === 'postgres' ? postgresCpuSeconds() : new Map<number, number>();
    const callbacksBefore = sandbox.stats().callbacks;
    const leftQueueBefore = messagesLeftQueue(sandbox);
    try {
      await send(list, `Benchmark: drain ${size}`);
      try {
        // The sandbox's counters first (cheap), then its records once they say the campaign is out: a pass
        // over a million records every half second would take the sandbox's own thread from its sending.
        await until(
          'every number sent to by the sandbox',
          () => messagesLeftQueue(sandbox) - leftQueueBefore >= size && sentNumbers(sandbox, list) === size,
          600_000 + size * 3,
        );
      } catch (error) {
        // Say what is stuck, from both sides, before the database is dropped.
        const diagnosis = [
          sandboxSummary(sandbox, list),
          database === 'postgres' ? await databaseSummary(databaseUrl) : '',
          `service output (last 2,000 characters): ${service.output().slice(-2_000)}`,
        ].join('\n');
        throw new Error(`${(error as Error).message} (drain of ${size})\n${diagnosis}`);
      }
      // The status callbacks of the last messages go out within moments (dlrDelayMs 0): wait until the
      // sandbox has none queued or in flight (a refused one waits for its retry, a minute later, and is
      // counted as refused), then a second for the last reports to be applied.
      const allSentAt = Date.now();
      await until("the sandbox's status callbacks to be answered", () => callbacksWaiting() === 0, 600_000);
      callbacksAnsweredAfter = (Date.now() - allSentAt) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      clearInterval(sampler);
    }
    const drained = sandboxMessagesTo(sandbox, list);
    const firstAccepted = drained.reduce((min, m) => Math.min(min, m.queuedAt), Number.POSITIVE_INFINITY);
    const lastSent = drained.reduce((max, m) => Math.max(max, leftQueueAt(m)), 0);
    return {
      sentTwice: drained.length - new Set(drained.map((m) => m.to)).size,
      rate: size / ((lastSent - firstAccepted) / 1000),
      cpuSeconds: cpuSeconds(pid()) - cpuBefore,
      databaseCpuSeconds: database === 'postgres' ? cpuSpent(databaseCpuBefore, postgresCpuSeconds()) : 0,
      callbacks: sandbox.stats().callbacks.succeeded - callbacksBefore.succeeded,
      refusedCallbacks: sandbox.stats().callbacks.failedAttempts - callbacksBefore.failedAttempts,
      mostCallbacksWaiting,
      callbacksAnsweredAfter,
      rssSamplesMb,
    };
  };
  try {
    await service.waitFor(/Bulk SMS service ready/, 120_000);
    if (database === 'pglite') {
      const size = PGLITE_MEMORY_RECIPIENTS;
      const { rate, cpuSeconds: cpu, rssSamplesMb } = await drain(size);
      const split = await serviceMemorySplit(pid(), base);
      const sorted = [...rssSamplesMb].sort((a, b) => a - b);
      // Steady state: the median sample while the campaign drains (acceptance and start-up excluded by the median).
      const steady = sorted[Math.floor(sorted.length / 2)] ?? 0;
      return [
        {
          name: `drain rate, ${size.toLocaleString('en-US')} recipients at ${MPS} MPS, PGlite; floor: the sandbox's MPS`,
          value: Math.round(rate),
          unit: 'messages/s',
          target: 'ratio >= 0.95',
          floor: MPS,
          ratio: round(rate / MPS),
        },
        {
          name: `service steady-state RSS (median, sampled every 200 ms) during a ${size.toLocaleString('en-US')}-recipient campaign, PGlite`,
          value: Math.round(steady),
          unit: 'MB',
          target: '< 300 MB',
        },
        {
          name: `service peak RSS during a ${size.toLocaleString('en-US')}-recipient campaign, PGlite`,
          value: Math.round(sorted[sorted.length - 1] ?? 0),
          unit: 'MB',
          target: '-',
        },
        ...memorySplitLines(split, 'after the campaign, PGlite'),
        {
          name: `service CPU seconds (user + system, PGlite's included) for the ${size.toLocaleString('en-US')}-recipient campaign`,
          value: round(cpu),
          unit: 's',
          target: '-',
        },
      ];
    }

    // 1. Drain rate, and its cost (the service's CPU seconds) from size to size.
    const drains: Array<{ size: number; drain: Drain }> = [];
    for (const size of (process.env.BENCH_DRAIN_SIZES ?? '1000,10000,100000,1000000').split(',').map(Number)) {
      drains.push({ size, drain: await drain(size) });
    }
    const stats = sandbox.stats();
    const tooMany = stats.requests.byStatus['429'] ?? 0;
    const expired = stats.messages.expired;
    const largest = drains[drains.length - 1];

    // 2. Control latency after cancel.
    const cancelled = gbMobileNumbers(CANCEL_RECIPIENTS, offset);
    const id = await send(cancelled, 'Benchmark: cancel');
    await until('the first batch', () => acceptedCount(sandbox, cancelled) > 0, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await graphql(base, API_KEY, 'mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id });
    const cancelAnswered = Date.now();
    const atCancel = acceptedCount(sandbox, cancelled);
    const firstBatchAt = sandboxMessagesTo(sandbox, cancelled).reduce((min, m) => Math.min(min, m.queuedAt), Infinity);
    const sinceFirst = (cancelAnswered - firstBatchAt) / 1000;
    await until(
      'the sandbox to send what it has',
      () => sentCount(sandbox, cancelled) === acceptedCount(sandbox, cancelled),
      120_000,
    );
    // Nothing more arrives: wait one more lead and check.
    await new Promise((resolve) => setTimeout(resolve, LEAD_SECONDS * 1000));
    const after = acceptedCount(sandbox, cancelled);
    const lastSentAfterCancel = sandboxMessagesTo(sandbox, cancelled).reduce(
      (max, m) => Math.max(max, leftQueueAt(m)),
      0,
    );

    return [
      ...drains.map(({ size, drain: { rate } }) => ({
        name: `drain rate, ${size.toLocaleString('en-US')} recipients at ${MPS} MPS (lead ${LEAD_SECONDS} s); floor: the sandbox's MPS`,
        value: Math.round(rate),
        unit: 'messages/s',
        target: 'ratio >= 0.95',
        floor: MPS,
        ratio: round(rate / MPS),
      })),
      ...growthLines(
        `cost growth: drain at ${MPS} MPS, service CPU seconds`,
        's',
        drains.map(({ size, drain }) => ({ size, value: round(drain.cpuSeconds) })),
      ),
      ...drainCpuLines(largest.size, largest.drain),
      {
        name: `service peak RSS during the ${largest.size.toLocaleString('en-US')}-recipient drain, PostgreSQL`,
        value: Math.round(Math.max(...largest.drain.rssSamplesMb)),
        unit: 'MB',
        target: '< 512 MB',
      },
      { name: 'HTTP 429 answers during the drains', value: tooMany, unit: '', target: '0' },
      {
        name: 'numbers sent to more than once during the drains',
        value: drains.reduce((sum, { drain }) => sum + drain.sentTwice, 0),
        unit: '',
        target: '0',
      },
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
    rmSync(dataDir, { recursive: true, force: true });
    if (database === 'postgres') {
      await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    }
  }
}

function acceptedCount(sandbox: PlivoSandbox, list: string[]): number {
  return sandboxMessagesTo(sandbox, list).length;
}

/** Messages of every campaign so far that left the sandbox's MPS queue, from its counters. */
function messagesLeftQueue(sandbox: PlivoSandbox): number {
  const { sent, delivered, undelivered, failed, rejected } = sandbox.stats().messages;
  return sent + delivered + undelivered + failed + rejected;
}

/** Numbers whose message left the sandbox's MPS queue (a number sent to twice counts once). */
function sentNumbers(sandbox: PlivoSandbox, list: string[]): number {
  return new Set(
    sandboxMessagesTo(sandbox, list)
      .filter((m) => m.status !== 'queued')
      .map((m) => m.to),
  ).size;
}

/** The sandbox's side of a drain: messages by status, and numbers it has more than one message for. */
function sandboxSummary(sandbox: PlivoSandbox, list: string[]): string {
  const messages = sandboxMessagesTo(sandbox, list);
  const byStatus: Record<string, number> = {};
  for (const message of messages) {
    byStatus[message.status] = (byStatus[message.status] ?? 0) + 1;
  }
  const numbers = new Set(messages.map((m) => m.to)).size;
  return `sandbox: ${messages.length} messages to ${numbers} of ${list.length} numbers, by status ${JSON.stringify(byStatus)}`;
}

/** The service's side: each campaign's status and why, its batches by state and holder (with an error), its messages by status. */
async function databaseSummary(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ line: string }>(
      `SELECT c.id || ' ' || c.status || coalesce(' (' || c."statusReason" || ')', '') || ' updated ' || c."updatedAt"::text
         || ' batches ' || coalesce((SELECT string_agg(state || coalesce(' held by ' || held, '') || ':' || n
              || coalesce(' (' || e || ')', ''), ' ')
              FROM (SELECT state, "heldBy" held, count(*) n, max("lastError") e FROM "Batch" b WHERE b."campaignId" = c.id
                    GROUP BY state, "heldBy") s), '-')
         || ' messages ' || coalesce((SELECT string_agg(status || ':' || n, ' ')
              FROM (SELECT status, count(*) n FROM "Message" m WHERE m."campaignId" = c.id GROUP BY status) s), '-') AS line
       FROM "Campaign" c ORDER BY c."createdAt"`,
    );
    return `database: ${rows.map((r) => r.line).join('; ')}`;
  } finally {
    await client.end();
  }
}

/** Messages that left the sandbox's MPS queue (sent, or failed/rejected at once). */
function sentCount(sandbox: PlivoSandbox, list: string[]): number {
  return sandboxMessagesTo(sandbox, list).filter((m) => m.status !== 'queued').length;
}

function leftQueueAt(message: SandboxMessage): number {
  return message.sentAt ?? message.finalAt ?? 0;
}

if (require.main === module) {
  void runDispatchControlBenchmark(process.argv[2] === 'pglite' ? 'pglite' : 'postgres').then(
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
