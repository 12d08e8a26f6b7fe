import { Prisma } from '../generated/prisma/client';

/**
 * An UPDATE of the waiting (PENDING) messages in a campaign's batches that are in `batchState`, setting
 * `assignments`: one index probe per batch on (batchId), its id range taking the probe to the partition
 * that holds its messages. Written as a join on Batch rather than `"campaignId" = … AND "batchId" IN
 * (SELECT …)`: right after a large campaign was stored, before statistics counted its rows, the planner ran
 * that as a nested loop reading every waiting message of the campaign again for each batch (a million
 * waiting messages: over 300 s on PostgreSQL, and the cancel's transaction timed out; this way 11 s).
 */
export function updateWaitingMessagesOfBatches(
  campaignId: string,
  batchState: 'CANCELLED' | 'FAILED',
  assignments: Prisma.Sql,
): Prisma.Sql {
  return Prisma.sql`
    UPDATE "Message" AS m SET ${assignments}
    FROM "Batch" b
    WHERE b."campaignId" = ${campaignId}::uuid AND b.state = ${batchState}::"BatchState"
      AND m."batchId" = b.id AND m.status = 'PENDING'
      AND m.id BETWEEN coalesce(b."messageIdFrom", 0) AND coalesce(b."messageIdTo", 9223372036854775807)`;
}
