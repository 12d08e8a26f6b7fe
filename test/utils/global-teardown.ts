import { rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { TEST_POSTGRES_ADMIN_URL } from './test-databases';

export default async function globalTeardown(): Promise<void> {
  const pglites = ((globalThis as Record<string, unknown>).__pglite ?? []) as Array<{ stop(): Promise<void> }>;
  await Promise.all(pglites.map((pglite) => pglite.stop()));
  if (process.env.TEST_PGLITE_TEMPLATE) {
    rmSync(path.dirname(process.env.TEST_PGLITE_TEMPLATE), { recursive: true, force: true });
  }
  const names = (process.env.TEST_PG_DATABASES ?? '').split(',').filter(Boolean);
  if (names.length > 0 && !process.env.KEEP_TEST_DATABASE) {
    const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
    await admin.connect();
    for (const name of names) {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
    await admin.end();
  }
}
