import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Client } from 'pg';
import { TEST_POSTGRES_ADMIN_URL } from './test-databases';

export default async function globalTeardown(): Promise<void> {
  const pglite = (globalThis as Record<string, unknown>).__pglite as
    { db: PGlite; server: PGLiteSocketServer } | undefined;
  await pglite?.server.stop();
  await pglite?.db.close();
  const name = process.env.TEST_PG_DATABASE;
  if (name && !process.env.KEEP_TEST_DATABASE) {
    const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
