import { Injectable } from '@nestjs/common';
import { Db, InjectDb } from './db';
import { queryLargeParameterStatement } from './large-parameter-statement';

const LOOKUP_CHUNK = 50_000;
// A million numbers take ~0.7 s to send and look up 50,000 at a time; an account's list of up to 50,000
// entries, at most a tenth of the numbers asked about, is cheaper read whole.
const READ_WHOLE_LIST_UP_TO = 50_000;
const WHOLE_LIST_FRACTION = 10;
// Which of $2 (comma-separated numbers or erased hashes, up to LOOKUP_CHUNK of them) account $1 has listed.
// Its ~700 KB parameter skips Prisma's query compiler (queryLargeParameterStatement).
const LISTED_AMONG_SQL = `
  SELECT s.phone FROM "Suppression" s
  WHERE s."accountId" = $1::uuid AND s.phone = ANY(string_to_array($2::text, ','))`;

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
   * Which of `phones` the account has suppressed. An account whose list is much shorter than `phones`
   * (none at all, usually) has it read whole and matched here; otherwise one query per 50,000 numbers.
   * `hashOf` is asked only when the account keeps erased (hashed) suppressions.
   */
  async findSuppressed(accountId: string, phones: string[], hashOf?: (phone: string) => string): Promise<Set<string>> {
    if (phones.length === 0) {
      return new Set();
    }
    const wholeList = await this.listedUpTo(
      accountId,
      Math.min(READ_WHOLE_LIST_UP_TO, Math.floor(phones.length / WHOLE_LIST_FRACTION)),
    );
    if (wholeList !== null) {
      return matchListed(wholeList, phones, hashOf);
    }
    const suppressed = new Set<string>();
    for (let start = 0; start < phones.length; start += LOOKUP_CHUNK) {
      // E.164 numbers contain no comma: one text parameter is far cheaper to send than an array.
      const chunk = phones.slice(start, start + LOOKUP_CHUNK).join(',');
      const rows = await queryLargeParameterStatement<{ phone: string }>(this.db, {
        sql: LISTED_AMONG_SQL,
        args: [accountId, chunk],
      });
      for (const row of rows) {
        suppressed.add(row.phone);
      }
    }
    if (hashOf && phones.length > 0 && (await this.hasErased(accountId))) {
      const byHash = new Map(phones.filter((p) => !suppressed.has(p)).map((p) => [ERASED_PREFIX + hashOf(p), p]));
      const hashes = [...byHash.keys()];
      for (let start = 0; start < hashes.length; start += LOOKUP_CHUNK) {
        const chunk = hashes.slice(start, start + LOOKUP_CHUNK).join(',');
        const rows = await queryLargeParameterStatement<{ phone: string }>(this.db, {
          sql: LISTED_AMONG_SQL,
          args: [accountId, chunk],
        });
        rows.forEach((row) => suppressed.add(byHash.get(row.phone)!));
      }
    }
    return suppressed;
  }

  /** Every entry of the account's list (numbers and erased hashes) when it has at most `limit`, else null. */
  private async listedUpTo(accountId: string, limit: number): Promise<string[] | null> {
    const rows = await this.db.$queryRaw<Array<{ phone: string }>>`
      SELECT phone FROM "Suppression" WHERE "accountId" = ${accountId}::uuid LIMIT ${limit + 1}::int`;
    return rows.length > limit ? null : rows.map((row) => row.phone);
  }

  private async hasErased(accountId: string): Promise<boolean> {
    const [row] = await this.db.$queryRaw<Array<{ found: boolean }>>`
      SELECT EXISTS (SELECT 1 FROM "Suppression"
        WHERE "accountId" = ${accountId}::uuid AND phone >= ${ERASED_PREFIX} AND phone < ${ERASED_PREFIX + '\uffff'}) AS found`;
    return row.found;
  }

  /**
   * Adds numbers to accounts' lists; existing entries are kept as they are. Returns the numbers added.
   * Inserted in ("accountId", phone) order, as every multi-row write to the list is (see `removeMany`
   * and the carrier opt-outs in delivery-report.repository.ts): an insert that meets a number another
   * transaction has just inserted waits for it, so two writers taking shared numbers in different orders
   * could each hold one the other waits for.
   */
  async addMany(entries: NewSuppression[]): Promise<Array<{ accountId: string; phone: string }>> {
    if (entries.length === 0) {
      return [];
    }
    return this.db.$queryRaw<Array<{ accountId: string; phone: string }>>`
      INSERT INTO "Suppression" ("accountId", phone, reason, source, "campaignId")
      SELECT e."accountId", e.phone, e.reason, e.source, e."campaignId"
      FROM json_to_recordset(${JSON.stringify(entries.map((e) => ({ ...e, source: e.source ?? 'API', campaignId: e.campaignId ?? null })))}::json)
        AS e("accountId" uuid, phone text, reason text, source text, "campaignId" uuid)
      ORDER BY e."accountId", e.phone
      ON CONFLICT DO NOTHING
      RETURNING "accountId"::text AS "accountId", phone`;
  }

  /**
   * Lifts suppressions (the numbers, or their erased hashes); returns those that existed. The entries are
   * locked in ("accountId", phone) order first, as `addMany` inserts them, then deleted.
   */
  async removeMany(
    entries: Array<{ accountId: string; phone: string }>,
  ): Promise<Array<{ accountId: string; phone: string }>> {
    if (entries.length === 0) {
      return [];
    }
    return this.db.$queryRaw<Array<{ accountId: string; phone: string }>>`
      WITH locked AS (
        SELECT s."accountId", s.phone FROM "Suppression" s
        JOIN json_to_recordset(${JSON.stringify(entries)}::json) AS e("accountId" uuid, phone text)
          ON s."accountId" = e."accountId" AND s.phone = e.phone
        ORDER BY s."accountId", s.phone
        FOR UPDATE OF s
      )
      DELETE FROM "Suppression" s
      USING locked l
      WHERE s."accountId" = l."accountId" AND s.phone = l.phone
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

/** Which of `phones` are among the entries read of an account's list (erased ones by their hash). */
function matchListed(listed: string[], phones: string[], hashOf?: (phone: string) => string): Set<string> {
  const suppressed = new Set<string>();
  if (listed.length === 0) {
    return suppressed;
  }
  const plain = new Set(listed.filter((entry) => !entry.startsWith(ERASED_PREFIX)));
  const erased = hashOf ? new Set(listed.filter((entry) => entry.startsWith(ERASED_PREFIX))) : new Set<string>();
  for (const phone of phones) {
    if (plain.has(phone) || (erased.size > 0 && erased.has(ERASED_PREFIX + hashOf!(phone)))) {
      suppressed.add(phone);
    }
  }
  return suppressed;
}
