import { copyTemplate } from './fresh-database';

/**
 * Each test file starts on its worker's PostgreSQL database made anew from the migrated template
 * (global-setup.ts), under the same name and URL. Otherwise what an earlier file left there (campaigns
 * due, messages waiting for receipts from a sandbox that has stopped, consent replies, connections)
 * is the next file's app's work too: its loops go through it first, and waits that count across the
 * database wait for it. The worker's PGlite stays shared: it has one database, and starting one per
 * file costs seconds.
 */
beforeAll(async () => {
  const worker = process.env.JEST_WORKER_ID ?? '1';
  const template = process.env[`TEST_PG_TEMPLATE_${worker}`];
  const url = process.env[`TEST_PG_URL_${worker}`];
  if (!template || !url) {
    return; // not run through test/jest-integration.config.js: test-databases.ts says so when used
  }
  await copyTemplate(template, new URL(url).pathname.slice(1));
});
