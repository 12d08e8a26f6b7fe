/*
 * Recipient-list upload benchmark: the built service (dist/src/main.js) runs as its own process on a fresh
 * PostgreSQL database; a CSV of N rows (phone + 2 fields, mixed formats) is streamed to
 * POST /api/recipient-lists while /health is probed every 50 ms. Each upload alternates (BENCH_ROUNDS) with a
 * floor measured in the bench process on the same rows (bench/floors/recipient-list-upload-floor.ts: parse +
 * validate on two cores, then the same multi-row INSERTs); printed with the service's peak RSS and its
 * slowest /health answer.
 *
 *   npm run bench -- recipient-list                    (1,000,000 rows, or BENCH_RECIPIENT_LIST_ROWS)
 *   node dist/bench/recipient-list-upload.js [rows]    (alone; default 1,000,000)
 *   SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' ...   (profile the service; NODE_OPTIONS refuses --cpu-prof)
 */
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { applyMigrations } from '../src/persistence/migrator';
import { START_NODE_OPTIONS, freePort, runService } from '../test/utils/service-process';
import { BENCH_ROUNDS, BenchResult, withFloor } from './bench-result';
import { sql } from './bench-sql';
import { peakRssMb } from './process-usage';
import { measureRecipientListUploadFloor } from './floors/recipient-list-upload-floor';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const API_KEY = 'sk_benchmark_key_0000000000000001';
const PROBE_EVERY_MS = 50;

/** phone + 2 fields; E.164, national-with-punctuation and spaced formats over four countries. */
function csvOf(rows: number): Buffer {
  const lines = ['phone,name,code'];
  for (let i = 0; i < rows; i++) {
    let phone: string;
    switch (i % 4) {
      case 0:
        phone = `+1415${2000000 + i}`;
        break;
      case 1:
        phone = `"+1 (212) ${String(2000000 + i).slice(0, 3)}-${String(2000000 + i).slice(3)}"`;
        break;
      case 2:
        phone = `+44 74${String(10000000 + i).slice(0, 8)}`;
        break;
      default:
        phone = `+4915${String(100000000 + i).slice(0, 9)}`;
    }
    lines.push(`${phone},Name ${i % 1000},${i % 97}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

export async function runRecipientListUploadBenchmark(rows = 1_000_000): Promise<BenchResult[]> {
  const name = `bulk_sms_bench_lists_${process.pid}`;
  await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  await applyMigrations(databaseUrl);
  const csv = csvOf(rows);
  const port = await freePort();
  const service = runService(
    {
      PORT: String(port),
      DATA_DIR: `/tmp/bulk-sms-bench-${port}`,
      DATABASE_URL: databaseUrl,
      API_KEY,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: process.env.SERVICE_NODE_OPTIONS ?? START_NODE_OPTIONS,
    },
    require.resolve('../src/main.js'),
    (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  try {
    await service.waitFor(/Bulk SMS service ready/, 60_000);
    const base = `http://127.0.0.1:${port}`;
    await upload(base, csvOf(200)); // warm-up
    const label = rows.toLocaleString('en-US');
    const results: BenchResult[] = [];
    for (let round = 1; round <= BENCH_ROUNDS; round++) {
      const ours = await timedUpload(base, csv, rows);
      const floor = await measureRecipientListUploadFloor(csv, databaseUrl);
      const load = loadAverage();
      console.error(
        `upload round ${round}: ${round2(ours.seconds)} s; floor ${round2(floor.floorMs / 1000)} s ` +
          `(parse + validate ${round2(floor.parseMs / 1000)} s, write ${round2(floor.writeMs / 1000)} s); ` +
          `slowest /health ${Math.round(ours.worstHealthMs)} ms; load ${load}`,
      );
      results.push(
        withFloor(
          {
            name:
              `recipient list upload, ${label} CSV rows (phone + 2 fields), PostgreSQL, run ${round} (load ${load}); ` +
              'floor: parse + validate on two cores, then the same multi-row INSERTs',
            value: round2(ours.seconds),
            unit: 's',
            target: 'ratio <= 1.5',
          },
          floor.floorMs / 1000,
        ),
        {
          name: `slowest /health answer during the ${label}-row upload (probed every ${PROBE_EVERY_MS} ms), run ${round}`,
          value: Math.round(ours.worstHealthMs),
          unit: ours.failedProbes > 0 ? `ms (${ours.failedProbes} probes failed)` : 'ms',
          target: '< 100 ms',
        },
      );
    }
    results.push({
      name: `service peak RSS over the ${label}-row uploads`,
      value: Math.round(peakRssMb(service.child.pid!)),
      unit: 'MB',
      target: '< 512 MB',
    });
    return results;
  } finally {
    service.child.kill('SIGTERM');
    await service.exited;
    await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/** One upload while /health is probed every PROBE_EVERY_MS. */
async function timedUpload(
  base: string,
  csv: Buffer,
  rows: number,
): Promise<{ seconds: number; worstHealthMs: number; failedProbes: number }> {
  let worstHealthMs = 0;
  let failedProbes = 0;
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const started = performance.now();
      try {
        const answer = await fetch(`${base}/health`);
        await answer.arrayBuffer();
        worstHealthMs = Math.max(worstHealthMs, performance.now() - started);
      } catch {
        // Counted, not fatal: a probe failing is a result to report (and the upload's own error says more).
        failedProbes++;
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  const started = performance.now();
  let result: { recipients: number };
  try {
    result = await upload(base, csv);
  } finally {
    probing = false;
    await probe;
  }
  const seconds = (performance.now() - started) / 1000;
  if (result.recipients !== rows) {
    throw new Error(`expected ${rows} recipients, got ${JSON.stringify(result).slice(0, 500)}`);
  }
  return { seconds, worstHealthMs, failedProbes };
}

function loadAverage(): string {
  return loadavg()[0].toFixed(1);
}

async function upload(base: string, csv: Buffer): Promise<{ recipients: number }> {
  const response = await fetch(`${base}/api/recipient-lists`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', 'x-api-key': API_KEY },
    body: Readable.toWeb(Readable.from(chunks(csv))) as ReadableStream,
    duplex: 'half',
  });
  const json = (await response.json()) as { recipients: number };
  if (response.status !== 201) {
    throw new Error(`upload failed: ${response.status} ${JSON.stringify(json)}`);
  }
  return json;
}

function* chunks(buffer: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let start = 0; start < buffer.length; start += size) {
    yield buffer.subarray(start, start + size);
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

if (require.main === module) {
  runRecipientListUploadBenchmark(Number(process.argv[2] ?? 1_000_000)).then(
    (results) => console.table(results),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
