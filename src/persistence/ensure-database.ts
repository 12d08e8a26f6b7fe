import { Client } from 'pg';

/** A start-up problem the operator can fix; main.ts prints its message alone, without a stack. */
export class DatabaseStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseStartupError';
  }
}

export type EnsureDatabaseResult = 'exists' | 'created';

// PostgreSQL SQLSTATEs: https://www.postgresql.org/docs/current/errcodes-appendix.html
const INVALID_CATALOG_NAME = '3D000';
const INSUFFICIENT_PRIVILEGE = '42501';
const DUPLICATE_DATABASE = '42P04';

/**
 * Makes sure the database DATABASE_URL names exists: when it does not, it is created through the
 * server's `postgres` database if the role may (CREATEDB); otherwise, and when the server cannot be
 * reached, a DatabaseStartupError says in one line what is wrong and how to fix it.
 */
export async function ensureDatabaseExists(databaseUrl: string): Promise<EnsureDatabaseResult> {
  const target = new URL(databaseUrl);
  const database = decodeURIComponent(target.pathname.replace(/^\//, '')) || decodeURIComponent(target.username);
  const where = `${target.hostname}:${target.port || '5432'}`;
  const role = decodeURIComponent(target.username) || 'the current user';
  try {
    await withClient(databaseUrl, () => Promise.resolve());
    return 'exists';
  } catch (error) {
    if (sqlState(error) !== INVALID_CATALOG_NAME) {
      throw new DatabaseStartupError(`Cannot connect to PostgreSQL at ${where} as ${role}: ${describe(error)}`);
    }
  }
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  try {
    await withClient(maintenance.toString(), (client) => client.query(`CREATE DATABASE ${quoteIdentifier(database)}`));
    return 'created';
  } catch (error) {
    if (sqlState(error) === DUPLICATE_DATABASE) {
      return 'exists'; // another instance created it meanwhile
    }
    const why = sqlState(error) === INSUFFICIENT_PRIVILEGE ? `role ${role} may not create databases` : describe(error);
    throw new DatabaseStartupError(
      `Database "${database}" does not exist on ${where} and could not be created (${why}): create it as a ` +
        `privileged user (createdb -h ${target.hostname} -p ${target.port || '5432'} -O ${role} ${database}, or ` +
        `CREATE DATABASE ${quoteIdentifier(database)} OWNER ${quoteIdentifier(role)};) and start again`,
    );
  }
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function sqlState(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

function describe(error: unknown): string {
  const code = sqlState(error);
  const message = (error instanceof Error ? error.message : String(error)) || 'connection failed';
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
