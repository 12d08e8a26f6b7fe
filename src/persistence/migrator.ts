import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS_DIR } from './project-root';

// Any constant: every instance of the service takes the same lock, so only one migrates at a time.
const MIGRATION_LOCK_KEY = 72_404_711;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies prisma/migrations/* in order, the way `prisma migrate deploy` does (same
 * `_prisma_migrations` rows, checksum = sha256 of migration.sql), under a PostgreSQL advisory
 * lock so that several instances starting together migrate once. Written here rather than
 * shelling out to the Prisma CLI: the CLI needs its wasm engine and ~3 s per start.
 */
export async function applyMigrations(databaseUrl: string, dir: string = MIGRATIONS_DIR): Promise<MigrationResult> {
  const client = new Client({ connectionString: databaseUrl });
  // A lost connection fails the pending query (and so the start); it must not be an unhandled event.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await applyPending(client, dir);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

async function applyPending(client: Client, dir: string): Promise<MigrationResult> {
  await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
  const { rows } = await client.query<{ migration_name: string; checksum: string }>(
    `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
  const names = readdirSync(dir)
    .filter((name) => existsSync(path.join(dir, name, 'migration.sql')))
    .sort();
  const applied: string[] = [];
  for (const name of names) {
    const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
    const checksum = createHash('sha256').update(sql).digest('hex');
    const previous = done.get(name);
    if (previous !== undefined) {
      if (previous !== checksum) {
        throw new Error(`Migration ${name} was edited after it was applied (checksum mismatch)`);
      }
      continue;
    }
    await client.query('BEGIN');
    try {
      await client.query(sql);
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
         VALUES ($1, $2, now(), $3, 1)`,
        [randomUUID(), checksum, name],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
    }
    applied.push(name);
  }
  return { applied, alreadyApplied: names.length - applied.length };
}
