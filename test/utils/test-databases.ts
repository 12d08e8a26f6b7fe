/** The server the integration tests create their database on (CI starts it; trust auth). */
export const TEST_POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export type TestDatabaseKind = 'postgres' | 'pglite';

export const TEST_DATABASES: TestDatabaseKind[] = ['postgres', 'pglite'];

export function testDatabaseUrl(kind: TestDatabaseKind): string {
  const url = kind === 'postgres' ? process.env.TEST_PG_URL : process.env.TEST_PGLITE_URL;
  if (!url) {
    throw new Error(
      'Run integration tests through test/jest-integration.config.js (its globalSetup creates the databases)',
    );
  }
  return url;
}
