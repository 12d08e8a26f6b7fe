/** The server the integration tests create their database on (CI starts it; trust auth). */
export const TEST_POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export type TestDatabaseKind = 'postgres' | 'pglite';

export const TEST_DATABASES: TestDatabaseKind[] = ['postgres', 'pglite'];

/** This Jest worker's database of that kind (global-setup.ts creates one pair per worker). */
export function testDatabaseUrl(kind: TestDatabaseKind): string {
  const worker = process.env.JEST_WORKER_ID ?? '1';
  return setByGlobalSetup(kind === 'postgres' ? `TEST_PG_URL_${worker}` : `TEST_PGLITE_URL_${worker}`);
}

/** The migrated template this worker's PostgreSQL databases are copied from (global-setup.ts). */
export function workerPostgresTemplate(): string {
  return setByGlobalSetup(`TEST_PG_TEMPLATE_${process.env.JEST_WORKER_ID ?? '1'}`);
}

/** The migrated PGlite data directory (a tar) that test PGlite servers start from (global-setup.ts). */
export function pgliteTemplate(): string {
  return setByGlobalSetup('TEST_PGLITE_TEMPLATE');
}

function setByGlobalSetup(variable: string): string {
  const value = process.env[variable];
  if (!value) {
    throw new Error(
      `${variable} is not set: run integration tests through test/jest-integration.config.js (its globalSetup creates the databases)`,
    );
  }
  return value;
}

/**
 * Asks this worker's PGlite server to print what its queue waits for (to stderr, in the test output):
 * for a test app whose close hung on its database connections.
 */
export async function reportPgliteQueue(): Promise<void> {
  const pid = Number(process.env[`TEST_PGLITE_PID_${process.env.JEST_WORKER_ID ?? '1'}`]);
  if (!pid) {
    return;
  }
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return; // the server is gone: the error names the hooks anyway
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
