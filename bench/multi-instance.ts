/*
 * Several instances on one PostgreSQL: the built service (dist/src/main.js) run as 1, 2 and 4
 * processes on the same fresh database, as a deployment behind a load balancer would.
 *
 * 1. Report intake: a seeded campaign of N messages in accepted batches; one load generator per
 *    instance (separate processes, 64 connections split between them) sends 2 signed reports per
 *    message, each instance getting its share. Measured: reports accepted per second over all
 *    instances, and reports applied per second (load start to every report applied, counters equal
 *    to a GROUP BY). The floor is the same run with one instance: the ratio is the scaling.
 * 2. Dispatch: one campaign sent through the first instance and drained by all of them at
 *    BENCH_MULTI_MPS (1,000) against a standalone sandbox in this process; the MPS budget is shared
 *    through the database, so the rate must stay at MPS (floor) whatever the number of instances, and
 *    the batches should be spread over the instances (the sandbox records which one called).
 *
 *   npm run bench -- multi-instance
 *   BENCH_INSTANCES=1,2,4 BENCH_MULTI_MESSAGES=20000 node dist/bench/multi-instance.js
 *
 * On a machine with fewer cores than instances plus PostgreSQL, instances compete for the same
 * cores: the figures then show where the wall is (docs/scaling.md), not what more machines give.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { DELIVERY_REPORT_PATH } from '../src/config/app-config.service';
import { PlivoSandbox } from '../src/sandbox/sandbox';
import { START_NODE_OPTIONS, freePort, runService, type ServiceProcess } from '../test/utils/service-process';
import { BenchResult, roundTo } from './bench-result';
import { BENCH_BRAKE_ENV } from './bench-sandbox';
import { migratedDatabase } from './bench-sql';
import type { LoadJob, LoadResult } from './delivery-report-load';
import { seed, waitApplied } from './delivery-reports';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const API_KEY = 'sk_benchmark_key_0000000000000003';
const PUBLIC_BASE = 'https://bench.example.test';
const SENDER = '+14155550100';
const CONNECTIONS = 64;
const INSTANCES = (process.env.BENCH_INSTANCES ?? '1,2,4').split(',').map(Number);
const MESSAGES = Number(process.env.BENCH_MULTI_MESSAGES ?? 20_000);
const MPS = Number(process.env.BENCH_MULTI_MPS ?? 1_000);

function freshDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  return migratedDatabase(ADMIN_URL, `bulk_sms_multi_${label}_${process.pid}_${Date.now()}`);
}

interface Instance {
  service: ServiceProcess;
  port: number;
  dataDir: string;
}

/** `count` service processes on one database; the first is ready before the others start (it migrates). */
async function startInstances(count: number, env: (port: number) => Record<string, string>): Promise<Instance[]> {
  const start = async (): Promise<Instance> => {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-multi-'));
    const service = runService(
      {
        PORT: String(port),
        DATA_DIR: dataDir,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        NODE_OPTIONS: START_NODE_OPTIONS,
        API_KEY,
        ...env(port),
      },
      require.resolve('../src/main.js'),
    );
    await service.waitFor(/Bulk SMS service ready/, 120_000);
    return { service, port, dataDir };
  };
  const first = await start();
  const rest = await Promise.all(Array.from({ length: count - 1 }, start));
  return [first, ...rest];
}

async function stopInstances(instances: Instance[]): Promise<void> {
  await Promise.all(
    instances.map(async ({ service, dataDir }) => {
      service.child.kill('SIGTERM');
      await service.exited.catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }),
  );
}

/** A load generator process (bench/delivery-report-load.ts), ready to go. */
function startLoad(job: LoadJob): Promise<() => Promise<LoadResult>> {
  const child = fork(path.join(__dirname, 'delivery-report-load.js'), [], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: { type: string; result?: LoadResult }) => {
      if (message.type === 'ready') {
        resolve(
          () =>
            new Promise((done) => {
              child.on('message', (m: { type: string; result?: LoadResult }) => m.type === 'result' && done(m.result!));
              child.send({ type: 'go' });
            }),
        );
      }
    });
    child.send({ type: 'job', job });
  });
}

interface IntakeRun {
  accepted: number;
  applied: number;
  p99Ms: number;
  shed: number;
}

/** Report intake over `count` instances; the messages are split between them in equal parts. */
async function runIntake(count: number, sandbox: PlivoSandbox): Promise<IntakeRun> {
  const database = await freshDatabase(`intake${count}`);
  try {
    const targets = await seed(database.url, MESSAGES);
    const instances = await startInstances(count, () => ({
      DATABASE_URL: database.url,
      API_BASE_URL: PUBLIC_BASE,
      PLIVO_AUTH_ID: sandbox.authId,
      PLIVO_AUTH_TOKEN: sandbox.authToken,
      PLIVO_SENDER_ID: SENDER,
      PLIVO_API_URL: sandbox.apiUrl,
      PLIVO_WEBHOOK_SECRET: sandbox.webhookSecret,
    }));
    try {
      const share = Math.ceil(targets.length / count);
      const loads = await Promise.all(
        instances.map(({ port }, i) =>
          startLoad({
            target: `http://127.0.0.1:${port}`,
            publicReportUrl: `${PUBLIC_BASE}${DELIVERY_REPORT_PATH}`,
            path: DELIVERY_REPORT_PATH,
            secret: sandbox.webhookSecret,
            connections: Math.max(1, Math.floor(CONNECTIONS / count)),
            messages: targets.slice(i * share, (i + 1) * share),
            // Each generator its own nonces: a nonce seen before is a replay, answered 200 and dropped.
            firstNonce: String(10_000_000_000_000_000_000n + BigInt(i) * 1_000_000_000n),
          }),
        ),
      );
      const started = performance.now();
      const results = await Promise.all(loads.map((go) => go()));
      const sentMs = Math.max(...results.map((r) => r.elapsedMs));
      const applied = await waitApplied(database.url, MESSAGES, 600_000);
      const appliedMs = performance.now() - started;
      const errors = results.reduce((sum, r) => sum + r.errors, 0);
      if (errors > 0 || !applied.ok) {
        throw new Error(`intake with ${count} instances invalid: ${errors} errors; ${applied.detail}`);
      }
      const ok = results.reduce((sum, r) => sum + (r.statuses['200'] ?? 0), 0);
      const run = {
        accepted: ok / (sentMs / 1000),
        applied: ok / (appliedMs / 1000),
        p99Ms: Math.max(...results.map((r) => r.p99Ms)),
        shed: results.reduce((sum, r) => sum + (r.statuses['503'] ?? 0), 0),
      };
      console.error(
        `[multi-instance intake ×${count}] ${Math.round(run.accepted)} reports/s accepted, ` +
          `${Math.round(run.applied)}/s applied, p99 ${run.p99Ms.toFixed(1)} ms, 503: ${run.shed}, load ${loadavg()[0].toFixed(1)}`,
      );
      return run;
    } finally {
      await stopInstances(instances);
    }
  } finally {
    await database.drop();
  }
}

interface DispatchRun {
  rate: number;
  /** Fraction of the batches each instance submitted, largest first. */
  shares: number[];
}

/** One campaign sent through the first instance, drained by all `count` of them. */
async function runDispatch(count: number): Promise<DispatchRun> {
  const database = await freshDatabase(`dispatch${count}`);
  const sandbox = await new PlivoSandbox({ mps: MPS, dlrDelayMs: 0 }).start(0);
  try {
    const instances = await startInstances(count, (port) => ({
      DATABASE_URL: database.url,
      API_BASE_URL: `http://127.0.0.1:${port}`,
      PLIVO_AUTH_ID: sandbox.authId,
      PLIVO_AUTH_TOKEN: sandbox.authToken,
      PLIVO_SENDER_ID: SENDER,
      PLIVO_API_URL: sandbox.apiUrl,
      PLIVO_WEBHOOK_SECRET: sandbox.webhookSecret,
      PLIVO_MPS: String(MPS),
      ...BENCH_BRAKE_ENV,
      DISPATCH_LEAD_SECONDS: '10',
      DISPATCH_POLL_MS: '100',
    }));
    try {
      const recipients = Array.from({ length: MESSAGES }, (_, i) => `+4474${String(10_000_000 + i).slice(0, 8)}`);
      const response = await fetch(`http://127.0.0.1:${instances[0].port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({
          query: 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
          variables: { input: { recipients, text: `Benchmark: ${count} instances` } },
        }),
      });
      const body = (await response.json()) as { errors?: unknown };
      if (body.errors) {
        throw new Error(JSON.stringify(body.errors));
      }
      const deadline = Date.now() + 600_000;
      const left = () => sandbox.records.messageCount < MESSAGES || sandbox.stats().messages.queued > 0;
      while (left()) {
        if (Date.now() > deadline) {
          throw new Error(`dispatch with ${count} instances: ${sandbox.records.messageCount} of ${MESSAGES} accepted`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const submissions = sandbox.records.submissions;
      let first = Number.POSITIVE_INFINITY;
      let last = 0;
      const byInstance = new Map<string, number>();
      for (const submission of submissions) {
        first = Math.min(first, submission.receivedAt.getTime());
        for (const uuid of submission.messageUuids) {
          const message = sandbox.records.message(uuid);
          last = Math.max(last, message?.sentAt ?? message?.finalAt ?? 0);
        }
        const caller = new URL(submission.callbackUrl ?? 'http://unknown').port;
        byInstance.set(caller, (byInstance.get(caller) ?? 0) + 1);
      }
      const duplicates = sandbox.records.duplicates().length;
      if (duplicates > 0) {
        throw new Error(`dispatch with ${count} instances sent ${duplicates} numbers twice`);
      }
      const run = {
        rate: MESSAGES / ((last - first) / 1000),
        shares: [...byInstance.values()].map((n) => n / submissions.length).sort((a, b) => b - a),
      };
      console.error(
        `[multi-instance dispatch ×${count}] ${Math.round(run.rate)} messages/s at ${MPS} MPS; batches per instance ` +
          `${run.shares.map((s) => `${Math.round(s * 100)} %`).join(' / ')}, load ${loadavg()[0].toFixed(1)}`,
      );
      return run;
    } finally {
      await stopInstances(instances);
    }
  } finally {
    await sandbox.stop();
    await database.drop();
  }
}

/** Intake for every instance count (the single instance is the floor), then dispatch for each. */
export async function runMultiInstanceBenchmark(): Promise<BenchResult[]> {
  const signingSandbox = await new PlivoSandbox({ mps: MPS }).start(0);
  const intake = new Map<number, IntakeRun>();
  try {
    for (const count of INSTANCES) {
      intake.set(count, await runIntake(count, signingSandbox));
    }
  } finally {
    await signingSandbox.stop();
  }
  const dispatch = new Map<number, DispatchRun>();
  for (const count of INSTANCES) {
    dispatch.set(count, await runDispatch(count));
  }
  const single = intake.get(INSTANCES[0])!;
  const results: BenchResult[] = [];
  for (const [count, run] of intake) {
    results.push(
      {
        name: `delivery reports accepted, ${count} instance(s) on one PostgreSQL (${MESSAGES.toLocaleString('en-US')} messages, ${CONNECTIONS} connections); floor: ${INSTANCES[0]} instance, same run`,
        value: Math.round(run.accepted),
        unit: 'reports/s',
        target: '-',
        floor: Math.round(single.accepted),
        ratio: roundTo(run.accepted / single.accepted, 2),
      },
      {
        name: `delivery reports applied, ${count} instance(s); floor: ${INSTANCES[0]} instance, same run`,
        value: Math.round(run.applied),
        unit: 'reports/s',
        target: '-',
        floor: Math.round(single.applied),
        ratio: roundTo(run.applied / single.applied, 2),
      },
      {
        name: `delivery report latency p99, ${count} instance(s)`,
        value: roundTo(run.p99Ms, 1),
        unit: 'ms',
        target: '-',
      },
    );
  }
  for (const [count, run] of dispatch) {
    results.push({
      name: `drain rate, ${count} instance(s) sharing ${MPS} MPS (batches per instance: ${run.shares.map((s) => `${Math.round(s * 100)} %`).join(' / ')}); floor: the MPS`,
      value: Math.round(run.rate),
      unit: 'messages/s',
      target: 'ratio >= 0.95',
      floor: MPS,
      ratio: roundTo(run.rate / MPS, 2),
    });
  }
  return results;
}

if (require.main === module) {
  void runMultiInstanceBenchmark().then(
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
