import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations } from '../../../src/persistence/migrator';
import { MIGRATIONS_DIR } from '../../../src/persistence/project-root';
import { startPgliteProcess } from '../../utils/pglite-process';
import { TEST_DATABASES, TEST_POSTGRES_ADMIN_URL, testDatabaseUrl } from '../../utils/test-databases';

const migrationCount = readdirSync(MIGRATIONS_DIR).filter((name) => /^\d+_/.test(name)).length;

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  describe.each(TEST_DATABASES)('on %s', (kind) => {
    it('should have created every table of the data model', async () => {
      const rows = await query<{ table_name: string }>(
        testDatabaseUrl(kind),
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      expect(rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining([
          'Account',
          'ApiKey',
          'Batch',
          'Campaign',
          'DeliveryReport',
          'Message',
          'Price',
          'Suppression',
          '_prisma_migrations',
        ]),
      );
    });

    it('should apply nothing the second time', async () => {
      const result = await applyMigrations(testDatabaseUrl(kind));
      expect(result).toEqual({ applied: [], alreadyApplied: migrationCount });
    });

    it('should refuse a migration edited after it was applied', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      const first = readdirSync(dir)
        .filter((name) => /^\d+_/.test(name))
        .sort()[0];
      writeFileSync(path.join(dir, first, 'migration.sql'), '-- edited\nSELECT 1;');
      try {
        await expect(applyMigrations(testDatabaseUrl(kind), dir)).rejects.toThrow(/edited after it was applied/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('should migrate a fresh PostgreSQL database once when several instances start together', async () => {
    const name = `bulk_sms_migrate_${process.pid}_${Date.now()}`;
    await query(TEST_POSTGRES_ADMIN_URL, `CREATE DATABASE "${name}"`);
    const url = TEST_POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    try {
      const results = await Promise.all([applyMigrations(url), applyMigrations(url), applyMigrations(url)]);
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, migrationCount]);
      const rows = await query<{ n: string }>(url, `SELECT count(*) AS n FROM "_prisma_migrations"`);
      expect(Number(rows[0].n)).toBe(migrationCount);
    } finally {
      await query(TEST_POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });

  it('should migrate a fresh PGlite database', async () => {
    const pglite = await startPgliteProcess();
    try {
      const url = pglite.url;
      const result = await applyMigrations(url);
      expect(result.applied).toHaveLength(migrationCount);
      const rows = await query<{ n: string }>(url, `SELECT count(*) AS n FROM "Campaign"`);
      expect(Number(rows[0].n)).toBe(0);
    } finally {
      await pglite.stop();
    }
  });
});
