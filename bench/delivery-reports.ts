/*
 * Delivery-report webhook benchmark: the app (AppModule + DeliveryReportsModule, bootstrapped like
 * src/bootstrap.ts) on a fresh PostgreSQL database or the embedded PGlite, a campaign of N messages in accepted batches,
 * and a load generator in a SEPARATE process sending 2 signed form-encoded reports per message
 * (sent, delivered) over 64 keep-alive connections. Measures accepted reports/s, p50/p99 latency,
 * and the time until every report is applied (counters equal to a GROUP BY).
 *
 * Ours alternates with its floor (a bare node:http server verifying the same V3 signatures with the
 * same code, under the same load generator and connections), BENCH_ROUNDS times (default 2).
 *
 *   npm run bench -- delivery-reports          (PostgreSQL and PGlite)
 *   node dist/bench/delivery-reports.js [postgres|pglite] [messages] [connections=64]
 *
 * BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server;
 * BENCH_LOG_LEVEL (default warn) the app's log level; BENCH_MAX_IN_FLIGHT the group-commit statements
 * in flight (default 1); BENCH_METRICS=1 prints the delivery-report metrics after the run.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { LoadJob, LoadResult } from './delivery-report-load';
import { BENCH_ROUNDS, BenchResult, alternate, withFloor } from './bench-result';
import { recordBatchIdRanges } from './bench-sql';
import { startBareSignatureServer } from './floors/bare-signature-server';
import { cpuSpent, postgresCpuSeconds } from './process-usage';

export type { BenchResult };

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const PUBLIC_BASE = 'https://bench.example.test';
const SECRET = 'bench-webhook-secret-0001';
const BATCH = 1000;
const FLOOR_PATH = '/webhooks/floor';

/**
 * Compiled to an arbitrary --outDir, the code finds the project root (migrations) by looking for
 * package.json upwards: point it at the real project.
 */
function ensureProjectLayout(): void {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      const outRoot = path.dirname(__dirname);
      const project = process.env.NODE_PATH
        ? path.dirname(process.env.NODE_PATH.split(path.delimiter)[0])
        : process.cwd();
      mkdirSync(outRoot, { recursive: true });
      writeFileSync(path.join(outRoot, 'package.json'), '{"private":true}\n');
      if (!existsSync(path.join(outRoot, 'prisma'))) {
        symlinkSync(path.join(project, 'prisma'), path.join(outRoot, 'prisma'));
      }
      return;
    }
    dir = parent;
  }
}

export async function seed(url: string, messages: number): Promise<Array<{ batchId: string; to: string }>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const {
      rows: [account],
    } = await client.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'bench') RETURNING id`,
    );
    const {
      rows: [campaign],
    } = await client.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost", "startedAt")
       VALUES ($1, 'SENDING', 'bench', '+14155550100', 'GSM7', 1, 0, now()) RETURNING id`,
      [account.id],
    );
    const batches = Math.ceil(messages / BATCH);
    const { rows: batchRows } = await client.query<{ id: string; sequence: number }>(
      `INSERT INTO "Batch" ("campaignId", sequence, "recipientCount", state, attempts, "submittedAt", "acceptedAt")
       SELECT $1, s, $2, 'ACCEPTED', 1, now(), now() FROM generate_series(0, $3 - 1) s RETURNING id, sequence`,
      [campaign.id, BATCH, batches],
    );
    const batchIds = batchRows.sort((a, b) => a.sequence - b.sequence).map((b) => b.id);
    await client.query(
      `INSERT INTO "Message" ("campaignId", "batchId", "to", country, status, "submittedAt")
       SELECT $1, ($2::uuid[])[i / ${BATCH} + 1], '+447700' || lpad(i::text, 6, '0'), 'GB', 'SUBMITTED', now()
       FROM generate_series(0, $3 - 1) i`,
      [campaign.id, batchIds, messages],
    );
    await recordBatchIdRanges(client, campaign.id);
    return Array.from({ length: messages }, (_, i) => ({
      batchId: batchIds[Math.floor(i / BATCH)],
      to: `+447700${String(i).padStart(6, '0')}`,
    }));
  } finally {
    await client.end();
  }
}

export async function waitApplied(
  url: string,
  messages: number,
  timeoutMs: number,
): Promise<{ ok: boolean; detail: string }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{
        unapplied: number;
        delivered: number;
        counter: number;
        cost: string;
        sum: string;
      }>(
        `SELECT (SELECT count(*)::int FROM "DeliveryReport" WHERE "appliedAt" IS NULL) AS unapplied,
                (SELECT count(*)::int FROM "Message" WHERE status = 'DELIVERED') AS delivered,
                (SELECT delivered FROM "Campaign" LIMIT 1) AS counter,
                (SELECT "actualCost"::text FROM "Campaign" LIMIT 1) AS cost,
                (SELECT coalesce(sum(amount), 0)::numeric(18,5)::text FROM "Message") AS sum`,
      );
      const r = rows[0];
      if (r.unapplied === 0 && r.delivered === messages && r.counter === messages) {
        return {
          ok: r.cost === r.sum,
          detail: `delivered=${r.delivered} counter=${r.counter} actualCost=${r.cost} sum=${r.sum}`,
        };
      }
      if (Date.now() > deadline) {
        return { ok: false, detail: `timed out: ${JSON.stringify(r)}` };
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await client.end();
  }
}

export function startLoad(job: LoadJob): Promise<{ go: () => Promise<LoadResult> }> {
  const child = fork(path.join(__dirname, 'delivery-report-load.js'), [], { stdio: 'inherit' });
  return new Promise((resolveReady, rejectReady) => {
    child.once('error', rejectReady);
    child.on('message', (message: { type: string }) => {
      if (message.type === 'ready') {
        resolveReady({
          go: () =>
            new Promise((resolveResult) => {
              child.on('message', (m: { type: string; result?: LoadResult }) => {
                if (m.type === 'result') {
                  resolveResult(m.result!);
                }
              });
              child.send({ type: 'go' });
            }),
        });
      }
    });
    child.send({ type: 'job', job });
  });
}

export type BenchDatabase = 'postgres' | 'pglite';

interface OursRun {
  load: LoadResult;
  appliedPerSecond: number;
  applyLagMs: number;
  /** CPU ms from the load's start until all was applied: this process (the service), and PostgreSQL's processes. */
  serviceCpuMs: number;
  databaseCpuMs: number;
}

interface FloorRun {
  load: LoadResult;
  serverCpuMs: number;
}

/** One run of ours: a fresh database, the app, a seeded campaign, and the load until all is applied. */
async function runOurs(database: BenchDatabase, messages: number, connections: number): Promise<OursRun> {
  const { applyMigrations } = await import('../src/persistence/migrator');
  const { createDeliveryReportBenchApp } = await import('./delivery-report-bench-app');
  let url: string | undefined;
  let dropDatabase = (): Promise<void> => Promise.resolve();
  if (database === 'postgres') {
    const name = `bulk_sms_dr_bench_${process.pid}_${Date.now()}`;
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    await applyMigrations(url);
    dropDatabase = async () => {
      const client = new Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    };
  }
  try {
    const app = await createDeliveryReportBenchApp(
      {
        ...(url !== undefined && { DATABASE_URL: url }),
        API_BASE_URL: PUBLIC_BASE,
        PLIVO_WEBHOOK_SECRET: SECRET,
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      },
      process.env.BENCH_MAX_IN_FLIGHT ? { maxInFlight: Number(process.env.BENCH_MAX_IN_FLIGHT) } : {},
    );
    try {
      const targets = await seed(app.databaseUrl, messages);
      const load = await startLoad({
        target: app.baseUrl,
        publicReportUrl: `${PUBLIC_BASE}${app.path}`,
        path: app.path,
        secret: SECRET,
        connections,
        messages: targets,
      });
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const databaseCpuBefore = database === 'postgres' ? postgresCpuSeconds() : new Map<number, number>();
      const result = await load.go();
      const applied = await waitApplied(app.databaseUrl, messages, 600_000);
      const allAppliedMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const databaseCpuMs = database === 'postgres' ? cpuSpent(databaseCpuBefore, postgresCpuSeconds()) * 1000 : 0;
      if (process.env.BENCH_METRICS) {
        const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
        console.error(
          text
            .split('\n')
            .filter((l) => /delivery_report.*(_sum|_count) |reports_applied_total/.test(l))
            .join('\n'),
        );
      }
      console.error(
        `[delivery-reports ${database}] ${result.sent} reports, statuses ${JSON.stringify(result.statuses)}, ` +
          `sent in ${result.elapsedMs.toFixed(0)} ms, all applied after ${allAppliedMs.toFixed(0)} ms; ` +
          `p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms; ${applied.detail}`,
      );
      if (result.errors > 0 || !applied.ok) {
        throw new Error(`Benchmark run invalid: ${result.errors} errors; ${applied.detail}`);
      }
      return {
        load: result,
        appliedPerSecond: accepted(result) / (allAppliedMs / 1000),
        applyLagMs: allAppliedMs - result.elapsedMs,
        serviceCpuMs: (cpu.user + cpu.system) / 1000,
        databaseCpuMs,
      };
    } finally {
      await app.close();
    }
  } finally {
    await dropDatabase();
  }
}

/** One run of the floor: the bare verifying server under the same load generator and connections. */
async function runFloor(messages: number, connections: number): Promise<FloorRun> {
  const server = await startBareSignatureServer(PUBLIC_BASE, SECRET);
  try {
    const targets = Array.from({ length: messages }, (_, i) => ({
      batchId: randomUUID(),
      to: `+447700${String(i).padStart(6, '0')}`,
    }));
    const load = await startLoad({
      target: server.baseUrl,
      publicReportUrl: `${PUBLIC_BASE}${FLOOR_PATH}`,
      path: FLOOR_PATH,
      secret: SECRET,
      connections,
      messages: targets,
    });
    const cpuBefore = process.cpuUsage();
    const result = await load.go();
    const cpu = process.cpuUsage(cpuBefore);
    console.error(
      `[delivery-reports floor] ${result.sent} reports, statuses ${JSON.stringify(result.statuses)}, ` +
        `sent in ${result.elapsedMs.toFixed(0)} ms; p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms`,
    );
    if (result.errors > 0) {
      throw new Error(`Floor run invalid: ${JSON.stringify(result.statuses)}`);
    }
    return { load: result, serverCpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await server.close();
  }
}

/**
 * Ours and the bare floor in turn, BENCH_ROUNDS times (default 2), each line with both runs' figures.
 * Goals: accepted >= 0.6x the floor with p99 < 50 ms on PostgreSQL; >= 0.3x with p99 < 200 ms on PGlite.
 */
export async function runDeliveryReportBenchmark(
  database: BenchDatabase = 'postgres',
  messages = database === 'postgres' ? 10_000 : 3_000,
  connections = 64,
): Promise<BenchResult[]> {
  ensureProjectLayout();
  const label = database === 'postgres' ? 'PostgreSQL' : 'PGlite';
  const goal = database === 'postgres' ? { ratio: 0.6, p99: 50 } : { ratio: 0.3, p99: 200 };
  const runs = await alternate(
    BENCH_ROUNDS,
    () => runOurs(database, messages, connections),
    () => runFloor(messages, connections),
  );
  const results: BenchResult[] = [];
  const cores = cpus().length;
  runs.forEach(({ ours, floor }, index) => {
    const run = `run ${index + 1}`;
    const floorRate = floor.load.sent / (floor.load.elapsedMs / 1000);
    // CPU per report of every process involved: ours needs the database's on the same cores too.
    const oursReports = accepted(ours.load);
    const perReport = (ms: number, reports: number): number => round((ms * 1000) / reports);
    const service = perReport(ours.serviceCpuMs, oursReports);
    const databaseCpu = perReport(ours.databaseCpuMs, oursReports);
    const oursLoad = perReport(ours.load.cpuMs, oursReports);
    const oursCpu = round(service + databaseCpu + oursLoad);
    const floorServer = perReport(floor.serverCpuMs, floor.load.sent);
    const floorLoad = perReport(floor.load.cpuMs, floor.load.sent);
    const floorCpu = round(floorServer + floorLoad);
    results.push(
      withFloor(
        {
          name: `delivery reports accepted (HTTP 200, durable), ${label}, ${run}; floor: bare node:http verifying V3`,
          value: Math.round(accepted(ours.load) / (ours.load.elapsedMs / 1000)),
          unit: 'reports/s',
          target: `ratio >= ${goal.ratio}`,
        },
        floorRate,
      ),
      withFloor(
        {
          name: `delivery report latency p99, ${label}, ${run} (${connections} connections)`,
          value: round(ours.load.p99Ms),
          unit: 'ms',
          target: `< ${goal.p99} ms`,
        },
        floor.load.p99Ms,
      ),
      withFloor(
        {
          name: `delivery reports applied (load start to all applied), ${label}, ${run}`,
          value: Math.round(ours.appliedPerSecond),
          unit: 'reports/s',
          target: '-',
        },
        floorRate,
      ),
      withFloor(
        {
          name:
            `CPU per accepted report, ${label}, ${run}: service ${service} + ` +
            (database === 'postgres' ? `PostgreSQL ${databaseCpu} + ` : '') +
            `load generator ${oursLoad} µs; floor: bare server ${floorServer} + load generator ${floorLoad} µs`,
          value: oursCpu,
          unit: 'µs',
          target: '-',
        },
        floorCpu,
      ),
      withFloor(
        {
          name: `most reports/s ours could take on this machine's ${cores} cores (cores / CPU per report), ${label}, ${run}; floor: the bare server's measured rate`,
          value: Math.round((cores * 1_000_000) / oursCpu),
          unit: 'reports/s',
          target: '-',
        },
        floorRate,
      ),
      {
        name: `reports answered 503 (load shed; Plivo retries them), ${label}, ${run}`,
        value: ours.load.statuses['503'] ?? 0,
        unit: '',
        target: '-',
      },
      {
        name: `apply lag after the last answer, ${label}, ${run}`,
        value: Math.round(ours.applyLagMs),
        unit: 'ms',
        target: '-',
      },
    );
  });
  return results;
}

/** Reports answered 200 (the rest were shed with 503). */
function accepted(load: LoadResult): number {
  return load.statuses['200'] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

if (require.main === module) {
  const database: BenchDatabase = process.argv[2] === 'pglite' ? 'pglite' : 'postgres';
  const [messages, connections] = process.argv.slice(3).map(Number);
  runDeliveryReportBenchmark(database, messages || undefined, connections || undefined)
    .then((results) => {
      console.table(results);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
