import { Client } from 'pg';
import { startPgliteProcess } from './pglite-process';
import { pgliteTemplate, TEST_POSTGRES_ADMIN_URL, TestDatabaseKind, workerPostgresTemplate } from './test-databases';

/**
 * A migrated database of its own, dropped when the test is done with it: for a test whose outcome must
 * not depend on what earlier tests left (on PGlite, every file of a worker shares one; on PostgreSQL,
 * the describe blocks of one file do), or that starts processes on a database of their own. PostgreSQL's
 * is a copy of the worker's migrated template; PGlite's starts from the migrated dump global-setup.ts made.
 */
export async function freshDatabase(kind: TestDatabaseKind): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const pglite = await startPgliteProcess(100, pgliteTemplate());
    return { url: pglite.url, drop: () => pglite.stop() };
  }
  const name = `bulk_sms_fresh_${process.pid}_${Date.now()}`;
  await copyTemplate(workerPostgresTemplate(), name);
  const url = TEST_POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return { url, drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * Makes `name` anew as a copy of the migrated `template` (dropped first, its connections ended), with
 * the settings of global-setup.ts: a copy takes 30-200 ms where migrating takes seconds.
 */
export async function copyTemplate(template: string, name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  // Tests crash the service, never the server: a commit need not wait for the WAL flush.
  await adminQuery(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
