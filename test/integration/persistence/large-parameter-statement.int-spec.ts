import { Client } from 'pg';
import {
  executeLargeParameterStatement,
  queryLargeParameterStatement,
} from '../../../src/persistence/large-parameter-statement';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';

/**
 * A statement whose parameters skip Prisma's query compiler runs where Prisma would have run it: on the
 * pool, or inside the caller's transaction (rolled back with it), with its parameters whole.
 */
describe.each(TEST_DATABASES)('Statements with large parameters (%s)', (kind) => {
  let prisma: PrismaService;
  let sql: Client;
  const table = `large_parameter_${process.pid}`;

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl(kind), 2);
    sql = new Client({ connectionString: testDatabaseUrl(kind) });
    await sql.connect();
    await sql.query(`CREATE TABLE ${table} (tag text, value text)`);
  });

  afterAll(async () => {
    await sql?.query(`DROP TABLE IF EXISTS ${table}`);
    await prisma?.$disconnect();
    await sql?.end();
  });

  const insert = (tag: string, values: string[]) => ({
    sql: `INSERT INTO ${table} (tag, value) SELECT $1, unnest(string_to_array($2, ','))`,
    args: [tag, values.join(',')],
  });

  async function valuesOf(tag: string): Promise<string[]> {
    const { rows } = await sql.query<{ value: string }>(`SELECT value FROM ${table} WHERE tag = $1 ORDER BY value`, [
      tag,
    ]);
    return rows.map((row) => row.value);
  }

  it('runs on the pool with every value of a parameter of a megabyte and more', async () => {
    const values = Array.from({ length: 80_000 }, (_, i) => `+4474${String(10_000_000 + i)}`);
    expect(await executeLargeParameterStatement(prisma, insert('pool', values))).toBe(values.length);
    expect(await valuesOf('pool')).toEqual(values);
  });

  it("runs inside the caller's transaction: committed with it, rolled back with it", async () => {
    await prisma.$transaction(async (tx) => {
      await executeLargeParameterStatement(tx, insert('committed', ['a', 'b']));
      // Seen inside the transaction, on its connection.
      const inside = await tx.$queryRawUnsafe<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM ${table} WHERE tag = 'committed'`,
      );
      expect(inside[0].n).toBe(2);
    });
    expect(await valuesOf('committed')).toEqual(['a', 'b']);

    await expect(
      prisma.$transaction(async (tx) => {
        await executeLargeParameterStatement(tx, insert('rolled back', ['c']));
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await valuesOf('rolled back')).toEqual([]);
  });

  it('returns the rows of a query, on the pool and in a transaction, as $queryRaw does', async () => {
    await executeLargeParameterStatement(prisma, insert('queried', ['p', 'q', 'r']));
    const query = {
      sql: `SELECT value, length(value)::int AS length FROM ${table} WHERE tag = $1 AND value = ANY(string_to_array($2, ',')) ORDER BY value`,
      args: ['queried', 'p,r,z'],
    };
    const expected = [
      { value: 'p', length: 1 },
      { value: 'r', length: 1 },
    ];
    expect(await queryLargeParameterStatement(prisma, query)).toEqual(expected);
    expect(await prisma.$transaction((tx) => queryLargeParameterStatement(tx, query))).toEqual(expected);
  });

  it('fails, and changes nothing, when the statement is refused', async () => {
    await expect(
      executeLargeParameterStatement(prisma, {
        sql: `INSERT INTO ${table} (tag, value) VALUES ($1, $2::int)`,
        args: ['x', 'not a number'],
      }),
    ).rejects.toThrow(/invalid input syntax for type integer/);
    expect(await valuesOf('x')).toEqual([]);
  });
});
