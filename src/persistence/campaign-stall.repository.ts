import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

/** A sending campaign with unfinished messages whose state has not changed for a while. */
export interface StalledCampaign {
  id: string;
  accountId: string;
  /** Messages not at a final status: waiting to be sent, or for their delivery reports. */
  unfinished: number;
  pending: number;
  lastChangeAt: Date;
}

/** The status reason of a stalled campaign starts with this; it is cleared as soon as it moves again. */
export const STALLED_REASON_PREFIX = 'stalled: ';

/**
 * Finds and marks stalled campaigns. Campaign."updatedAt" moves with every message state change
 * (the counters trigger sets it), so a SENDING campaign whose row is old has messages that stopped
 * moving. Marking writes only "statusReason", not "updatedAt", so the mark does not hide the stall.
 */
@Injectable()
export class CampaignStallRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** SENDING campaigns, not yet marked, with unfinished messages and no change for `stallMs`. */
  async findNewlyStalled(stallMs: number, limit: number): Promise<StalledCampaign[]> {
    return this.prisma.$queryRaw<StalledCampaign[]>`
      SELECT id, "accountId", (pending + submitted + queued + sent)::int AS unfinished, pending,
             "updatedAt" AS "lastChangeAt"
      FROM "Campaign"
      WHERE status = 'SENDING' AND "updatedAt" < now() - ${stallMs} * interval '1 millisecond'
        AND pending + submitted + queued + sent > 0
        AND ("statusReason" IS NULL OR "statusReason" NOT LIKE ${STALLED_REASON_PREFIX + '%'})
        -- Waiting for a send window or held by the brake is not a stall (src/quiet-hours, src/brake).
        AND ("statusReason" IS NULL OR "statusReason" NOT LIKE 'brake:%')
        AND NOT EXISTS (SELECT 1 FROM "Batch" b WHERE b."campaignId" = "Campaign".id AND b.state = 'PENDING'
                          AND (b."heldBy" IS NOT NULL OR b."windowOpensAt" > now()))
      ORDER BY "updatedAt"
      LIMIT ${limit}`;
  }

  /** Sets each campaign's reason, unless it changed meanwhile (then it is not stalled). */
  async markStalled(marks: Array<{ id: string; lastChangeAt: Date; reason: string }>): Promise<string[]> {
    if (marks.length === 0) {
      return [];
    }
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      UPDATE "Campaign" AS c SET "statusReason" = m.reason
      FROM unnest(${marks.map((m) => m.id)}::uuid[], ${marks.map((m) => m.lastChangeAt)}::timestamptz[],
                  ${marks.map((m) => m.reason)}::text[]) AS m(id, "lastChangeAt", reason)
      WHERE c.id = m.id AND c.status = 'SENDING' AND c."updatedAt" = m."lastChangeAt"
      RETURNING c.id`;
    return rows.map((r) => r.id);
  }

  /** Clears the mark of campaigns that moved again (or left SENDING); returns their ids. */
  async clearRecovered(stallMs: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      UPDATE "Campaign" SET "statusReason" = NULL
      WHERE "statusReason" LIKE ${STALLED_REASON_PREFIX + '%'}
        AND (status <> 'SENDING' OR "updatedAt" >= now() - ${stallMs} * interval '1 millisecond')
      RETURNING id`;
    return rows.map((r) => r.id);
  }

  async countStalled(): Promise<number> {
    const [row] = await this.prisma.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM "Campaign" WHERE status = 'SENDING' AND "statusReason" LIKE ${STALLED_REASON_PREFIX + '%'}`;
    return row.n;
  }
}
