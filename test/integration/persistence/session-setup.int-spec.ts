import { Client, Pool } from 'pg';
import { guardedPool } from '../../../src/persistence/guarded-pool';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { freshDatabase } from '../../utils/fresh-database';
import { TEST_DATABASES, TEST_POSTGRES_ADMIN_URL } from '../../utils/test-databases';

// Compiled by LLVM wherever JIT is on, the database being told below to compile every statement.
const STATEMENT = 'SELECT sum(x) FROM generate_series(1, 1000) AS x';

async function usesJit(query: (sql: string) => Promise<Array<Record<string, unknown>>>): Promise<boolean> {
  const [row] = await query(`EXPLAIN (ANALYZE, FORMAT JSON) ${STATEMENT}`);
  const [plan] = row['QUERY PLAN'] as Array<{ JIT?: unknown }>;
  return plan.JIT !== undefined;
}

/**
 * Every connection of the service's pools (Prisma's and the repositories' own) runs with JIT off from its
 * first statement: a statement whose estimated cost passed jit_above_cost was compiled by LLVM at every
 * execution, ~100 ms of CPU each, and a drain fell minutes behind its status callbacks.
 */
describe.each(TEST_DATABASES)('Session setup of the service’s connections (%s)', (kind) => {
  let database: { url: string; drop(): Promise<void> };
  const pools: Pool[] = [];

  beforeAll(async () => {
    database = await freshDatabase(kind);
    if (kind === 'postgres') {
      // As if every statement crossed the threshold (PGlite, built without LLVM, never compiles).
      const name = new URL(database.url).pathname.slice(1);
      const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
      await admin.connect();
      await admin.query(`ALTER DATABASE "${name}" SET jit_above_cost = 0`);
      await admin.end();
    }
  });

  afterAll(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
    await database.drop();
  });

  function pool(): Pool {
    const opened = guardedPool({ connectionString: database.url, max: 3 }, () => undefined);
    pools.push(opened);
    return opened;
  }

  it('should run a new connection’s very first statement with JIT off, on every connection', async () => {
    const clients = await Promise.all([0, 1, 2].map(() => pool().connect()));
    try {
      const settings = await Promise.all(clients.map((client) => client.query<{ jit: string }>('SHOW jit')));
      expect(settings.map(({ rows }) => rows[0].jit)).toEqual(['off', 'off', 'off']);
      for (const client of clients) {
        await expect(usesJit(async (sql) => (await client.query<Record<string, unknown>>(sql)).rows)).resolves.toBe(false);
      }
    } finally {
      clients.forEach((client) => client.release());
    }
  });

  it('should compile nothing through Prisma either', async () => {
    const prisma = new PrismaService(database.url, 2);
    try {
      const [{ jit }] = await prisma.$queryRawUnsafe<Array<{ jit: string }>>('SHOW jit');
      expect(jit).toBe('off');
      await expect(usesJit((sql) => prisma.$queryRawUnsafe(sql))).resolves.toBe(false);
    } finally {
      await prisma.$disconnect();
    }
  });

  if (kind === 'postgres') {
    it('should be what makes the difference: a plain connection to the same database compiles', async () => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const {
          rows: [{ available }],
        } = await client.query<{ available: boolean }>('SELECT pg_jit_available() AS available');
        // Without LLVM on the server nothing compiles either way; the checks above still hold.
        expect(await usesJit(async (sql) => (await client.query<Record<string, unknown>>(sql)).rows)).toBe(available);
      } finally {
        await client.end();
      }
    });
  }
});
