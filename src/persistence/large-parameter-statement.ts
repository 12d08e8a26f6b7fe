import { randomUUID } from 'node:crypto';
import type { Db } from './db';

/**
 * A statement and its parameters ($1, $2, ...): texts (e.g. 50,000 numbers joined by commas), text arrays
 * for values that may hold anything (a batch's rendered text), or NULL. Each is cast in the SQL where it is used.
 */
export interface LargeParameterStatement {
  sql: string;
  args: Array<string | string[] | null>;
}

/** The query the driver adapter is given (the shape of @prisma/driver-adapter-utils' SqlQuery). */
export interface AdapterQuery {
  sql: string;
  args: unknown[];
  argTypes: Array<{ scalarType: string; arity: 'scalar' | 'list'; dbType?: string }>;
}

const MARKER = '/* large-parameter-statement ';
// A function that does not exist: a stand-in that reaches the database unreplaced fails instead of doing nothing.
const STAND_IN = 'SELECT large_parameter_statement_not_replaced()';
const waiting = new Map<string, LargeParameterStatement>();

/**
 * Runs `statement` on `db` (in its transaction when it is one) without its parameters going through
 * Prisma's query compiler. Prisma 6.19 serialises a raw query's parameters to JSON, copies them into the
 * compiler's WebAssembly memory and decodes the plan it returns: for one 50,000-row INSERT of a campaign's
 * messages (1.1 MB of parameters) that held the event loop for 50-100 ms, garbage collection included, the
 * longest pauses of a 1,000,000-recipient sendBulk. Prisma runs a small stand-in instead, and the driver
 * adapter (ReleasingPrismaPg) swaps in the real statement on the same connection. Resolves to the row count.
 */
export function executeLargeParameterStatement(db: Db, statement: LargeParameterStatement): Promise<number> {
  return withStandIn(statement, (standIn) => db.$executeRawUnsafe(standIn));
}

/** executeLargeParameterStatement for a query: its rows, as $queryRaw gives them. */
export function queryLargeParameterStatement<T>(db: Db, statement: LargeParameterStatement): Promise<T[]> {
  return withStandIn(statement, (standIn) => db.$queryRawUnsafe<T[]>(standIn));
}

async function withStandIn<T>(statement: LargeParameterStatement, run: (standIn: string) => Promise<T>): Promise<T> {
  const handle = randomUUID();
  waiting.set(handle, statement);
  try {
    return await run(`${STAND_IN} ${MARKER}${handle} */`);
  } finally {
    waiting.delete(handle);
  }
}

/** For the driver adapter: the statement a stand-in stands for, or `query` itself. */
export function replaceStandIn<Q extends AdapterQuery>(query: Q): Q {
  if (!query.sql.startsWith(STAND_IN)) {
    return query;
  }
  const at = query.sql.indexOf(MARKER);
  const statement = at < 0 ? undefined : waiting.get(query.sql.slice(at + MARKER.length, query.sql.indexOf(' */', at)));
  if (!statement) {
    return query;
  }
  return {
    ...query,
    sql: statement.sql,
    args: statement.args,
    argTypes: statement.args.map((arg) => ({ scalarType: 'string', arity: Array.isArray(arg) ? 'list' : 'scalar' })),
  };
}
