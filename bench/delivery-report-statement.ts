/*
 * What one intake statement costs PostgreSQL, by how many reports it carries: the intake's own append
 * (DeliveryReportRepository.appendMany: nonces, reports, message updates, counters, in one statement)
 * on a fresh database with a campaign of N accepted messages, each getting a `sent` then a `delivered`
 * report as the webhook benchmark sends them, no HTTP. Beside each size, its floor in the same run: the
 * same reports (the same JSON) inserted durably by one plain INSERT ... SELECT FROM json_to_recordset into a
 * table with the report's columns and a primary key only.
 *
 * PostgreSQL's CPU is read from /proc (every postgres process: backends, WAL writer), per report.
 *
 *   npm run bench -- delivery-report-statement
 *   node dist/bench/delivery-report-statement.js [messages=10000] [sizes=1,4,16,32,64,128]
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { toDeliveryReport } from '../src/delivery-reports/plivo-callback';
import { OPT_OUT_SUPPRESSION_REASON, applyUpdateOf } from '../src/delivery-reports/report-apply-plan';
import { applyMigrations } from '../src/persistence/migrator';
import { AppendRequest, DeliveryReportRepository } from '../src/persistence/delivery-report.repository';
import type { PrismaService } from '../src/persistence/prisma.service';
import { BenchResult, withFloor } from './bench-result';
import { sql } from './bench-sql';
import { callbackParams } from './delivery-report-load';
import { seed } from './delivery-reports';
import { cpuSpent, postgresCpuSeconds } from './process-usage';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REPLAY_WINDOW_MS = 600_000;

const FLOOR_TABLE = `
CREATE TABLE report_floor (
  id bigserial PRIMARY KEY, nonce text, "dedupeKey" text, "messageUuid" text, "batchId" uuid, "to" text,
  status text, sequence int, "errorCode" text, units int, "totalAmount" numeric, "totalRate" numeric,
  payload jsonb, "receivedAt" timestamptz NOT NULL DEFAULT now())`;

const FLOOR_INSERT = `
INSERT INTO report_floor (nonce, "dedupeKey", "messageUuid", "batchId", "to", status, sequence, "errorCode", units,
  "totalAmount", "totalRate", payload)
SELECT nonce, "dedupeKey", "messageUuid", "batchId", "to", status, sequence, "errorCode", units,
  "totalAmount", "totalRate", payload
FROM json_to_recordset($1::json) AS i(nonce text, "dedupeKey" text, "messageUuid" text, "batchId" uuid, "to" text,
  status text, sequence int, "errorCode" text, units int, "totalAmount" numeric, "totalRate" numeric, payload jsonb)`;

/** The webhook benchmark's reports for these messages: `sent` then `delivered` for each. */
function reportsFor(targets: Array<{ batchId: string; to: string }>): AppendRequest[] {
  const requests: AppendRequest[] = [];
  let nonce = 10n ** 22n;
  for (const { batchId, to } of targets) {
    const uuid = randomUUID();
    for (const [status, sequence] of [
      ['sent', '2'],
      ['delivered', '3'],
    ] as const) {
      const report = toDeliveryReport(callbackParams(uuid, to, status, sequence), batchId);
      requests.push({ report, nonce: String(nonce++), apply: applyUpdateOf(report) });
    }
  }
  return requests;
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** PostgreSQL CPU µs per report of `run` over `reports` reports. */
async function postgresMicrosPerReport(reports: number, run: () => Promise<void>): Promise<number> {
  const before = postgresCpuSeconds();
  await run();
  return (cpuSpent(before, postgresCpuSeconds()) * 1_000_000) / reports;
}

async function measureSize(messages: number, size: number): Promise<{ ours: number; floor: number; applied: number }> {
  const name = `bulk_sms_report_statement_${process.pid}_${size}`;
  await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  try {
    await applyMigrations(url);
    await sql(url, FLOOR_TABLE);
    const requests = reportsFor(await seed(url, messages));
    const statements = chunks(requests, size);
    // The pool's connections and the named statement are made before the clock starts.
    const repository = new DeliveryReportRepository(null as unknown as PrismaService, url);
    const client = new Client({ connectionString: url });
    await client.connect();
    let applied = 0;
    try {
      const [first, ...rest] = statements;
      await repository.appendMany(first, REPLAY_WINDOW_MS, OPT_OUT_SUPPRESSION_REASON);
      const reports = rest.reduce((sum, statement) => sum + statement.length, 0);
      const ours = await postgresMicrosPerReport(reports, async () => {
        for (const statement of rest) {
          applied += (await repository.appendMany(statement, REPLAY_WINDOW_MS, OPT_OUT_SUPPRESSION_REASON))
            .appliedReports;
        }
      });
      const floorInputs = statements.map((statement) =>
        JSON.stringify(statement.map(({ nonce, report }) => ({ nonce, ...report }))),
      );
      await client.query({ name: 'floor', text: FLOOR_INSERT, values: [floorInputs[0]] });
      const floor = await postgresMicrosPerReport(reports, async () => {
        for (const input of floorInputs.slice(1)) {
          await client.query({ name: 'floor', text: FLOOR_INSERT, values: [input] });
        }
      });
      if (applied !== reports) {
        throw new Error(`expected ${reports} reports applied, got ${applied}`);
      }
      return { ours, floor, applied };
    } finally {
      await client.end();
      await repository.beforeApplicationShutdown();
    }
  } finally {
    await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

export async function runDeliveryReportStatementBenchmark(
  messages = 10_000,
  sizes: number[] = [1, 4, 16, 32, 64, 128],
): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const size of sizes) {
    // Statements of one report are slow: fewer of them say as much.
    const { ours, floor } = await measureSize(size < 16 ? Math.min(messages, 2_000) : messages, size);
    console.error(
      `[delivery-report-statement] ${size} reports a statement: ours ${ours.toFixed(1)} µs, floor ${floor.toFixed(1)} µs`,
    );
    results.push(
      withFloor(
        {
          name:
            `PostgreSQL CPU per report, intake statements of ${size} report${size === 1 ? '' : 's'} ` +
            '(nonces, reports, message updates, counters); floor: the same reports by a plain durable INSERT',
          value: Math.round(ours * 10) / 10,
          unit: 'µs',
          target: '-',
        },
        floor,
      ),
    );
  }
  return results;
}

if (require.main === module) {
  const messages = Number(process.argv[2]) || undefined;
  const sizes = process.argv[3]?.split(',').map(Number);
  runDeliveryReportStatementBenchmark(messages, sizes)
    .then((results) => {
      console.table(results);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
