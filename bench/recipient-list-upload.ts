/*
 * Recipient-list upload benchmark: the built service (dist/src/main.js) runs as its own process on a fresh
 * PostgreSQL database; a CSV of N rows (phone + 2 fields, mixed formats) is streamed to
 * POST /api/recipient-lists. Printed beside a floor measured in the same run, in this process, on the same
 * rows: csv-parse + libphonenumber validation + the same multi-row INSERTs into the same database, with no
 * HTTP, no streaming back-pressure and no yielding; and the service's peak RSS and slowest /health answer.
 *
 *   BENCH_RECIPIENT_LIST_ROWS=100000 npm run bench     (adds it to the table; off by default)
 *   node dist/bench/recipient-list-upload.js [rows]    (alone; default 100,000)
 */
import { parse as parseCsv } from 'csv-parse';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { parseRecipientNumber } from '../src/messaging/recipient-number-parser';
import { applyMigrations } from '../src/persistence/migrator';
import { freePort, runService } from '../test/utils/service-process';
import { BenchResult } from './bench-result';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const API_KEY = 'sk_benchmark_key_0000000000000001';
const INSERT_BATCH = 2_000;

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

/** The floor: the same work done plainly, in one go, in this process. */
async function floorSeconds(csv: Buffer, databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const listId = randomUUID();
    const started = performance.now();
    const seen = new Set<string>();
    let batch = { rows: [] as number[], phones: [] as string[], countries: [] as string[], values: [] as string[] };
    let position = 0;
    const write = async () => {
      await client.query(
        `INSERT INTO "RecipientListEntry" ("listId", position, "row", phone, country, "values")
         SELECT $1::uuid, $2::int + t.ord - 1, t.r, t.phone, t.country, t.v::jsonb
         FROM unnest($3::int[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(r, phone, country, v, ord)`,
        [listId, position - batch.phones.length, batch.rows, batch.phones, batch.countries, batch.values],
      );
      batch = { rows: [], phones: [], countries: [], values: [] };
    };
    let row = 0;
    for await (const record of Readable.from([csv]).pipe(parseCsv({ from_line: 2 })) as AsyncIterable<string[]>) {
      row++;
      const parsed = parseRecipientNumber(record[0]);
      if (!parsed.ok || seen.has(parsed.e164)) {
        continue;
      }
      seen.add(parsed.e164);
      position++;
      batch.rows.push(row + 1);
      batch.phones.push(parsed.e164);
      batch.countries.push(parsed.country);
      batch.values.push(JSON.stringify([record[1], record[2]]));
      if (batch.phones.length >= INSERT_BATCH) {
        await write();
      }
    }
    if (batch.phones.length > 0) {
      await write();
    }
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}

export async function runRecipientListUploadBenchmark(rows = 100_000): Promise<BenchResult[]> {
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
      NODE_OPTIONS: process.env.SERVICE_NODE_OPTIONS ?? '--max-old-space-size=256',
    },
    require.resolve('../src/main.js'),
  );
  try {
    await service.waitFor(/Bulk SMS service ready/, 60_000);
    const base = `http://127.0.0.1:${port}`;
    await upload(base, csvOf(200)); // warm-up
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
        await new Promise((resolve) => setTimeout(resolve, 20));
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
    const rss = Math.round(peakRssMb(service.child.pid!));
    const floor = await floorSeconds(csv, databaseUrl);
    const label = rows.toLocaleString('en-US');
    return [
      {
        name: `recipient list upload, ${label} CSV rows (phone + 2 fields), PostgreSQL`,
        value: round(seconds),
        unit: `s (floor ${round(floor)} s, ratio ${round(seconds / floor)})`,
        target: '≤ 1.5 × floor',
      },
      { name: `service peak RSS after the ${label}-row upload`, value: rss, unit: 'MB', target: '< 512 MB' },
      {
        name: `slowest /health answer during the ${label}-row upload`,
        value: Math.round(worstHealthMs),
        unit: failedProbes > 0 ? `ms (${failedProbes} probes failed)` : 'ms',
        target: '< 100 ms',
      },
    ];
  } finally {
    service.child.kill('SIGTERM');
    await service.exited;
    await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
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

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (require.main === module) {
  runRecipientListUploadBenchmark(Number(process.argv[2] ?? 100_000)).then(
    (results) => console.table(results),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
