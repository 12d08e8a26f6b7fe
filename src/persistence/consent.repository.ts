import { Injectable } from '@nestjs/common';
import { Db, InjectDb } from './db';

export interface ConsentSettingsRow {
  accountId: string;
  optOutKeywords: string[];
  optInKeywords: string[];
  helpKeywords: string[];
  optOutReply: string | null;
  optInReply: string | null;
  helpReply: string | null;
}

export type ConsentAction = 'OPT_OUT' | 'OPT_IN';

export interface NewConsentRecord {
  accountId: string;
  phone: string;
  action: ConsentAction;
  source: string;
  campaignId: string | null;
  messageUuid: string | null;
  text: string | null;
}

export interface ConsentRecordRow extends NewConsentRecord {
  id: string;
  createdAt: Date;
}

/** Which account (and its latest campaign) sent to `from` from the sender `to`. */
export interface Attribution {
  from: string;
  to: string;
  accountId: string;
  campaignId: string;
}

/** Campaign statuses whose waiting messages an opt-out must catch. */
const RUNNING = `('SCHEDULED', 'QUEUED', 'SENDING', 'PAUSED')`;

/** Consent: attribution of replies, per-account settings, the evidence log, and the effect on waiting messages. */
@Injectable()
export class ConsentRepository {
  constructor(@InjectDb() private readonly db: Db) {}

  /**
   * For each (from, to) pair: every account that sent to `from` from sender `to` in campaigns created
   * within `windowDays`, with its latest such campaign. Looks numbers up through the campaigns' batches
   * (the (batchId, to) index), so no index on Message.to is needed. One statement for the whole batch.
   */
  async attribute(pairs: Array<{ from: string; to: string }>, windowDays: number): Promise<Attribution[]> {
    if (pairs.length === 0) {
      return [];
    }
    return this.db.$queryRaw<Attribution[]>`
      WITH input AS (
        SELECT DISTINCT * FROM json_to_recordset(${JSON.stringify(pairs)}::json) AS i("from" text, "to" text)
      )
      SELECT i."from", i."to", hit."accountId"::text AS "accountId", hit.id::text AS "campaignId"
      FROM input i
      CROSS JOIN LATERAL (
        SELECT DISTINCT ON (c."accountId") c."accountId", c.id
        FROM "Campaign" c
        WHERE ltrim(c."senderId", '+') = ltrim(i."to", '+')
          AND c."createdAt" > now() - ${windowDays}::int * interval '1 day'
          AND EXISTS (
            SELECT 1 FROM "Batch" b JOIN "Message" m ON m."batchId" = b.id AND m."to" = i."from"
            WHERE b."campaignId" = c.id)
        ORDER BY c."accountId", c."createdAt" DESC
      ) hit`;
  }

  async allAccountIds(): Promise<string[]> {
    const rows = await this.db.$queryRaw<Array<{ id: string }>>`SELECT id::text AS id FROM "Account" ORDER BY id`;
    return rows.map((r) => r.id);
  }

  /** Accounts where any of `phones` is suppressed (for an opt-in nobody can be attributed to). */
  async accountsSuppressing(phones: string[]): Promise<Array<{ accountId: string; phone: string }>> {
    if (phones.length === 0) {
      return [];
    }
    return this.db.$queryRaw<Array<{ accountId: string; phone: string }>>`
      SELECT "accountId"::text AS "accountId", phone FROM "Suppression" WHERE phone = ANY(${phones}::text[])`;
  }

  async settingsFor(accountIds: string[]): Promise<ConsentSettingsRow[]> {
    if (accountIds.length === 0) {
      return [];
    }
    return this.db.$queryRaw<ConsentSettingsRow[]>`
      SELECT "accountId"::text AS "accountId", "optOutKeywords", "optInKeywords", "helpKeywords",
        "optOutReply", "optInReply", "helpReply"
      FROM "ConsentSettings" WHERE "accountId" = ANY(${accountIds}::uuid[])`;
  }

  async saveSettings(settings: ConsentSettingsRow): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO "ConsentSettings" ("accountId", "optOutKeywords", "optInKeywords", "helpKeywords",
        "optOutReply", "optInReply", "helpReply", "updatedAt")
      VALUES (${settings.accountId}::uuid, ${settings.optOutKeywords}::text[], ${settings.optInKeywords}::text[],
        ${settings.helpKeywords}::text[], ${settings.optOutReply}, ${settings.optInReply}, ${settings.helpReply}, now())
      ON CONFLICT ("accountId") DO UPDATE SET "optOutKeywords" = excluded."optOutKeywords",
        "optInKeywords" = excluded."optInKeywords", "helpKeywords" = excluded."helpKeywords",
        "optOutReply" = excluded."optOutReply", "optInReply" = excluded."optInReply",
        "helpReply" = excluded."helpReply", "updatedAt" = now()`;
  }

  /**
   * Waiting messages to the numbers in campaigns that have not finished become SUPPRESSED, in one
   * statement. Only batches still PENDING are touched (a SUBMITTING batch may already be at the
   * provider); rows are locked in id order, as the dispatcher locks them.
   */
  async suppressWaitingMessages(
    entries: Array<{ accountId: string; phone: string }>,
  ): Promise<{ campaignIds: string[]; messages: number }> {
    if (entries.length === 0) {
      return { campaignIds: [], messages: 0 };
    }
    const rows = await this.db.$queryRawUnsafe<Array<{ campaignId: string }>>(
      `WITH input AS (SELECT * FROM json_to_recordset($1::json) AS e("accountId" uuid, phone text)),
      target AS (
        SELECT m.id FROM input e
        JOIN "Campaign" c ON c."accountId" = e."accountId" AND c.status IN ${RUNNING}
        JOIN "Batch" b ON b."campaignId" = c.id AND b.state = 'PENDING'
        JOIN "Message" m ON m."batchId" = b.id AND m."to" = e.phone AND m.status = 'PENDING'
      ),
      locked AS (SELECT id FROM "Message" WHERE id IN (SELECT id FROM target) ORDER BY id FOR NO KEY UPDATE)
      UPDATE "Message" m SET status = 'SUPPRESSED', "updatedAt" = now()
      FROM locked l WHERE m.id = l.id AND m.status = 'PENDING'
      RETURNING m."campaignId"::text AS "campaignId"`,
      JSON.stringify(entries),
    );
    return { campaignIds: [...new Set(rows.map((r) => r.campaignId))], messages: rows.length };
  }

  /** Appends evidence; stamped with the clock at insert (after any message update of the same transaction). */
  async record(records: NewConsentRecord[]): Promise<void> {
    if (records.length === 0) {
      return;
    }
    await this.db.$executeRaw`
      INSERT INTO "ConsentRecord" ("accountId", phone, action, source, "campaignId", "messageUuid", text, "createdAt")
      SELECT r."accountId", r.phone, r.action, r.source, r."campaignId", r."messageUuid", r.text, clock_timestamp()
      FROM json_to_recordset(${JSON.stringify(records)}::json) AS r(
        "accountId" uuid, phone text, action text, source text, "campaignId" uuid, "messageUuid" text, text text)`;
  }

  /** The account's records for one number (or all), newest first, keyset on id. */
  async records(
    accountId: string,
    options: { phone?: string; first: number; beforeId?: string },
  ): Promise<ConsentRecordRow[]> {
    return this.db.$queryRaw<ConsentRecordRow[]>`
      SELECT id::text AS id, "accountId"::text AS "accountId", phone, action, source, "campaignId"::text AS "campaignId",
        "messageUuid", text, "createdAt"
      FROM "ConsentRecord"
      WHERE "accountId" = ${accountId}::uuid
        AND (${options.phone ?? null}::text IS NULL OR phone = ${options.phone ?? null}::text)
        AND (${options.beforeId ?? null}::bigint IS NULL OR id < ${options.beforeId ?? null}::bigint)
      ORDER BY "ConsentRecord".id DESC
      LIMIT ${options.first}`;
  }
}
