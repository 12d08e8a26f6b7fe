import { Prisma } from '../generated/prisma/client';
import { Db } from './db';

/**
 * Batches of a list's campaign whose messages are not made yet: these batches, or those of a campaign (in
 * one state, or all of them). Batches whose messages exist are skipped, so making is idempotent.
 */
export type UnmadeBatches =
  | { batchIds: readonly string[] }
  | { campaignId: string; batchState?: 'CANCELLED' | 'FAILED' }
  /** Up to `limit` of the campaign's batches that no one else holds (skipped, not waited for). */
  | { campaignId: string; unlockedLimit: number };

/** The status the made messages start in: waiting, or the ending their batch already had. */
export type MadeMessageStatus =
  { status: 'PENDING' } | { status: 'CANCELLED' } | { status: 'FAILED'; errorCode: string };

/**
 * Makes the messages of a list's campaign's batches from the list's entries (in list order: their ids follow
 * it), records each batch's message id range and empties its positions, in one statement; then takes back
 * from the campaign's counters what its acceptance counted as waiting (`total` and `pending`), since the
 * counters trigger counts the new rows again. Locks the batches (batch, then messages, then campaigns: the
 * dispatcher's lock order). An entry erased meanwhile makes no message, and leaves the total one lower.
 * Returns how many messages were made.
 */
export async function makeListMessages(
  db: Db,
  batches: UnmadeBatches,
  made: MadeMessageStatus = { status: 'PENDING' },
): Promise<number> {
  let which: Prisma.Sql;
  // Waiting for a lock: in id order, as other writers of several batches lock them.
  let lock = Prisma.sql`ORDER BY b.id FOR NO KEY UPDATE OF b`;
  if ('batchIds' in batches) {
    which = Prisma.sql`b.id = ANY(${[...batches.batchIds]}::uuid[])`;
  } else if ('unlockedLimit' in batches) {
    which = Prisma.sql`b."campaignId" = ${batches.campaignId}::uuid`;
    // Never waits: the batches that start earliest in the list first, so that a campaign made in several
    // transactions gets its messages' ids in about list order.
    lock = Prisma.sql`ORDER BY b."listPositions"[1] LIMIT ${batches.unlockedLimit}::int FOR NO KEY UPDATE OF b SKIP LOCKED`;
  } else {
    const state = batches.batchState ?? null;
    which = Prisma.sql`b."campaignId" = ${batches.campaignId}::uuid
      AND (${state}::text IS NULL OR b.state::text = ${state}::text)`;
  }
  const errorCode = made.status === 'FAILED' ? made.errorCode : null;
  const rows = await db.$queryRaw<Array<{ campaignId: string; planned: number; made: number }>>`
    WITH todo AS (
      SELECT b.id, b."campaignId", b."listPositions" AS positions, c."recipientListId" AS "listId"
      FROM "Batch" b JOIN "Campaign" c ON c.id = b."campaignId"
      WHERE ${which} AND cardinality(b."listPositions") > 0
      ${lock}
    ),
    made AS (
      INSERT INTO "Message" ("campaignId", "batchId", "to", country, status, "errorCode", amount)
      SELECT t."campaignId", t.id, e.phone, e.country, ${made.status}::"MessageStatus", ${errorCode}::text,
        (CASE WHEN ${made.status}::text = 'FAILED' THEN 0 END)::numeric
      FROM todo t CROSS JOIN LATERAL unnest(t.positions) AS p(position)
      JOIN "RecipientListEntry" e ON e."listId" = t."listId" AND e.position = p.position
      ORDER BY p.position
      RETURNING id, "batchId"
    ),
    ranges AS (
      SELECT "batchId", min(id) AS lo, max(id) AS hi, count(*)::int AS n FROM made GROUP BY "batchId"
    ),
    emptied AS (
      UPDATE "Batch" b SET "listPositions" = '{}', "messageIdFrom" = r.lo, "messageIdTo" = r.hi
      FROM todo t LEFT JOIN ranges r ON r."batchId" = t.id
      WHERE b.id = t.id
      RETURNING t."campaignId", cardinality(t.positions) AS planned, coalesce(r.n, 0) AS n
    )
    SELECT "campaignId"::text AS "campaignId", sum(planned)::int AS planned, sum(n)::int AS made
    FROM emptied GROUP BY 1 ORDER BY 1`;
  if (rows.length === 0) {
    return 0;
  }
  await db.$executeRaw`
    UPDATE "Campaign" AS c SET total = c.total - p.planned, pending = c.pending - p.planned, "updatedAt" = now()
    FROM unnest(${rows.map((r) => r.campaignId)}::uuid[], ${rows.map((r) => r.planned)}::int[]) AS p(id, planned)
    WHERE c.id = p.id`;
  return rows.reduce((sum, row) => sum + row.made, 0);
}

/** Whether the campaign has batches whose messages are not made yet (an index-only probe). */
export async function hasUnmadeListMessages(db: Db, campaignId: string): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ unmade: boolean }>>`
    SELECT EXISTS (SELECT 1 FROM "Batch" WHERE "campaignId" = ${campaignId}::uuid AND cardinality("listPositions") > 0)
      AS unmade`;
  return row.unmade;
}

// Batches made per transaction by makeAllListMessages: up to 100,000 messages, under a second of PostgreSQL's.
const BATCHES_PER_TRANSACTION = 100;
// How long makeAllListMessages waits for batches that others hold (a claim, a cancel: they make them).
const HELD_BATCH_WAIT_MS = 50;
const HELD_BATCH_WAIT_LIMIT_MS = 30_000;

/**
 * Makes every message of the campaign that is not made yet, before a read that lists its messages (the
 * messages query, an export): a transaction per BATCHES_PER_TRANSACTION batches, skipping batches another
 * transaction holds (a claim or a cancel, which makes them) and waiting for those to end. `transaction` runs
 * its work in a transaction of its own. Returns how many messages it made.
 */
export async function makeAllListMessages(
  db: Db,
  campaignId: string,
  transaction: <T>(work: (tx: Db) => Promise<T>) => Promise<T>,
): Promise<number> {
  let made = 0;
  let waitedMs = 0;
  while (await hasUnmadeListMessages(db, campaignId)) {
    const [madeNow, batchesLeft] = await transaction(async (tx) => {
      const count = await makeListMessages(tx, { campaignId, unlockedLimit: BATCHES_PER_TRANSACTION });
      return [count, await hasUnmadeListMessages(tx, campaignId)] as const;
    });
    made += madeNow;
    if (madeNow === 0 && batchesLeft) {
      if (waitedMs >= HELD_BATCH_WAIT_LIMIT_MS) {
        throw new Error(`the messages of campaign ${campaignId} are still being made elsewhere`);
      }
      await new Promise((resolve) => setTimeout(resolve, HELD_BATCH_WAIT_MS));
      waitedMs += HELD_BATCH_WAIT_MS;
    }
  }
  return made;
}
