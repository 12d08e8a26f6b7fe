import type { Config } from '@jest/types';
import { Client } from 'pg';
import { applyMigrations } from '../../src/persistence/migrator';
import { copyTemplate } from './fresh-database';
import { startPgliteProcess } from './pglite-process';
import { TEST_POSTGRES_ADMIN_URL } from './test-databases';

/**
 * Once per `npm run test:integration`: for each Jest worker, a fresh PostgreSQL database and an
 * in-memory PGlite served over the wire protocol from a process of its own (two workers' PGlites
 * in the Jest parent would share its one thread), all migrated. A worker's tests reach its own pair
 * through TEST_PG_URL_<worker> / TEST_PGLITE_URL_<worker> (test-databases.ts picks them), so test
 * files running side by side never see each other's campaigns. The PostgreSQL one is made again from
 * a migrated template before each file (postgres-per-file.ts).
 */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  const workers = Math.max(1, globalConfig.maxWorkers);
  const pglites: Array<{ stop(): Promise<void> }> = [];
  (globalThis as Record<string, unknown>).__pglite = pglites;
  // The workers' databases side by side: most of it is PGlite compiling and initialising itself.
  const databases = await Promise.all(
    Array.from({ length: workers }, async (_, index) => {
      const worker = index + 1;
      const name = `bulk_sms_test_${process.pid}_${Date.now()}_${worker}`;
      // Migrated once; each test file starts on a copy of it (postgres-per-file.ts).
      const template = `${name}_template`;
      const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${template}"`);
      await admin.end();
      await applyMigrations(TEST_POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${template}`));
      await copyTemplate(template, name);
      const pgUrl = TEST_POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);

      const pglite = await startPgliteProcess(200);
      pglites.push(pglite);
      await applyMigrations(pglite.url);

      process.env[`TEST_PG_URL_${worker}`] = pgUrl;
      process.env[`TEST_PG_TEMPLATE_${worker}`] = template;
      process.env[`TEST_PGLITE_URL_${worker}`] = pglite.url;
      process.env[`TEST_PGLITE_PID_${worker}`] = String(pglite.pid);
      return [name, template];
    }),
  );
  process.env.TEST_PG_DATABASES = databases.flat().join(',');
}
