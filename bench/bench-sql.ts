import { Client } from 'pg';
import { applyMigrations } from '../src/persistence/migrator';

/** Runs one statement on its own connection (database creation and dropping in the benches). */
export async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A new, migrated database `name` on the server of `adminUrl` (one left by an interrupted run is replaced). */
export async function migratedDatabase(
  adminUrl: string,
  name: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const drop = () => sql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await drop();
  await sql(adminUrl, `CREATE DATABASE "${name}"`);
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  await applyMigrations(url);
  return { url, drop };
}

/**
 * Gives the campaign's batches the id range of its messages (Batch.messageIdFrom/To), as the service's
 * campaign insert does, for a bench that fills Message itself: without it a lookup by batch probes every
 * partition, which the service's own campaigns do not.
 */
export async function recordBatchIdRanges(client: Client, campaignId: string): Promise<void> {
  await client.query(
    `UPDATE "Batch" b SET "messageIdFrom" = r.lo, "messageIdTo" = r.hi
     FROM (SELECT min(id) AS lo, max(id) AS hi FROM "Message" WHERE "campaignId" = $1::uuid) r
     WHERE b."campaignId" = $1::uuid`,
    [campaignId],
  );
}
