import { Injectable } from '@nestjs/common';
import { Db, InjectDb } from './db';

const LOOKUP_CHUNK = 50_000;

/** Where a suppression came from (stored as text; the GraphQL enum mirrors it). */
export type SuppressionSource = 'INBOUND_KEYWORD' | 'CARRIER_OPT_OUT' | 'API' | 'CSV_IMPORT';

/** The prefix of a suppression kept after erasure: the number itself is gone, its keyed hash stays. */
export const ERASED_PREFIX = 'erased:';

export interface SuppressionRow {
  phone: string;
  reason: string;
  source: SuppressionSource;
  campaignId: string | null;
  createdAt: Date;
}

export interface NewSuppression {
  accountId: string;
  phone: string;
  reason: string;
  /** API when not given. */
  source?: SuppressionSource;
  campaignId?: string | null;
}

/** The opt-out list: numbers never sent to again by the account. */
@Injectable()
export class SuppressionRepository {
  constructor(@InjectDb() private readonly db: Db) {}

  /**
   * Which of `phones` the account has suppressed; one query per 50,000 numbers. `hashOf` is asked
   * only when the account keeps erased (hashed) suppressions.
   */
  async findSuppressed(accountId: string, phones: string[], hashOf?: (phone: string) => string): Promise<Set<string>> {
    const suppressed = new Set<string>();
    for (let start = 0; start < phones.length; start += LOOKUP_CHUNK) {
      // E.164 numbers contain no comma: one text parameter is far cheaper to send than an array.
      const chunk = phones.slice(start, start + LOOKUP_CHUNK).join(',');
      const rows = await this.db.$queryRaw<Array<{ phone: string }>>`
        SELECT s.phone FROM "Suppression" s
        WHERE s."accountId" = ${accountId}::uuid AND s.phone = ANY(string_to_array(${chunk}, ','))`;
      for (const row of rows) {
        suppressed.add(row.phone);
      }
    }
    if (hashOf && phones.length > 0 && (await this.hasErased(accountId))) {
      const byHash = new Map(phones.filter((p) => !suppressed.has(p)).map((p) => [ERASED_PREFIX + hashOf(p), p]));
      const hashes = [...byHash.keys()];
      for (let start = 0; start < hashes.length; start += LOOKUP_CHUNK) {
        const chunk = hashes.slice(start, start + LOOKUP_CHUNK).join(',');
        const rows = await this.db.$queryRaw<Array<{ phone: string }>>`
          SELECT s.phone FROM "Suppression" s
          WHERE s."accountId" = ${accountId}::uuid AND s.phone = ANY(string_to_array(${chunk}, ','))`;
        rows.forEach((row) => suppressed.add(byHash.get(row.phone)!));
      }
    }
    return suppressed;
  }

  private async hasErased(accountId: string): Promise<boolean> {
    const [row] = await this.db.$queryRaw<Array<{ found: boolean }>>`
      SELECT EXISTS (SELECT 1 FROM "Suppression"
        WHERE "accountId" = ${accountId}::uuid AND phone >= ${ERASED_PREFIX} AND phone < ${ERASED_PREFIX + '\uffff'}) AS found`;
    return row.found;
  }

  /** Adds numbers to accounts' lists; existing entries are kept as they are. Returns the numbers added. */
  async addMany(entries: NewSuppression[]): Promise<Array<{ accountId: string; phone: string }>> {
    if (entries.length === 0) {
      return [];
    }
    return this.db.$queryRaw<Array<{ accountId: string; phone: string }>>`
      INSERT INTO "Suppression" ("accountId", phone, reason, source, "campaignId")
      SELECT e."accountId", e.phone, e.reason, e.source, e."campaignId"
      FROM json_to_recordset(${JSON.stringify(entries.map((e) => ({ ...e, source: e.source ?? 'API', campaignId: e.campaignId ?? null })))}::json)
        AS e("accountId" uuid, phone text, reason text, source text, "campaignId" uuid)
      ON CONFLICT DO NOTHING
      RETURNING "accountId"::text AS "accountId", phone`;
  }

  /** Lifts suppressions (the numbers, or their erased hashes); returns those that existed. */
  async removeMany(
    entries: Array<{ accountId: string; phone: string }>,
  ): Promise<Array<{ accountId: string; phone: string }>> {
    if (entries.length === 0) {
      return [];
    }
    return this.db.$queryRaw<Array<{ accountId: string; phone: string }>>`
      DELETE FROM "Suppression" s
      USING json_to_recordset(${JSON.stringify(entries)}::json) AS e("accountId" uuid, phone text)
      WHERE s."accountId" = e."accountId" AND s.phone = e.phone
      RETURNING s."accountId"::text AS "accountId", s.phone`;
  }

  /** Newest first, keyset on (createdAt, phone); `search` matches digits anywhere in the number. */
  async page(
    accountId: string,
    options: { first: number; after?: { createdAt: Date; phone: string }; search?: string },
  ): Promise<SuppressionRow[]> {
    const pattern = options.search ? `%${options.search}%` : null;
    const after = options.after ?? null;
    return this.db.$queryRaw<SuppressionRow[]>`
      SELECT phone, reason, source, "campaignId"::text AS "campaignId", "createdAt"
      FROM "Suppression"
      WHERE "accountId" = ${accountId}::uuid
        AND (${pattern}::text IS NULL OR phone LIKE ${pattern}::text)
        AND (${after?.createdAt ?? null}::timestamptz IS NULL
          OR ("createdAt", phone) < (${after?.createdAt ?? null}::timestamptz, ${after?.phone ?? null}::text))
      ORDER BY "createdAt" DESC, phone DESC
      LIMIT ${options.first}`;
  }

  async count(accountId: string, search?: string): Promise<number> {
    const pattern = search ? `%${search}%` : null;
    const [row] = await this.db.$queryRaw<Array<{ count: number }>>`
      SELECT count(*)::int AS count FROM "Suppression"
      WHERE "accountId" = ${accountId}::uuid AND (${pattern}::text IS NULL OR phone LIKE ${pattern}::text)`;
    return row.count;
  }
}
