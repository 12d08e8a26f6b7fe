import { Injectable } from '@nestjs/common';
import { Db, InjectDb } from './db';

export type ConsentReplyKind = 'OPT_OUT_CONFIRMATION' | 'OPT_IN_CONFIRMATION' | 'HELP';

export interface NewConsentReply {
  accountId: string;
  phone: string;
  src: string;
  kind: ConsentReplyKind;
  text: string;
  inboundId: string | null;
}

export interface ClaimedReply {
  id: string;
  accountId: string;
  phone: string;
  src: string;
  text: string;
  /** The account's own Plivo sub-account, if its settings hold one (the reply goes out through it). */
  plivoAuthId: string | null;
  plivoAuthTokenEncrypted: string | null;
}

/** Confirmation and HELP replies: durable before they are sent, each sent at most once. */
@Injectable()
export class ConsentReplyRepository {
  constructor(@InjectDb() private readonly db: Db) {}

  /**
   * Stores the replies that the rules allow, in one statement: at most one per number per
   * `windowMs`, and none to a suppressed number, except an opt-out confirmation (sent once, for the
   * opt-out that created the suppression). Returns how many were stored.
   */
  async enqueue(replies: NewConsentReply[], windowMs: number): Promise<number> {
    if (replies.length === 0) {
      return 0;
    }
    return this.db.$executeRaw`
      INSERT INTO "ConsentReply" ("accountId", phone, src, kind, text, "inboundId")
      SELECT r."accountId", r.phone, r.src, r.kind, r.text, r."inboundId"
      FROM json_to_recordset(${JSON.stringify(replies)}::json) AS r(
        "accountId" uuid, phone text, src text, kind text, text text, "inboundId" bigint)
      WHERE r.kind = 'OPT_OUT_CONFIRMATION'
        OR (NOT EXISTS (SELECT 1 FROM "Suppression" s WHERE s."accountId" = r."accountId" AND s.phone = r.phone)
          AND NOT EXISTS (SELECT 1 FROM "ConsentReply" p
            WHERE p.phone = r.phone
              AND p."createdAt" > now() - ${windowMs}::int * interval '1 millisecond'))`;
  }

  /**
   * Takes waiting replies and marks them SENDING (durable first: a crash after this never sends
   * them twice). A reply other than an opt-out confirmation whose number became suppressed meanwhile
   * is dropped (FAILED) instead.
   */
  async claim(limit: number): Promise<ClaimedReply[]> {
    await this.db.$executeRaw`
      UPDATE "ConsentReply" p SET state = 'FAILED', "lastError" = 'suppressed before sending'
      WHERE p.state = 'PENDING' AND p.kind <> 'OPT_OUT_CONFIRMATION'
        AND EXISTS (SELECT 1 FROM "Suppression" s WHERE s."accountId" = p."accountId" AND s.phone = p.phone)`;
    return this.db.$queryRaw<ClaimedReply[]>`
      WITH claimed AS (
        UPDATE "ConsentReply" SET state = 'SENDING'
        WHERE id IN (SELECT id FROM "ConsentReply" WHERE state = 'PENDING' ORDER BY "createdAt"
          LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING id, "accountId", phone, src, text, "createdAt")
      SELECT c.id::text AS id, c."accountId"::text AS "accountId", c.phone, c.src, c.text,
        s."plivoAuthId", s."plivoAuthTokenEncrypted"
      FROM claimed c LEFT JOIN "AccountSettings" s ON s."accountId" = c."accountId"
      ORDER BY c."createdAt"`;
  }

  async markSent(ids: string[], providerMessageId: string | null): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "ConsentReply" SET state = 'SENT', "sentAt" = now(), "providerMessageId" = ${providerMessageId}
      WHERE id = ANY(${ids}::uuid[])`;
  }

  async markFailed(ids: string[], error: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "ConsentReply" SET state = 'FAILED', "lastError" = ${error} WHERE id = ANY(${ids}::uuid[])`;
  }
}
