import { copyTemplate } from './fresh-database';
import { testDatabaseUrl, workerPostgresTemplate } from './test-databases';

/**
 * Each test file starts on its worker's PostgreSQL database made anew from the migrated template
 * (global-setup.ts), under the same name and URL. Otherwise what an earlier file left there (campaigns
 * due, messages waiting for receipts from a sandbox that has stopped, consent replies, connections)
 * is the next file's app's work too: its loops go through it first, and waits that count across the
 * database wait for it. The worker's PGlite stays shared: it has one database, and starting one per
 * file costs seconds.
 */
beforeAll(async () => {
  await copyTemplate(workerPostgresTemplate(), new URL(testDatabaseUrl('postgres')).pathname.slice(1));
});
