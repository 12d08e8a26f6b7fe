/*
 * Acceptance benchmark of sendBulk: the built service (dist/src/main.js) runs as its own process on
 * a fresh PostgreSQL database, or on its embedded PGlite, and a client in this process sends
 * campaigns of 1,000 / 10,000 / 100,000 / 1,000,000 recipients (PGlite: up to 100,000), measuring
 * the time until the mutation answers, the service's RSS (sampled every 50 ms) and the slowest
 * /health answer (probed every 50 ms from a thread of its own, bench/health-probe.ts) meanwhile. The
 * request body is encoded before the clock starts.
 *
 * Each size alternates with its floor (bench/floors/send-bulk-floor.ts: libphonenumber-js on every
 * core with worker threads, or a multi-row INSERT of the same rows into the same kind of database,
 * whichever is slower), BENCH_ROUNDS times (default 2); then the cost growth from size to size.
 *
 *   npm run bench -- send-bulk
 *   node dist/bench/send-bulk.js [postgres|pglite]        BENCH_SIZES=1000,10000 to choose sizes
 *   SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' ...   (profile the service; NODE_OPTIONS refuses --cpu-prof)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedPostgres } from '../src/persistence/embedded-postgres';
import { applyMigrations } from '../src/persistence/migrator';
import { START_NODE_OPTIONS, ServiceProcess, freePort, runService } from '../test/utils/service-process';
import { BENCH_ROUNDS, BenchResult, alternate, growthLines, roundTo, withFloor } from './bench-result';
import { sql } from './bench-sql';
import { startHealthProbe } from './health-probe';
import { cpuSeconds, cpuSpent, postgresCpuSeconds, rssMb } from './process-usage';
import type { BenchDatabase } from './delivery-reports';
import { SendBulkFloor, measureSendBulkFloor } from './floors/send-bulk-floor';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const API_KEY = 'sk_benchmark_key_0000000000000001';

/** Distinct valid numbers over several countries, like a real upload (E.164 and national formats). */
function recipients(count: number): string[] {
  const list = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    switch (i % 4) {
      case 0:
        list[i] = `+1415${2000000 + i}`;
        break;
      case 1:
        list[i] = `+1212${2000000 + i}`;
        break;
      case 2:
        list[i] = `+4474${String(10000000 + i).slice(0, 8)}`;
        break;
      default:
        list[i] = `+4915${String(100000000 + i).slice(0, 9)}`;
    }
  }
  return list;
}

/** A database for one role (the service, or the floor), created now and dropped by `drop`. */
interface BenchDb {
  /** Unset for the service on PGlite: it starts its own in DATA_DIR. */
  url?: string;
  drop(): Promise<void>;
}

async function postgresDb(role: string): Promise<BenchDb & { url: string }> {
  const name = `bulk_sms_bench_${process.pid}_${role}`;
  await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  await applyMigrations(url);
  return { url, drop: () => sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** PGlite in this process, served on its socket exactly as the service serves its own. */
async function pgliteDb(): Promise<BenchDb & { url: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-floor-'));
  const embedded = new EmbeddedPostgres();
  const url = await embedded.start(dir, 8);
  await applyMigrations(url);
  return {
    url,
    drop: async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Acceptance {
  seconds: number;
  peakRssMb: number;
  worstHealthMs: number;
  /** CPU seconds of the service process and of PostgreSQL's processes (0 on PGlite: it is the service's). */
  serviceCpu: number;
  databaseCpu: number;
}

/** The floor with its CPU: this process (the validation workers; PGlite's too) and the insert's PostgreSQL backend. */
type MeasuredFloor = SendBulkFloor & { processCpu: number; databaseCpu: number };

async function measureFloorCpu(databaseUrl: string, inputs: readonly string[]): Promise<MeasuredFloor> {
  const before = process.cpuUsage();
  const floor = await measureSendBulkFloor(databaseUrl, inputs);
  const cpu = process.cpuUsage(before);
  return { ...floor, processCpu: (cpu.user + cpu.system) / 1e6, databaseCpu: floor.insertBackendCpu };
}

async function accept(
  service: ServiceProcess,
  base: string,
  count: number,
  database: BenchDatabase,
): Promise<Acceptance> {
  // Encoded before the clock starts: the client's JSON.stringify is not the service's time.
  const body = sendBulkBody({
    recipients: recipients(count),
    text: 'Benchmark: your parcel arrives tomorrow between 9 and 12.',
    scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  let peakRssMb = 0;
  const rssSampler = setInterval(() => {
    if (service.child.exitCode === null) {
      peakRssMb = Math.max(peakRssMb, rssMb(service.child.pid!));
    }
  }, 50);
  const probe = await startHealthProbe(base, 50);
  const started = performance.now();
  const serviceCpuBefore = cpuSeconds(service.child.pid!);
  const databaseCpuBefore = database === 'postgres' ? postgresCpuSeconds() : new Map<number, number>();
  let result: { total: number };
  try {
    result = await post(base, body);
  } catch (error) {
    clearInterval(rssSampler);
    await probe.stop();
    throw new Error(
      `sendBulk of ${count} failed (${error instanceof Error ? error.message : String(error)}); service exit code ` +
        `${service.child.exitCode}, last output:\n${service.output().slice(-2_000)}`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const serviceCpu = cpuSeconds(service.child.pid!) - serviceCpuBefore;
  const databaseCpu = database === 'postgres' ? cpuSpent(databaseCpuBefore, postgresCpuSeconds()) : 0;
  clearInterval(rssSampler);
  const worstHealthMs = (await probe.stop()).slowestMs;
  peakRssMb = Math.max(peakRssMb, rssMb(service.child.pid!));
  if (result.total !== count) {
    throw new Error(`expected ${count} accepted recipients, got ${JSON.stringify(result)}`);
  }
  return { seconds, peakRssMb, worstHealthMs, serviceCpu, databaseCpu };
}

function sendBulkBody(input: Record<string, unknown>): Buffer {
  return Buffer.from(
    JSON.stringify({
      query: 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id progress { total } } }',
      variables: { input },
    }),
  );
}

async function post(base: string, body: Buffer): Promise<{ total: number }> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body,
  });
  const json = (await response.json()) as { data?: { sendBulk: { progress: { total: number } } }; errors?: unknown };
  if (!json.data) {
    throw new Error(`sendBulk failed: ${JSON.stringify(json.errors)}`);
  }
  return json.data.sendBulk.progress;
}

export async function runSendBulkBenchmark(database: BenchDatabase = 'postgres'): Promise<BenchResult[]> {
  const label = database === 'postgres' ? 'PostgreSQL' : 'PGlite';
  const defaultSizes = database === 'postgres' ? '1000,10000,100000,1000000' : '1000,10000,100000';
  const sizes = (process.env.BENCH_SIZES ?? defaultSizes).split(',').map(Number);
  const serviceDb: BenchDb = database === 'postgres' ? await postgresDb('service') : { drop: () => Promise.resolve() };
  const floorDb = database === 'postgres' ? await postgresDb('floor') : await pgliteDb();
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-bench-'));
  const service = runService(
    {
      PORT: String(port),
      DATA_DIR: dataDir,
      ...(serviceDb.url !== undefined && { DATABASE_URL: serviceDb.url }),
      API_KEY,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      // The service's default unless set (on with PostgreSQL, off on PGlite): BENCH_WORKER_THREADS_READY=false
      // measures the first large campaign on threads started for it.
      ...(process.env.BENCH_WORKER_THREADS_READY && { WORKER_THREADS_READY: process.env.BENCH_WORKER_THREADS_READY }),
      // The V8 flags of `npm start` (package.json), unless overridden.
      NODE_OPTIONS: process.env.SERVICE_NODE_OPTIONS ?? START_NODE_OPTIONS,
      // Measure acceptance alone: the dispatcher waits (nothing is due before the schedule).
    },
    require.resolve('../src/main.js'),
    (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  const results: BenchResult[] = [];
  const growth: Array<{ size: number; value: number }> = [];
  const floorGrowth: Array<{ size: number; value: number }> = [];
  try {
    await service.waitFor(/Bulk SMS service ready/, 120_000);
    const base = `http://127.0.0.1:${port}`;
    // Warm up: prices for every country and the JIT, on both sides.
    await post(
      base,
      sendBulkBody({
        recipients: recipients(400),
        text: 'warm-up',
        scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
    await measureSendBulkFloor(floorDb.url, recipients(400));
    for (const size of sizes) {
      const count = size.toLocaleString('en-US');
      const runs = await alternate(
        BENCH_ROUNDS,
        () => accept(service, base, size, database),
        () => measureFloorCpu(floorDb.url, recipients(size)),
      );
      runs.forEach(({ ours, floor }, index) => {
        console.error(
          `[send-bulk ${database} ${count} run ${index + 1}] ours ${ours.seconds.toFixed(2)} s; floor: validation on ` +
            `workers ${(floor.validationMs / 1000).toFixed(2)} s, insert ${(floor.insertMs / 1000).toFixed(2)} s`,
        );
        results.push(
          withFloor(
            {
              name: `sendBulk ${count} recipients accepted, ${label}, run ${index + 1}; floor: slower of validation on all cores and multi-row INSERT`,
              value: roundTo(ours.seconds, 2),
              unit: 's',
              target: size >= 100_000 ? 'ratio <= 1.5' : '-',
            },
            floor.floorMs / 1000,
          ),
        );
        if (size >= 100_000) {
          // What the work costs in CPU, whichever process does it: the floor's two parts each fill the
          // machine, so on few cores they cannot overlap as max(validation, insert) assumes.
          const oursCpu = ours.serviceCpu + ours.databaseCpu;
          const floorCpu = floor.processCpu + floor.databaseCpu;
          const cores = cpus().length;
          const s = (value: number): string => `${roundTo(value, 2)} s`;
          results.push(
            withFloor(
              {
                name:
                  `CPU of sendBulk ${count}, ${label}, run ${index + 1}: service ${s(ours.serviceCpu)}` +
                  (database === 'postgres' ? ` + PostgreSQL ${s(ours.databaseCpu)}` : '') +
                  `; floor: validation and insert ${s(floor.processCpu)}` +
                  (database === 'postgres' ? ` + PostgreSQL ${s(floor.databaseCpu)}` : ''),
                value: roundTo(oursCpu, 2),
                unit: 's',
                target: '-',
              },
              floorCpu,
            ),
            withFloor(
              {
                name: `least time that CPU needs on this machine's ${cores} cores (CPU / cores), sendBulk ${count}, ${label}, run ${index + 1}; floor: the floor's measured time`,
                value: roundTo(oursCpu / cores, 2),
                unit: 's',
                target: '-',
              },
              floor.floorMs / 1000,
            ),
          );
        }
      });
      results.push(
        {
          name: `slowest /health answer during ${count} (probed every 50 ms), ${label}`,
          value: Math.round(Math.max(...runs.map((r) => r.ours.worstHealthMs))),
          unit: 'ms',
          target: '< 100 ms',
        },
        {
          name: `service peak RSS during ${count}, ${label}`,
          value: Math.round(Math.max(...runs.map((r) => r.ours.peakRssMb))),
          unit: 'MB',
          target: '< 512 MB',
        },
      );
      growth.push({ size, value: roundTo(Math.min(...runs.map((r) => r.ours.seconds)), 3) });
      floorGrowth.push({ size, value: roundTo(Math.min(...runs.map((r) => r.floor.floorMs)) / 1000, 3) });
    }
    results.push(
      ...growthLines(`cost growth: sendBulk acceptance (best run), ${label}`, 's', growth),
      ...growthLines(`cost growth: sendBulk floor (best run), ${label}`, 's', floorGrowth),
    );
    return results;
  } finally {
    service.child.kill('SIGTERM');
    await service.exited;
    rmSync(dataDir, { recursive: true, force: true });
    await serviceDb.drop();
    await floorDb.drop();
  }
}

if (require.main === module) {
  runSendBulkBenchmark(process.argv[2] === 'pglite' ? 'pglite' : 'postgres').then(
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
