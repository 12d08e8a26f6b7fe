import { Injectable } from '@nestjs/common';
import type { CountryOutcomes } from '../brake/brake-rule';
import { Prisma } from '../generated/prisma/client';
import { Db, InjectDb, inTransaction } from './db';

export const BRAKE_HOLD = 'brake';

interface OutcomeRow {
  campaignId: string;
  country: string;
  sent: number;
  failedAtSend: number;
  optedOutAtSend: number;
  receipts: number;
  undelivered: number;
  optedOutInReceipts: number;
  codes: string[];
  windowReports: number | null;
  minReports: number | null;
  failureRate: number | null;
  optOutRate: number | null;
}

// Statuses that say whether a message went out: FAILED, or SENT and what follows it. The receipts
// (DELIVERED, UNDELIVERED) are among them, so one set of walks serves both windows.
const SENT_STATUSES = ['SENT', 'FAILED', 'DELIVERED', 'UNDELIVERED', 'UNCONFIRMED'];

/** The brake's statements (src/brake): rolling outcomes per campaign and country, trip and release. */
@Injectable()
export class BrakeRepository {
  constructor(@InjectDb() private readonly db: Db) {}

  /**
   * For each country of these campaigns that still has messages waiting (not already held, the
   * campaign sending and not told to ignore the brake), since its brake was last released: its last
   * `windowReports` messages whose send is known, and its last `windowReports` delivery receipts
   * (brake-rule.ts says why two windows), in one statement. Each status walks Message's (campaignId,
   * status, id) index backwards, so it reads about `windowReports` rows per status and country.
   * In a country where no receipt ever comes (NO_RECEIPT_COUNTRIES) the receipt window stays empty
   * and the sends decide alone.
   * The campaign's account's own thresholds come with each row (same statement: no extra round
   * trip), and its own window size, when set, replaces `windowReports` for its campaigns.
   */
  async recentOutcomes(
    campaignIds: string[],
    windowReports: number,
    optOutCodes: string[],
  ): Promise<CountryOutcomes[]> {
    if (campaignIds.length === 0) {
      return [];
    }
    const limit = Prisma.sql`coalesce(s."brakeWindowReports", ${windowReports}::int)`;
    const optedOut = Prisma.sql`l."errorCode" = ANY(${optOutCodes}::text[])`;
    const rows = await this.db.$queryRaw<OutcomeRow[]>`
      WITH pairs AS (
        SELECT DISTINCT b."campaignId", b.country, c."accountId"
        FROM "Batch" b JOIN "Campaign" c ON c.id = b."campaignId"
        WHERE b."campaignId" = ANY(${campaignIds}::uuid[]) AND b.state = 'PENDING' AND b."heldBy" IS NULL
          AND b.country IS NOT NULL AND c.status IN ('QUEUED', 'SENDING') AND NOT c."brakeIgnored"
      )
      SELECT p."campaignId", p.country, w.sent, w."failedAtSend", w."optedOutAtSend",
             w.receipts, w.undelivered, w."optedOutInReceipts", w.codes,
             s."brakeWindowReports" AS "windowReports", s."brakeMinReports" AS "minReports",
             s."brakeFailureRate" AS "failureRate", s."brakeOptOutRate" AS "optOutRate"
      FROM pairs p
      LEFT JOIN "CampaignBrake" k ON k."campaignId" = p."campaignId" AND k.country = p.country
      LEFT JOIN "AccountSettings" s ON s."accountId" = p."accountId"
      CROSS JOIN LATERAL (
        SELECT (count(*) FILTER (WHERE l."inSends"))::int AS sent,
               (count(*) FILTER (WHERE l."inSends" AND l.status = 'FAILED'))::int AS "failedAtSend",
               (count(*) FILTER (WHERE l."inSends"
                 AND ((l.status = 'FAILED' AND ${optedOut}) OR l."optedOut")))::int AS "optedOutAtSend",
               (count(*) FILTER (WHERE l."inReceipts"))::int AS receipts,
               (count(*) FILTER (WHERE l."inReceipts" AND l.status = 'UNDELIVERED'))::int AS undelivered,
               (count(*) FILTER (WHERE l."inReceipts" AND l.status = 'UNDELIVERED'
                 AND ${optedOut} AND NOT l."optedOut"))::int AS "optedOutInReceipts",
               coalesce(array_agg(l."errorCode") FILTER (WHERE l."errorCode" IS NOT NULL AND (
                 (l."inSends" AND l.status = 'FAILED') OR (l."inReceipts" AND l.status = 'UNDELIVERED'))),
                 '{}'::text[]) AS codes
        FROM (${newestOf(limit)}) l
      ) w`;
    return rows.map((row) => ({
      campaignId: row.campaignId,
      country: row.country,
      sent: { count: row.sent, failures: row.failedAtSend, optOuts: row.optedOutAtSend },
      receipts: { count: row.receipts, failures: row.undelivered, optOuts: row.optedOutInReceipts },
      topErrorCodes: countCodes(row.codes),
      accountThresholds: {
        windowReports: row.windowReports,
        minReports: row.minReports,
        failureRate: row.failureRate,
        optOutRate: row.optOutRate,
      },
    }));
  }

  /**
   * Trips the brake of a campaign in a country, durably, in one transaction: the brake row, then
   * (scope 'country') the country's waiting batches held, or (scope 'campaign') the campaign
   * paused, and the reason on the campaign. False if it was already tripped (another instance).
   */
  async trip(campaignId: string, country: string, reason: string, scope: 'country' | 'campaign'): Promise<boolean> {
    return inTransaction(this.db, async (tx) => {
      const tripped = await tx.$queryRaw<Array<{ trips: number }>>`
        INSERT INTO "CampaignBrake" ("campaignId", country, reason, "trippedAt")
        VALUES (${campaignId}::uuid, ${country}, ${reason}, now())
        ON CONFLICT ("campaignId", country) DO UPDATE SET reason = excluded.reason, trips = "CampaignBrake".trips + 1,
          "trippedAt" = excluded."trippedAt", "releasedAt" = NULL
        WHERE "CampaignBrake"."releasedAt" IS NOT NULL
        RETURNING trips`;
      if (tripped.length === 0) {
        return false;
      }
      if (scope === 'country') {
        await tx.$executeRaw`
          UPDATE "Batch" SET "heldBy" = ${BRAKE_HOLD}, "updatedAt" = now()
          WHERE "campaignId" = ${campaignId}::uuid AND country = ${country} AND state = 'PENDING'`;
        await tx.$executeRaw`
          UPDATE "Campaign" SET "statusReason" = ${reason} WHERE id = ${campaignId}::uuid AND status IN ('QUEUED', 'SENDING')`;
      } else {
        await tx.$executeRaw`
          UPDATE "Campaign" SET status = 'PAUSED', "statusReason" = ${reason}, "updatedAt" = now()
          WHERE id = ${campaignId}::uuid AND status IN ('QUEUED', 'SENDING')`;
      }
      return true;
    });
  }

  /**
   * resumeCampaign: every tripped brake of the campaign is released and its batches claimable again;
   * with `ignore`, the brake no longer trips for it. Returns how many batches were released.
   */
  async release(campaignId: string, ignore: boolean): Promise<number> {
    return inTransaction(this.db, async (tx) => {
      const released = await tx.$executeRaw`
        UPDATE "Batch" SET "heldBy" = NULL, "updatedAt" = now()
        WHERE "campaignId" = ${campaignId}::uuid AND "heldBy" = ${BRAKE_HOLD} AND state = 'PENDING'`;
      await tx.$executeRaw`
        UPDATE "CampaignBrake" SET "releasedAt" = now() WHERE "campaignId" = ${campaignId}::uuid AND "releasedAt" IS NULL`;
      await tx.$executeRaw`
        UPDATE "Campaign" SET "brakeIgnored" = "brakeIgnored" OR ${ignore},
          "statusReason" = CASE WHEN "statusReason" LIKE 'brake:%' THEN NULL ELSE "statusReason" END
        WHERE id = ${campaignId}::uuid`;
      return released;
    });
  }

  /**
   * The hook for opt-outs that do not come in a delivery report (an inbound STOP): the latest
   * message of each (campaign, number) counts as opted out. Returns the campaigns touched.
   */
  async markOptedOut(optOuts: Array<{ campaignId: string; to: string }>): Promise<string[]> {
    if (optOuts.length === 0) {
      return [];
    }
    // Locked in id order first, as report application locks the messages it updates.
    const rows = await this.db.$queryRaw<Array<{ campaignId: string }>>`
      WITH locked AS (
        SELECT m.id FROM "Message" m
        JOIN unnest(${optOuts.map((o) => o.campaignId)}::uuid[], ${optOuts.map((o) => o.to)}::text[]) AS o("campaignId", "to")
          ON m."campaignId" = o."campaignId" AND m."to" = o."to"
        WHERE NOT m."optedOut"
        ORDER BY m.id FOR NO KEY UPDATE OF m
      )
      UPDATE "Message" AS m SET "optedOut" = true
      FROM locked l WHERE m.id = l.id AND NOT m."optedOut"
      RETURNING m."campaignId"`;
    return [...new Set(rows.map((r) => r.campaignId))];
  }
}

/**
 * The pair's (campaign, country) messages whose send is known, each marked when it is among the
 * newest `limit` of them (`inSends`) and among the newest `limit` receipts (`inReceipts`). One backward
 * walk of the (campaignId, status, id) index per status, `limit` rows at most each, so a large
 * campaign's older messages are never read; the newest `limit` receipts are within the DELIVERED and
 * UNDELIVERED walks.
 */
function newestOf(limit: Prisma.Sql): Prisma.Sql {
  const walks = SENT_STATUSES.map(
    (status) => Prisma.sql`(SELECT m.id, m.status, m."errorCode", m."optedOut" FROM "Message" m
    WHERE m."campaignId" = p."campaignId" AND m.status = ${status}::"MessageStatus" AND m.country = p.country
      AND (k."releasedAt" IS NULL OR m."updatedAt" > k."releasedAt")
    ORDER BY m.id DESC LIMIT ${limit})`,
  );
  return Prisma.sql`SELECT r.status, r."errorCode", r."optedOut", r."sendRank" <= ${limit} AS "inSends",
      coalesce(r."receiptRank" <= ${limit}, false) AS "inReceipts"
    FROM (
      SELECT f.*, row_number() OVER (ORDER BY f.id DESC) AS "sendRank",
        CASE WHEN f.status IN ('DELIVERED', 'UNDELIVERED') THEN
          row_number() OVER (PARTITION BY f.status IN ('DELIVERED', 'UNDELIVERED') ORDER BY f.id DESC) END AS "receiptRank"
      FROM (${Prisma.join(walks, ' UNION ALL ')}) f
    ) r`;
}

function countCodes(codes: string[]): Array<{ code: string; count: number }> {
  const counts = new Map<string, number>();
  for (const code of codes) {
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));
}
