/*
 * Acceptance benchmark of sendBulk: the built service (dist/src/main.js) runs as its own process on
 * a fresh PostgreSQL database with the Plivo sandbox in-process; a client in this process sends one
 * campaign of 100,000 and one of 1,000,000 recipients and measures the time until the mutation
 * answers, the service's peak RSS (VmHWM), and how long /health took to answer meanwhile.
 *
 *   npm run bench            (all benchmarks)
 *   node dist/bench/send-bulk.js
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { applyMigrations } from '../src/persistence/migrator';
import { freePort, runService } from '../test/utils/service-process';
import { BenchResult } from './bench-result';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const API_KEY = 'sk_benchmark_key_0000000000000001';

async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

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

async function measure(count: number): Promise<BenchResult[]> {
  const name = `bulk_sms_bench_${process.pid}_${count}`;
  await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  await applyMigrations(databaseUrl);
  const port = await freePort();
  const service = runService(
    {
      PORT: String(port),
      DATA_DIR: `/tmp/bulk-sms-bench-${port}`,
      DATABASE_URL: databaseUrl,
      API_KEY,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      // The heap cap of `npm start` (package.json), unless overridden.
      NODE_OPTIONS: process.env.SERVICE_NODE_OPTIONS ?? '--max-old-space-size=256',
      // Measure acceptance alone: the dispatcher waits (nothing is due before the schedule).
    },
    require.resolve('../src/main.js'),
  );
  try {
    await service.waitFor(/Bulk SMS service ready/, 60_000);
    const base = `http://127.0.0.1:${port}`;
    // Warm up: prices for every country and the JIT.
    await post(base, {
      recipients: recipients(400),
      text: 'warm-up',
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const body = {
      recipients: recipients(count),
      text: 'Benchmark: your parcel arrives tomorrow between 9 and 12.',
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    let worstHealthMs = 0;
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const started = performance.now();
        await fetch(`${base}/health`);
        worstHealthMs = Math.max(worstHealthMs, performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = performance.now();
    const result = await post(base, body);
    const seconds = (performance.now() - started) / 1000;
    probing = false;
    await probe;
    if (result.total !== count) {
      throw new Error(`expected ${count} accepted recipients, got ${JSON.stringify(result)}`);
    }
    const label = count.toLocaleString('en-US');
    return [
      {
        name: `sendBulk ${label} recipients accepted (PostgreSQL)`,
        value: round(seconds),
        unit: 's',
        target: count >= 1_000_000 ? '< 15 s' : '< 2 s',
      },
      {
        name: `service peak RSS after ${label}`,
        value: Math.round(peakRssMb(service.child.pid!)),
        unit: 'MB',
        target: count >= 1_000_000 ? '< 512 MB' : '-',
      },
      {
        name: `slowest /health answer during ${label}`,
        value: Math.round(worstHealthMs),
        unit: 'ms',
        target: 'responsive',
      },
    ];
  } finally {
    service.child.kill('SIGTERM');
    await service.exited;
    await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function post(base: string, input: Record<string, unknown>): Promise<{ total: number }> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify({
      query: 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id progress { total } } }',
      variables: { input },
    }),
  });
  const json = (await response.json()) as { data?: { sendBulk: { progress: { total: number } } }; errors?: unknown };
  if (!json.data) {
    throw new Error(`sendBulk failed: ${JSON.stringify(json.errors)}`);
  }
  return json.data.sendBulk.progress;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export async function runSendBulkBenchmark(): Promise<BenchResult[]> {
  const sizes = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
  const results: BenchResult[] = [];
  for (const size of sizes) {
    results.push(...(await measure(size)));
  }
  return results;
}

if (require.main === module) {
  runSendBulkBenchmark().then(
    (results) => console.table(results),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
