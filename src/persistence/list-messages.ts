import { Prisma } from '../generated/prisma/client';
import { Db } from './db';

/**
 * Batches of a list's campaign whose messages are not made yet: these batches, or a campaign's in one ending
 * state (cancelled or failed). Batches whose messages exist are skipped, so making is idempotent.
 */
export type UnmadeBatches =
  | { batchIds: readonly string[] }
  | { campaignId: string; batchState: 'CANCELLED' | 'FAILED' }
  /**
   * The batches that hold the campaign's next `unlockedMessages` recipients in list order (by each batch's
   * first position), among those no one else holds (skipped, not waited for).
   */
  | { campaignId: string; unlockedMessages: number };

/** The status the made messages start in: waiting, or the ending their batch already had. */
export type MadeMessageStatus =
  { status: 'PENDING' } | { status: 'CANCELLED' } | { status: 'FAILED'; errorCode: string };

/** Where a batch's messages' ids lie (Batch.messageIdFrom/To), as recorded when they were made. */
export interface MessageIdRange {
  messageIdFrom: bigint;
  messageIdTo: bigint;
}

/** What makeListMessages made: how many messages, and each batch's id range (a batch whose entries were all erased has none). */
export interface MadeListMessages {
  messages: number;
  ranges: Map<string, MessageIdRange>;
}

/**
 * Makes the messages of a list's campaign's batches from the list's entries (in list order: their ids follow
 * it), records each batch's message id range and empties its positions, in one statement; then takes back
 * from the campaign's counters what its acceptance counted as waiting (`total` and `pending`), since the
 * counters trigger counts the new rows again. Locks the batches (batch, then messages, then campaigns: the
 * dispatcher's lock order). An entry erased meanwhile makes no message, and leaves the total one lower.
 * Returns how many messages were made, and the id range of each batch that got some.
 */
export async function makeListMessages(
  db: Db,
  batches: UnmadeBatches,
  made: MadeMessageStatus = { status: 'PENDING' },
): Promise<MadeListMessages> {
  let which: Prisma.Sql;
  // Waiting for a lock: in id order, as other writers of several batches lock them.
  let lock = Prisma.sql`ORDER BY b.id FOR NO KEY UPDATE OF b`;
  if ('batchIds' in batches) {
    which = Prisma.sql`b.id = ANY(${[...batches.batchIds]}::uuid[])`;
  } else if ('unlockedMessages' in batches) {
    // The batches that start earliest in the list first, so that a campaign made in several steps gets its
    // messages' ids in about list order; never waits for a lock.
    which = Prisma.sql`b.id IN (
      SELECT w.id FROM (
        SELECT u.id, cardinality(u."listPositions") AS size,
          sum(cardinality(u."listPositions")) OVER (ORDER BY u."listPositions"[1], u.id) AS running
        FROM "Batch" u WHERE u."campaignId" = ${batches.campaignId}::uuid AND cardinality(u."listPositions") > 0
      ) w
      WHERE w.running - w.size < ${batches.unlockedMessages}::int)`;
    lock = Prisma.sql`FOR NO KEY UPDATE OF b SKIP LOCKED`;
  } else {
    which = Prisma.sql`b."campaignId" = ${batches.campaignId}::uuid AND b.state = ${batches.batchState}::"BatchState"`;
  }
  const errorCode = made.status === 'FAILED' ? made.errorCode : null;
  const rows = await db.$queryRaw<
    Array<{ campaignId: string; planned: number; made: number; batchIds: string[]; froms: string[]; tos: string[] }>
  >`
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
      RETURNING t."campaignId", t.id, r.lo, r.hi, cardinality(t.positions) AS planned, coalesce(r.n, 0) AS n
    )
    SELECT "campaignId"::text AS "campaignId", sum(planned)::int AS planned, sum(n)::int AS made,
      array_agg(id::text) FILTER (WHERE lo IS NOT NULL) AS "batchIds",
      array_agg(lo::text) FILTER (WHERE lo IS NOT NULL) AS froms, array_agg(hi::text) FILTER (WHERE lo IS NOT NULL) AS tos
    FROM emptied GROUP BY 1 ORDER BY 1`;
  const ranges = new Map<string, MessageIdRange>();
  if (rows.length === 0) {
    return { messages: 0, ranges };
  }
  for (const row of rows) {
    (row.batchIds ?? []).forEach((id, i) =>
      ranges.set(id, { messageIdFrom: BigInt(row.froms[i]), messageIdTo: BigInt(row.tos[i]) }),
    );
  }
  await db.$executeRaw`
    UPDATE "Campaign" AS c SET total = c.total - p.planned, pending = c.pending - p.planned, "updatedAt" = now()
    FROM unnest(${rows.map((r) => r.campaignId)}::uuid[], ${rows.map((r) => r.planned)}::int[]) AS p(id, planned)
    WHERE c.id = p.id`;
  return { messages: rows.reduce((sum, row) => sum + row.made, 0), ranges };
}

/** Whether the campaign has batches whose messages are not made yet (an index-only probe). */
export async function hasUnmadeListMessages(db: Db, campaignId: string): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ unmade: boolean }>>`
    SELECT EXISTS (SELECT 1 FROM "Batch" WHERE "campaignId" = ${campaignId}::uuid AND cardinality("listPositions") > 0)
      AS unmade`;
  return row.unmade;
}

// Messages made per transaction by makeAllListMessages: under a second of PostgreSQL's.
const MESSAGES_PER_TRANSACTION = 100_000;
// How long a read waits for batches that others hold (a claim, a cancel: they make them).
const HELD_BATCH_WAIT_MS = 50;
const HELD_BATCH_WAIT_LIMIT_MS = 30_000;

/** Runs its work in a transaction of its own. */
export type InTransaction = <T>(work: (tx: Db) => Promise<T>) => Promise<T>;

/**
 * One step of making a campaign's messages for a read: the batches holding its next `messages` recipients
 * in list order (at least one batch), in a transaction of their own, skipping batches another transaction
 * holds (a claim or a cancel, which makes them) and waiting while only those are left. Returns whether any
 * batch is left to make.
 */
export async function makeNextListMessages(
  db: Db,
  campaignId: string,
  messages: number,
  transaction: InTransaction,
): Promise<boolean> {
  for (let waitedMs = 0; ; waitedMs += HELD_BATCH_WAIT_MS) {
    const [made, left] = await transaction(async (tx) => {
      const { messages: count } = await makeListMessages(tx, { campaignId, unlockedMessages: messages });
      return [count, await hasUnmadeListMessages(tx, campaignId)] as const;
    });
    if (made > 0 || !left) {
      return left;
    }
    if (waitedMs >= HELD_BATCH_WAIT_LIMIT_MS) {
      throw new Error(`the messages of campaign ${campaignId} are still being made elsewhere`);
    }
    await new Promise((resolve) => setTimeout(resolve, HELD_BATCH_WAIT_MS));
  }
}

/**
 * Makes every message of the campaign not made yet (before an export), MESSAGES_PER_TRANSACTION at a time.
 * Nothing to make: one index probe.
 */
export async function makeAllListMessages(db: Db, campaignId: string, transaction: InTransaction): Promise<void> {
  if (!(await hasUnmadeListMessages(db, campaignId))) {
    return;
  }
  while (await makeNextListMessages(db, campaignId, MESSAGES_PER_TRANSACTION, transaction)) {
    // Each step made some, or waited for those another transaction held.
  }
}

/**
 * The batches not made yet that hold `phone`: of one campaign, or of any campaign of an account (the
 * account's lists are searched by number, as erasure deletes the number's entries).
 */
export async function unmadeBatchesHolding(
  db: Db,
  phone: string,
  scope: { campaignId: string } | { accountId: string },
): Promise<string[]> {
  const campaign =
    'campaignId' in scope
      ? Prisma.sql`c.id = ${scope.campaignId}::uuid`
      : Prisma.sql`c."accountId" = ${scope.accountId}::uuid`;
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT DISTINCT b.id::text AS id FROM "RecipientListEntry" e
      JOIN "Campaign" c ON c."recipientListId" = e."listId" AND ${campaign}
      JOIN "Batch" b ON b."campaignId" = c.id AND cardinality(b."listPositions") > 0
        AND e.position = ANY(b."listPositions")
    WHERE e.phone = ${phone}`;
  return rows.map((row) => row.id);
}
