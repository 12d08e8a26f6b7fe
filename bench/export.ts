/*
 * Export benchmark: a campaign of 1,000,000 messages on a fresh PostgreSQL database, exported as CSV
 * through GET /api/campaigns/:id/messages.csv of the whole app (bootstrapped as in src/bootstrap.ts).
 * Printed beside a floor measured in the same run: a raw `pg` keyset read of the same rows with the
 * same statement (no formatting, no HTTP), and their ratio. Also: the process's RSS growth during the
 * export, and the slowest answer of GET /health, probed every 20 ms meanwhile (event-loop stalls).
 *
 * BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server;
 * BENCH_EXPORT_MESSAGES (default 1000000) the campaign size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createApp } from '../src/bootstrap';
import { ApiKeyHasher } from '../src/common/auth/api-key-hasher';
import { InvalidEnvironmentError, validateEnvironment } from '../src/config/env.schema';
import { ApiKeyRepository } from '../src/persistence/api-key.repository';
import { EXPORT_PAGE_SIZE } from '../src/export/message-export.service';
import { BenchResult } from './bench-result';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const MESSAGES = Number(process.env.BENCH_EXPORT_MESSAGES ?? 1_000_000);

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(work: (client: Client) => Promise<T>, url = ADMIN_URL): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function seed(url: string, accountId: string): Promise<string> {
  return admin(async (client) => {
    const {
      rows: [campaign],
    } = await client.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
         "estimatedCostByCountry", "startedAt", "completedAt")
       VALUES ($1, 'COMPLETED', 'bench', '+14155550100', 'GSM7', 1, 0,
         '[{"country":"GB","recipients":0,"pricePerSegment":"0.04","cost":"0"}]', now(), now()) RETURNING id`,
      [accountId],
    );
    await client.query(
      `INSERT INTO "Message" ("campaignId", "to", country, status, "providerMessageId", "errorCode", units, amount,
         "submittedAt", "sentAt", "deliveredAt")
       SELECT $1, '+447700' || lpad(i::text, 7, '0'), 'GB',
         (CASE WHEN i % 20 = 0 THEN 'UNDELIVERED' ELSE 'DELIVERED' END)::"MessageStatus",
         gen_random_uuid()::text, CASE WHEN i % 20 = 0 THEN '50' END, 1, 0.04, now(), now(),
         CASE WHEN i % 20 <> 0 THEN now() END
       FROM generate_series(0, $2 - 1) i`,
      [campaign.id, MESSAGES],
    );
    await client.query('ANALYZE "Message"');
    return campaign.id;
  }, url);
}

/** The floor: the same keyset statement over plain pg, rows counted and dropped. */
async function rawKeysetRead(url: string, campaignId: string): Promise<number> {
  return admin(async (client) => {
    const started = performance.now();
    let after = '0';
    let rows = 0;
    for (;;) {
      const page = await client.query<{ id: string }>(
        `SELECT id::text AS id, "to", country, status::text AS status, "errorCode", units, amount::text AS amount,
           "providerMessageId", "submittedAt", "sentAt", "deliveredAt"
         FROM "Message" WHERE "campaignId" = $1::uuid AND id > $2::bigint ORDER BY "Message".id LIMIT $3`,
        [campaignId, after, EXPORT_PAGE_SIZE],
      );
      rows += page.rows.length;
      if (page.rows.length < EXPORT_PAGE_SIZE) {
        break;
      }
      after = page.rows[page.rows.length - 1].id;
    }
    if (rows !== MESSAGES) {
      throw new Error(`raw read saw ${rows} rows, expected ${MESSAGES}`);
    }
    return rows / ((performance.now() - started) / 1000);
  }, url);
}

export async function runExportBenchmark(): Promise<BenchResult[]> {
  const name = `bench_export_${Date.now()}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(name);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-export-bench-'));
  const { env, errors } = validateEnvironment({
    NODE_ENV: 'test',
    PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    LOG_LEVEL: 'warn',
  });
  if (!env) {
    throw new InvalidEnvironmentError(errors);
  }
  const app = await createApp(env);
  try {
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const baseUrl = `http://127.0.0.1:${port}`;
    const hasher = app.get(ApiKeyHasher);
    const apiKey = hasher.generate();
    const { accountId } = await app.get(ApiKeyRepository).createAccountWithKey('bench', hasher.hash(apiKey), 'bench');
    const campaignId = await seed(url, accountId);

    const floor = await rawKeysetRead(url, campaignId);

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 50);
    let probing = true;
    let slowestHealthMs = 0;
    const prober = (async () => {
      while (probing) {
        const sent = performance.now();
        await fetch(`${baseUrl}/health`).then((r) => r.arrayBuffer());
        slowestHealthMs = Math.max(slowestHealthMs, performance.now() - sent);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    const started = performance.now();
    const response = await fetch(`${baseUrl}/api/campaigns/${campaignId}/messages.csv`, {
      headers: { 'x-api-key': apiKey },
    });
    let lines = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
        lines++;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    probing = false;
    await prober;
    clearInterval(rssTimer);
    if (lines - 1 !== MESSAGES) {
      throw new Error(`export had ${lines - 1} rows, expected ${MESSAGES}`);
    }
    const rate = MESSAGES / seconds;
    const n = MESSAGES.toLocaleString('en-US');
    return [
      {
        name: `export CSV of ${n} messages over HTTP (floor: raw pg keyset read ${Math.round(floor).toLocaleString('en-US')} rows/s; ratio ${(rate / floor).toFixed(2)})`,
        value: Math.round(rate),
        unit: 'rows/s',
        target: '≥ 100,000 rows/s',
      },
      {
        name: `export: RSS growth of the process (app + client) during the export`,
        value: Math.round((rssMax - rssBefore) / 1024 / 1024),
        unit: 'MB',
        target: '< 50 MB',
      },
      {
        name: 'export: slowest GET /health during the export (probed every 20 ms)',
        value: Math.round(slowestHealthMs),
        unit: 'ms',
        target: '< 100 ms',
      },
    ];
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

if (require.main === module) {
  void runExportBenchmark().then(
    (results) => {
      for (const r of results) {
        console.log(`${r.name}: ${r.value} ${r.unit} (target ${r.target})`);
      }
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
