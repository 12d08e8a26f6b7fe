import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Client } from 'pg';
import { applyMigrations } from '../../src/persistence/migrator';
import { orderMessagesPerExchange } from '../../src/persistence/pglite-socket-ordering';
import { TEST_POSTGRES_ADMIN_URL } from './test-databases';

/**
 * Once per `npm run test:integration`: a fresh PostgreSQL database and an in-memory PGlite served
 * over the wire protocol, both migrated. Tests reach them through TEST_PG_URL / TEST_PGLITE_URL.
 */
export default async function globalSetup(): Promise<void> {
  const name = `bulk_sms_test_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const pgUrl = TEST_POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  await applyMigrations(pgUrl);

  const db = await PGlite.create('memory://');
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 200 });
  orderMessagesPerExchange(server, db);
  await server.start();
  const pgliteUrl = `postgresql://postgres:postgres@${server.getServerConn()}/postgres`;
  await applyMigrations(pgliteUrl);

  process.env.TEST_PG_DATABASE = name;
  process.env.TEST_PG_URL = pgUrl;
  process.env.TEST_PGLITE_URL = pgliteUrl;
  (globalThis as Record<string, unknown>).__pglite = { db, server };
}
