import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

/** Prefix of a number replaced by its keyed hash (no E.164 number starts like this). */
export const HASHED_NUMBER_PREFIX = 'hmac:';

const FINISHED = ['COMPLETED', 'CANCELLED', 'FAILED'];

/** Statements of the retention job: only ever on campaigns that are finished. */
@Injectable()
export class RetentionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Finished campaigns, finished before `cutoff`, whose content is still there (oldest first). */
  async campaignsDue(cutoff: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM "Campaign"
      WHERE status::text = ANY(${FINISHED}::text[]) AND "completedAt" < ${cutoff} AND "contentRemovedAt" IS NULL
      ORDER BY "completedAt" LIMIT ${limit}`;
    return rows.map((row) => row.id);
  }

  /** The next numbers still in clear, in id order after `afterId`. */
  numbersInClear(campaignId: string, afterId: string, limit: number): Promise<Array<{ id: string; to: string }>> {
    return this.prisma.$queryRaw<Array<{ id: string; to: string }>>`
      SELECT id::text AS id, "to" FROM "Message"
      WHERE "campaignId" = ${campaignId}::uuid AND id > ${afterId}::bigint AND "to" NOT LIKE ${`${HASHED_NUMBER_PREFIX}%`}
      ORDER BY "Message".id LIMIT ${limit}`;
  }

  /**
   * Replaces numbers by their hashes in one statement, only while the campaign is finished: a
   * campaign that is running is never written (nor locked) by this job.
   */
  async replaceNumbers(campaignId: string, replacements: Array<{ id: string; hash: string }>): Promise<number> {
    // The rows are locked in id order first, as report application and the dispatcher lock theirs: a
    // late report for the same messages then waits for this statement or this statement for it, never
    // both. Locked in the order the join met them (their order in the table), the two deadlocked.
    return this.prisma.$executeRaw`
      WITH v AS (SELECT * FROM json_to_recordset(${JSON.stringify(replacements)}::json) AS v(id bigint, hash text)),
      locked AS (
        SELECT l.id FROM (SELECT id FROM v ORDER BY id) t
        CROSS JOIN LATERAL (
          SELECT id FROM "Message" WHERE id = t.id AND "campaignId" = ${campaignId}::uuid FOR NO KEY UPDATE
        ) l
        WHERE EXISTS (SELECT 1 FROM "Campaign" c WHERE c.id = ${campaignId}::uuid AND c.status::text = ANY(${FINISHED}::text[]))
      )
      UPDATE "Message" AS m SET "to" = v.hash
      FROM v
      WHERE m.id = v.id AND m.id IN (SELECT id FROM locked)`;
  }

  /**
   * The campaign's remaining personal content: its text, the raw rejected inputs, the numbers in
   * its delivery reports and its webhook events (their payloads carry numbers). Counters and costs stay.
   */
  async removeCampaignContent(campaignId: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.$executeRaw`DELETE FROM "RejectedRecipient" WHERE "campaignId" = ${campaignId}::uuid`,
      this.prisma.$executeRaw`
        UPDATE "DeliveryReport" SET "to" = NULL, payload = '{}'::jsonb
        WHERE "batchId" IN (SELECT id FROM "Batch" WHERE "campaignId" = ${campaignId}::uuid) AND "appliedAt" IS NOT NULL`,
      this.prisma.$executeRaw`DELETE FROM "WebhookEvent" WHERE "campaignId" = ${campaignId}::uuid`,
      this.prisma.$executeRaw`
        UPDATE "Campaign" SET text = '', "contentRemovedAt" = now()
        WHERE id = ${campaignId}::uuid AND status::text = ANY(${FINISHED}::text[])`,
    ]);
  }
}
