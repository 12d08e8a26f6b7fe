import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ensureDatabaseExists } from '../../src/persistence/ensure-database';
import { freePort, runService } from '../utils/service-process';
import { TEST_POSTGRES_ADMIN_URL } from '../utils/test-databases';

// Issue 16, production: a missing database is created when the role may, else one line says how.
// (Refusing PGlite and a missing API_BASE_URL with a real Plivo account: src/config/env.schema.spec.ts.)

function urlFor(database: string, user?: string): string {
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  if (user) {
    url.username = user;
  }
  return url.toString();
}

async function admin<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describe('starting in production', () => {
  const suffix = `${process.pid}_${Date.now()}`;
  const createdDb = `accounts_created_${suffix}`;
  const refusedDb = `accounts_refused_${suffix}`;
  const role = `accounts_nocreatedb_${suffix}`;

  beforeAll(async () => {
    await admin((client) => client.query(`CREATE ROLE ${role} LOGIN NOCREATEDB`));
  });

  afterAll(async () => {
    await admin(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${createdDb}`);
      await client.query(`DROP ROLE IF EXISTS ${role}`);
    });
  });

  it('should create a missing database when the role may, once', async () => {
    await expect(ensureDatabaseExists(urlFor(createdDb))).resolves.toBe('created');
    await expect(ensureDatabaseExists(urlFor(createdDb))).resolves.toBe('exists');
  });

  it('should refuse in one line, without a stack trace, when the role may not create it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-prod-'));
    try {
      const service = runService({
        PORT: String(await freePort()),
        DATA_DIR: dataDir,
        DATABASE_URL: urlFor(refusedDb, role),
        API_KEY: 'sk_production_start_key_01',
        NODE_ENV: 'production',
      });
      expect(await service.exited).toBe(1);
      const output = service.output().trim();
      expect(output).toBe(
        `Failed to start: Database "${refusedDb}" does not exist on ${new URL(TEST_POSTGRES_ADMIN_URL).hostname}:` +
          `${new URL(TEST_POSTGRES_ADMIN_URL).port || '5432'} and could not be created (role ${role} may not create ` +
          `databases): create it as a privileged user (createdb -h ${new URL(TEST_POSTGRES_ADMIN_URL).hostname} -p ` +
          `${new URL(TEST_POSTGRES_ADMIN_URL).port || '5432'} -O ${role} ${refusedDb}, or CREATE DATABASE ` +
          `"${refusedDb}" OWNER "${role}";) and start again`,
      );
      expect(output).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
