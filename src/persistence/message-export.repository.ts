import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { MessageStatus } from '../domain/message-status.enum';
import { DATABASE_URL } from './database.providers';
import { guardedPool } from './guarded-pool';

/** One message as exported: raw column values, mapped to an export row by src/export. */
export interface ExportedMessageRow {
  id: string;
  to: string;
  country: string | null;
  status: MessageStatus;
  errorCode: string | null;
  units: number | null;
  amount: string | null;
  providerMessageId: string | null;
  /** ISO 8601 in UTC with milliseconds, as written by the database (as Date.toISOString writes them). */
  submittedAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  /** Null for a message never put in a batch (suppressed at acceptance). */
  batchId?: string | null;
}

// Exports read over a small pool of their own, with plain pg: Prisma's raw-query path converts every
// value through its engine (several µs per cell), which alone would cap an export well below the
// 100,000 rows/s target, and a long export must not hold the service's pool.
const EXPORT_POOL_SIZE = 2;

// Timestamps leave the database as ISO 8601 text: parsing each into a Date and formatting it again
// was a fifth of a large export's CPU.
const ISO_8601_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

// Ordered by "Message".id: a bare `id` would sort by the text output column ('10' < '9').
const COLUMNS = `id::text AS id, "to", country, status::text AS status, "errorCode", units, amount::text AS amount,
  "providerMessageId", to_char("submittedAt" AT TIME ZONE 'UTC', ${ISO_8601_UTC}) AS "submittedAt",
  to_char("sentAt" AT TIME ZONE 'UTC', ${ISO_8601_UTC}) AS "sentAt",
  to_char("deliveredAt" AT TIME ZONE 'UTC', ${ISO_8601_UTC}) AS "deliveredAt", "batchId"::text AS "batchId"`;

/** What every row of a campaign's export shares. */
export interface ExportedCampaign {
  id: string;
  encoding: string;
  segmentsPerMessage: number;
  currency: string;
  /** [{ country, pricePerSegment }] as quoted when the campaign was accepted. */
  estimatedCostByCountry: Array<{ country: string; pricePerSegment: string }>;
  /** Set for a campaign sent from an uploaded list: each batch then carries its own rendered text. */
  recipientListId?: string | null;
}

/** Keyset pages of one campaign's messages in id order (the order of the messages connection). */
@Injectable()
export class MessageExportRepository implements OnApplicationShutdown {
  private readonly logger = new Logger(MessageExportRepository.name);
  private pool: Pool | undefined;
  private closed = false;

  constructor(@Inject(DATABASE_URL) private readonly databaseUrl: string) {}

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.pool?.end();
  }

  /**
   * The next page after message id `afterId` ('0' for the first), at most `limit` rows. One status
   * uses the (campaignId, status, id) index in order; several are read as one sorted page.
   */
  async page(
    campaignId: string,
    statuses: readonly MessageStatus[],
    afterId: string,
    limit: number,
  ): Promise<ExportedMessageRow[]> {
    const { rows } =
      statuses.length === 0
        ? await this.db.query<ExportedMessageRow>(
            `SELECT ${COLUMNS} FROM "Message" WHERE "campaignId" = $1::uuid AND id > $2::bigint ORDER BY "Message".id LIMIT $3`,
            [campaignId, afterId, limit],
          )
        : statuses.length === 1
          ? await this.db.query<ExportedMessageRow>(
              `SELECT ${COLUMNS} FROM "Message" WHERE "campaignId" = $1::uuid AND status = $2::"MessageStatus"
               AND id > $3::bigint ORDER BY "Message".id LIMIT $4`,
              [campaignId, statuses[0], afterId, limit],
            )
          : await this.db.query<ExportedMessageRow>(
              `SELECT ${COLUMNS} FROM "Message" WHERE "campaignId" = $1::uuid AND status::text = ANY($2::text[])
               AND id > $3::bigint ORDER BY "Message".id LIMIT $4`,
              [campaignId, statuses, afterId, limit],
            );
    return rows;
  }

  /** The campaign if it belongs to the account; null otherwise (another account's is not found). */
  async findCampaign(accountId: string, campaignId: string): Promise<ExportedCampaign | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(campaignId)) {
      return null;
    }
    const { rows } = await this.db.query<ExportedCampaign>(
      `SELECT id, encoding::text AS encoding, "segmentsPerMessage", currency, "estimatedCostByCountry",
         "recipientListId"::text AS "recipientListId"
       FROM "Campaign" WHERE id = $1::uuid AND "accountId" = $2::uuid`,
      [campaignId, accountId],
    );
    return rows[0] ?? null;
  }

  /** The rendered texts of a list campaign's batches, by batch id (one query per page of rows). */
  async batchTexts(batchIds: readonly string[]): Promise<Map<string, string>> {
    if (batchIds.length === 0) {
      return new Map();
    }
    const { rows } = await this.db.query<{ id: string; text: string }>(
      `SELECT id::text AS id, text FROM "Batch" WHERE id = ANY($1::uuid[]) AND text IS NOT NULL`,
      [batchIds],
    );
    return new Map(rows.map((row) => [row.id, row.text]));
  }

  /** How many rows the export will have (for progress: sent as a header). */
  async count(campaignId: string, statuses: readonly MessageStatus[]): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      statuses.length === 0
        ? `SELECT count(*)::int AS n FROM "Message" WHERE "campaignId" = $1::uuid`
        : `SELECT count(*)::int AS n FROM "Message" WHERE "campaignId" = $1::uuid AND status::text = ANY($2::text[])`,
      statuses.length === 0 ? [campaignId] : [campaignId, statuses],
    );
    return rows[0].n;
  }

  private get db(): Pool {
    if (this.closed) {
      throw new Error('MessageExportRepository is shut down');
    }
    this.pool ??= guardedPool(
      { connectionString: this.databaseUrl, max: EXPORT_POOL_SIZE, application_name: 'bulk-sms-export' },
      (error) => this.logger.warn(`Idle export connection lost: ${error.message}`),
    );
    return this.pool;
  }
}
