import type { Db } from './db';
import {
  AdapterQuery,
  executeLargeParameterStatement,
  queryLargeParameterStatement,
  replaceStandIn,
} from './large-parameter-statement';

/** A Db whose $executeRawUnsafe hands its SQL to the adapter hook, as ReleasingPrismaPg does. */
function adapterLike(): { db: Db; ran: AdapterQuery[] } {
  const ran: AdapterQuery[] = [];
  const db = {
    $executeRawUnsafe: (sql: string) => {
      ran.push(replaceStandIn({ sql, args: [], argTypes: [] }));
      return Promise.resolve(1);
    },
    $queryRawUnsafe: (sql: string) => {
      ran.push(replaceStandIn({ sql, args: [], argTypes: [] }));
      return Promise.resolve([{ found: true }]);
    },
  } as unknown as Db;
  return { db, ran };
}

describe('executeLargeParameterStatement', () => {
  it('has Prisma run a stand-in that the adapter replaces with the statement and its text parameters', async () => {
    const { db, ran } = adapterLike();
    await executeLargeParameterStatement(db, { sql: 'INSERT INTO t SELECT $1, $2', args: ['a', 'b,c'] });
    expect(ran).toEqual([
      {
        sql: 'INSERT INTO t SELECT $1, $2',
        args: ['a', 'b,c'],
        argTypes: [
          { scalarType: 'string', arity: 'scalar' },
          { scalarType: 'string', arity: 'scalar' },
        ],
      },
    ]);
  });

  it('does the same for a query, and gives back its rows', async () => {
    const { db, ran } = adapterLike();
    const rows = await queryLargeParameterStatement<{ found: boolean }>(db, { sql: 'SELECT $1', args: ['x'] });
    expect(rows).toEqual([{ found: true }]);
    expect(ran.map((query) => [query.sql, query.args])).toEqual([['SELECT $1', ['x']]]);
  });

  it('forgets the statement once it has run: a stand-in run again reaches the database as it is (and fails there)', async () => {
    let standIn = '';
    const db = {
      $executeRawUnsafe: (sql: string) => {
        standIn = sql;
        return Promise.resolve(1);
      },
    } as unknown as Db;
    await executeLargeParameterStatement(db, { sql: 'DELETE FROM t', args: [] });
    const query = { sql: standIn, args: [], argTypes: [] };
    expect(replaceStandIn(query)).toBe(query);
    expect(standIn).toMatch(/^SELECT large_parameter_statement_not_replaced\(\)/);
  });

  it('leaves every other query alone, even one that mentions the marker', () => {
    const query: AdapterQuery = { sql: "SELECT '/* large-parameter-statement x */'", args: [], argTypes: [] };
    expect(replaceStandIn(query)).toBe(query);
  });
});
