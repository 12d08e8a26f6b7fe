import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { MessageStatus } from '../domain/message-status.enum';
import { DATABASE_URL } from './database.providers';
import { ExportFormat, pageQuerySql } from './export-page-query';
import { DedicatedPool } from './dedicated-pool';

/** One page of an export: its lines, written by the database (src/persistence/export-page-query.ts). */
export interface ExportPage {
  messages: number;
  /** The id of the page's last message; null for an empty page. */
  lastId: string | null;
  /** The page's lines in id order, each ending in a newline, in parts of up to a few hundred lines. */
  parts: string[];
}

/** What the database needs besides the messages to write their lines. */
export interface ExportLookups {
  segmentsPerMessage: number;
  encoding: string;
  currency: string;
  /** Plivo's meaning of each known error code (normalised: no leading zeros). */
  errorMeanings: ReadonlyArray<{ code: string; meaning: string }>;
  /** The estimated cost of a message to `country` of `segments` segments, as written. */
  estimates: ReadonlyArray<{ country: string; segments: number; cost: string }>;
  /** A list campaign's batches: the segments and encoding of each one's rendered text. */
  batches: ReadonlyArray<{ id: string; segments: number; encoding: string }>;
}

/** Which messages a page reads. */
export interface ExportPageRange {
  statuses: readonly MessageStatus[];
  /** Messages after this id ('0' for the first page). */
  afterId: string;
  /** At most this many; null for every message up to `upToId`. */
  limit: number | null;
  /** Messages up to this id only (a page whose bounds were read first). */
  upToId?: string;
}

// Exports read over a small pool of their own, with plain pg (not Prisma, whose raw-query path
// converts every value through its engine), so a long export does not hold the service's pool.
const EXPORT_POOL_SIZE = 2;

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
export class MessageExportRepository implements BeforeApplicationShutdown {
  private readonly pool: DedicatedPool;

  constructor(@Inject(DATABASE_URL) databaseUrl: string) {
    this.pool = new DedicatedPool(MessageExportRepository.name, 'export', {
      connectionString: databaseUrl,
      max: EXPORT_POOL_SIZE,
      application_name: 'bulk-sms-export',
    });
  }

  // Before the embedded database stops (onApplicationShutdown).
  async beforeApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  /** The lines of one page, written by the database in `format`. */
  async page(
    campaignId: string,
    range: ExportPageRange,
    format: ExportFormat,
    lookups: ExportLookups,
  ): Promise<ExportPage> {
    const { rows } = await this.db.query<{ messages: number; lastId: string; text: string }>(
      pageQuerySql({
        format,
        statusCount: range.statuses.length === 0 ? 0 : range.statuses.length === 1 ? 1 : 2,
        bounded: range.upToId !== undefined,
      }),
      [
        campaignId,
        range.afterId,
        range.limit,
        lookups.segmentsPerMessage,
        lookups.encoding,
        lookups.currency,
        lookups.errorMeanings.map((entry) => entry.code),
        lookups.errorMeanings.map((entry) => entry.meaning),
        lookups.estimates.map((entry) => entry.country),
        lookups.estimates.map((entry) => entry.segments),
        lookups.estimates.map((entry) => entry.cost),
        lookups.batches.map((entry) => entry.id),
        lookups.batches.map((entry) => entry.segments),
        lookups.batches.map((entry) => entry.encoding),
        ...statusParameters(range.statuses),
        ...(range.upToId === undefined ? [] : [range.upToId]),
      ],
    );
    return {
      messages: rows.reduce((sum, row) => sum + row.messages, 0),
      lastId: rows.length === 0 ? null : rows[rows.length - 1].lastId,
      parts: rows.map((row) => row.text),
    };
  }

  /**
   * A page's bounds, read ahead of its lines (an index scan of its ids): how many messages it has and
   * the last one's id (null for an empty page), and with `withBatches` the batches of its messages (a
   * list campaign's batch texts are counted before the database writes its lines).
   */
  async pageBounds(
    campaignId: string,
    range: ExportPageRange & { limit: number },
    withBatches: boolean,
  ): Promise<{ messages: number; lastId: string | null; batchIds: string[] }> {
    const statusFilter =
      range.statuses.length === 0
        ? ''
        : range.statuses.length === 1
          ? 'AND status = $4::"MessageStatus"'
          : 'AND status::text = ANY($4::text[])';
    const { rows } = await this.db.query<{ messages: number; lastId: string | null; batchIds: string[] | null }>(
      `SELECT count(*)::int AS messages, max(id)::text AS "lastId", ${
        withBatches ? `array_agg(DISTINCT "batchId"::text) FILTER (WHERE "batchId" IS NOT NULL)` : 'NULL::text[]'
      } AS "batchIds"
       FROM (SELECT id, "batchId" FROM "Message" WHERE "campaignId" = $1::uuid AND id > $2::bigint ${statusFilter}
         ORDER BY "Message".id LIMIT $3) page`,
      [campaignId, range.afterId, range.limit, ...statusParameters(range.statuses)],
    );
    return { messages: rows[0].messages, lastId: rows[0].lastId, batchIds: rows[0].batchIds ?? [] };
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
    return this.pool.get();
  }
}

function statusParameters(statuses: readonly MessageStatus[]): unknown[] {
  return statuses.length === 0 ? [] : statuses.length === 1 ? [statuses[0]] : [[...statuses]];
}
