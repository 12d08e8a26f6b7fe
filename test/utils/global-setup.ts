import type { Config } from '@jest/types';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations } from '../../src/persistence/migrator';
import { copyTemplate } from './fresh-database';
import { PgliteProcess, startPgliteProcess } from './pglite-process';
import { TEST_POSTGRES_ADMIN_URL } from './test-databases';

/**
 * Once per `npm run test:integration`: for each Jest worker, a fresh PostgreSQL database and an
 * in-memory PGlite served over the wire protocol from a process of its own (two workers' PGlites
 * in the Jest parent would share its one thread), all migrated (the PGlites start from one migrated
 * dump, TEST_PGLITE_TEMPLATE). A worker's tests reach its own pair through TEST_PG_URL_<worker> /
 * TEST_PGLITE_URL_<worker> (test-databases.ts picks them), so test files running side by side never see
 * each other's campaigns. The PostgreSQL one is made again from a migrated template before each file
 * (postgres-per-file.ts).
 */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  const workers = Math.max(1, globalConfig.maxWorkers);
  const pglites: Array<{ stop(): Promise<void> }> = [];
  (globalThis as Record<string, unknown>).__pglite = pglites;
  const [postgres, pglite] = await Promise.all([postgresPerWorker(workers), pglitePerWorker(workers, pglites)]);
  postgres.forEach(({ name, template }, index) => {
    const worker = index + 1;
    process.env[`TEST_PG_URL_${worker}`] = TEST_POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    process.env[`TEST_PG_TEMPLATE_${worker}`] = template;
    process.env[`TEST_PGLITE_URL_${worker}`] = pglite.servers[index].url;
    process.env[`TEST_PGLITE_PID_${worker}`] = String(pglite.servers[index].pid);
  });
  process.env.TEST_PG_DATABASES = postgres.flatMap(({ name, template }) => [name, template]).join(',');
  process.env.TEST_PGLITE_TEMPLATE = pglite.template;
}

/** Each worker's PostgreSQL database, copied from a migrated template of its own. */
function postgresPerWorker(workers: number): Promise<Array<{ name: string; template: string }>> {
  return Promise.all(
    Array.from({ length: workers }, async (_, index) => {
      const name = `bulk_sms_test_${process.pid}_${Date.now()}_${index + 1}`;
      // Migrated once; each test file starts on a copy of it (postgres-per-file.ts).
      const template = `${name}_template`;
      const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${template}"`);
      await admin.end();
      await applyMigrations(TEST_POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${template}`));
      await copyTemplate(template, name);
      return { name, template };
    }),
  );
}

/**
 * Each worker's PGlite server. The first is made (initdb) and migrated, and its data directory dumped:
 * the others, and every PGlite a test asks for (fresh-database.ts), start from that dump, which takes
 * about half the time and 40 % of the CPU of a new database and its migrations.
 */
async function pglitePerWorker(
  workers: number,
  started: Array<{ stop(): Promise<void> }>,
): Promise<{ servers: PgliteProcess[]; template: string }> {
  const first = await startPgliteProcess(200);
  started.push(first);
  await applyMigrations(first.url);
  const template = path.join(mkdtempSync(path.join(tmpdir(), 'bulk-sms-pglite-')), 'migrated.tar');
  await first.dumpDataDir(template);
  const others = await Promise.all(
    Array.from({ length: workers - 1 }, async () => {
      const server = await startPgliteProcess(200, template);
      started.push(server);
      return server;
    }),
  );
  return { servers: [first, ...others], template };
}
