import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

/** Windows in milliseconds, by whether the country sends receipts and whether the message is SENT. */
export interface ReceiptWindows {
  noReceiptCountries: readonly string[];
  /** SENT, measured from sentAt. */
  sentMs: number;
  sentNoReceiptMs: number;
  /** SUBMITTED or QUEUED, measured from submission. */
  unsentMs: number;
  unsentNoReceiptMs: number;
}

export interface OverdueMessage {
  id: string;
  providerMessageId: string;
}

export interface OverdueBatch {
  batchId: string;
  /** Provider UUIDs of the batch that no message carries yet. */
  unmatchedUuids: string[];
  /**
   * Numbers of the batch's waiting messages that never learnt their UUID (at most 100). When the
   * provider's answer to the submission was lost, the batch knows no UUID at all: these numbers are
   * what can still be looked up, by number around `attemptedAt`.
   */
  uuidlessNumbers: string[];
  /** When the batch was submitted (or accepted, when the submission time is unknown). */
  attemptedAt: Date;
}

// Messages still waiting for a report, in batches the provider accepted (others belong to the dispatcher).
const WAITING = `m.status IN ('SUBMITTED', 'QUEUED', 'SENT')`;
// When the wait started: sending for SENT, else submission.
const WAIT_START = `coalesce(CASE WHEN m.status = 'SENT' THEN m."sentAt" END, m."submittedAt", b."acceptedAt", b."submittedAt", m."createdAt")`;
// Campaigns that can still hold waiting messages (the counters say so without touching messages).
const LIVE_CAMPAIGNS = `SELECT id FROM "Campaign" WHERE status <> 'COMPLETED' AND submitted + queued + sent > 0`;
// Batches older than this are not polled any more: the receipt window has long finalised them.
const MAX_POLL_AGE_MS = 7 * 24 * 3600 * 1000;

const MARK_UNCONFIRMED_SQL = `
WITH due AS (
  SELECT m.id
  FROM "Message" m JOIN "Batch" b ON b.id = m."batchId"
  WHERE m."campaignId" IN (${LIVE_CAMPAIGNS})
    AND ${WAITING}
    AND b.state = 'ACCEPTED'
    AND ${WAIT_START} < now() - (CASE
      WHEN m.status = 'SENT' AND m.country = ANY(string_to_array($1, ',')) THEN $2::bigint
      WHEN m.status = 'SENT' THEN $3::bigint
      WHEN m.country = ANY(string_to_array($1, ',')) THEN $4::bigint
      ELSE $5::bigint END) * interval '1 millisecond'
  ORDER BY m.id
  LIMIT $6
  FOR UPDATE OF m SKIP LOCKED
)
UPDATE "Message" AS m SET status = 'UNCONFIRMED', "updatedAt" = now()
FROM due WHERE m.id = due.id AND ${WAITING}
RETURNING m."campaignId"`;

// Polled no more often than the re-poll gap; never polled first, then the least recently polled, so
// that messages the provider cannot settle yet do not starve the others. Claimed (reportPolledAt set)
// in the statement that picks them, so that concurrent pollers and restarts keep the rotation.
const OVERDUE_MESSAGES_SQL = `
WITH due AS (
  SELECT m.id
  FROM "Message" m JOIN "Batch" b ON b.id = m."batchId"
  WHERE m."campaignId" IN (${LIVE_CAMPAIGNS})
    AND ${WAITING}
    AND m."providerMessageId" IS NOT NULL
    AND b.state = 'ACCEPTED'
    AND NOT (m.status = 'SENT' AND m.country = ANY(string_to_array($1, ',')))
    AND ${WAIT_START} < now() - $2::bigint * interval '1 millisecond'
    AND (m."reportPolledAt" IS NULL OR m."reportPolledAt" < now() - $3::bigint * interval '1 millisecond')
  ORDER BY m."reportPolledAt" NULLS FIRST, ${WAIT_START}, m.id
  LIMIT $4
  FOR UPDATE OF m SKIP LOCKED
)
UPDATE "Message" AS m SET "reportPolledAt" = now()
FROM due WHERE m.id = due.id
RETURNING m.id::text AS id, m."providerMessageId"`;

const OVERDUE_BATCHES_SQL = `
WITH due AS (
  SELECT b.id
  FROM "Batch" b
  WHERE b.state = 'ACCEPTED'
    AND coalesce(b."acceptedAt", b."submittedAt") < now() - $1::bigint * interval '1 millisecond'
    AND coalesce(b."acceptedAt", b."submittedAt") > now() - $2::bigint * interval '1 millisecond'
    AND (b."reportPolledAt" IS NULL OR b."reportPolledAt" < now() - $3::bigint * interval '1 millisecond')
    AND EXISTS (SELECT 1 FROM "Message" m WHERE m."batchId" = b.id AND m."providerMessageId" IS NULL
                AND m.status IN ('SUBMITTED', 'QUEUED', 'SENT'))
  ORDER BY b."reportPolledAt" NULLS FIRST, coalesce(b."acceptedAt", b."submittedAt"), b.id
  LIMIT $4
  FOR UPDATE OF b SKIP LOCKED
)
UPDATE "Batch" AS b SET "reportPolledAt" = now()
FROM due WHERE b.id = due.id
RETURNING b.id::text AS "batchId",
  array(SELECT u FROM unnest(b."providerUuids") u
        WHERE NOT EXISTS (SELECT 1 FROM "ProviderMessage" x WHERE x."providerMessageId" = u)) AS "unmatchedUuids",
  array(SELECT m."to" FROM "Message" m WHERE m."batchId" = b.id AND m."providerMessageId" IS NULL
        AND m.status IN ('SUBMITTED', 'QUEUED', 'SENT') ORDER BY m.id LIMIT 100) AS "uuidlessNumbers",
  coalesce(b."submittedAt", b."acceptedAt") AS "attemptedAt"`;

/** Finishing messages whose receipt never came, and finding the ones worth asking the provider about. */
@Injectable()
export class ReceiptWindowRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Marks UNCONFIRMED up to `limit` waiting messages whose window has passed (one statement);
   * returns the campaign of each message changed (with repeats).
   */
  async markUnconfirmed(windows: ReceiptWindows, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ campaignId: string }>>(
      MARK_UNCONFIRMED_SQL,
      windows.noReceiptCountries.join(','),
      Math.round(windows.sentNoReceiptMs),
      Math.round(windows.sentMs),
      Math.round(windows.unsentNoReceiptMs),
      Math.round(windows.unsentMs),
      limit,
    );
    return rows.map((row) => row.campaignId);
  }

  /**
   * Claims up to `limit` waiting messages with a known provider UUID, overdue for a report and not
   * polled within `repollAfterMs`: never polled first, then the least recently polled.
   */
  claimOverdueMessages(
    overdueAfterMs: number,
    repollAfterMs: number,
    noReceiptCountries: readonly string[],
    limit: number,
  ): Promise<OverdueMessage[]> {
    return this.prisma.$queryRawUnsafe<OverdueMessage[]>(
      OVERDUE_MESSAGES_SQL,
      noReceiptCountries.join(','),
      Math.round(overdueAfterMs),
      Math.round(repollAfterMs),
      limit,
    );
  }

  /**
   * Claims up to `limit` accepted, overdue batches with messages that never learnt their UUID (with
   * the UUIDs nobody carries), not polled within `repollAfterMs`, least recently polled first.
   */
  claimOverdueBatches(overdueAfterMs: number, repollAfterMs: number, limit: number): Promise<OverdueBatch[]> {
    return this.prisma.$queryRawUnsafe<OverdueBatch[]>(
      OVERDUE_BATCHES_SQL,
      Math.round(overdueAfterMs),
      MAX_POLL_AGE_MS,
      Math.round(repollAfterMs),
      limit,
    );
  }

  /** Of these provider UUIDs, the ones a message already carries. */
  async carriedProviderIds(uuids: readonly string[]): Promise<string[]> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ id: string }>>(
      `SELECT "providerMessageId" AS id FROM "ProviderMessage" WHERE "providerMessageId" = ANY(string_to_array($1, ','))`,
      uuids.join(','),
    );
    return rows.map((row) => row.id);
  }
}
