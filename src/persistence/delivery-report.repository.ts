import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { MESSAGE_STATUS_RANK } from '../domain/message-status-order';
import { MessageStatus } from '../domain/message-status.enum';
import { DATABASE_URL } from './database.providers';
import { DedicatedPool } from './dedicated-pool';
import { PrismaService } from './prisma.service';

/** A delivery report as appended: Plivo's fields, normalised, plus the raw payload. */
export interface NewDeliveryReport {
  dedupeKey: string;
  messageUuid: string;
  /** Our batch id from the callback URL (`?batch=`), when it is a UUID. */
  batchId: string | null;
  /** E.164. */
  to: string | null;
  /** Plivo's `Status`, lower case (not mapped: an unknown status is kept and skipped when applying). */
  status: string;
  sequence: number | null;
  /** Normalised (no leading zeros; null for "no error"). */
  errorCode: string | null;
  units: number | null;
  /** Decimal strings. */
  totalAmount: string | null;
  totalRate: string | null;
  payload: Record<string, unknown>;
}

export interface AppendRequest {
  report: NewDeliveryReport;
  /** The signature nonce (webhook) or null (poll). */
  nonce: string | null;
}

/** stored: a new row; duplicate: same dedupeKey already there; replay: nonce seen within the window. */
export type AppendOutcome = 'stored' | 'duplicate' | 'replay';

/** An unapplied report, claimed (row-locked) by one applier. */
export interface ClaimedReport {
  id: string;
  messageUuid: string;
  batchId: string | null;
  to: string | null;
  status: string;
  sequence: number | null;
  errorCode: string | null;
  units: number | null;
  totalAmount: string | null;
  sentTime: string | null;
  deliveryReportTime: string | null;
  receivedAt: Date;
}

/** One message update: the winning report for a message UUID. */
export interface ApplyItem {
  messageUuid: string;
  batchId: string | null;
  to: string | null;
  status: MessageStatus;
  rank: number;
  sequence: number | null;
  errorCode: string | null;
  units: number | null;
  amount: string | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
}

export interface ApplyPlan {
  updates: ApplyItem[];
  /**
   * Every claimed report. Marked applied when its UUID matched a message, or when `force`
   * (unknown status, given up); the others stay unapplied for a later pass.
   */
  reports: Array<{ id: string; messageUuid: string; force: boolean }>;
}

/** What one apply statement did. */
export interface ApplyOutcome {
  /** Messages that moved forward. */
  applied: number;
  campaignIds: string[];
  matchedUuids: Set<string>;
  suppressed: number;
}

/** A message update, and whether its report says the recipient opted out (the gateway's mapper decides). */
export type ApplyUpdate = ApplyItem & { optOut: boolean };

// The forward-only rule needs the stored status's rank in SQL; generated from the one TS table.
const STORED_RANK_SQL = `CASE m.status ${Object.entries(MESSAGE_STATUS_RANK)
  .map(([status, rank]) => `WHEN '${status}' THEN ${rank}`)
  .join(' ')} END`;

// A final status that came from a report (the message knows its provider UUID) is final: a later
// report, whatever its Sequence, changes neither status, error nor cost. A FAILED we set ourselves
// (no UUID: the submission was refused or never confirmed) still gives way to the provider's report.
const FINAL_RANK = MESSAGE_STATUS_RANK[MessageStatus.DELIVERED];
const FINAL_FROM_REPORT_SQL = `(${STORED_RANK_SQL} = ${FINAL_RANK} AND m."providerMessageId" IS NOT NULL)`;

const APPEND_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset($1::json) AS i(
    ord int, nonce text, "dedupeKey" text, "messageUuid" text, "batchId" uuid, "to" text, status text,
    sequence int, "errorCode" text, units int, "totalAmount" numeric, "totalRate" numeric, payload jsonb)
),
fresh_nonces AS (
  INSERT INTO "WebhookNonce" (nonce, "receivedAt")
  SELECT nonce, now() FROM input WHERE nonce IS NOT NULL
  ON CONFLICT (nonce) DO UPDATE SET "receivedAt" = excluded."receivedAt"
    WHERE "WebhookNonce"."receivedAt" < now() - $2::int * interval '1 millisecond'
  RETURNING nonce
),
accepted AS (
  SELECT * FROM input WHERE nonce IS NULL OR nonce IN (SELECT nonce FROM fresh_nonces)
),
stored AS (
  INSERT INTO "DeliveryReport" ("dedupeKey", "messageUuid", "batchId", "to", status, sequence, "errorCode", units,
    "totalAmount", "totalRate", payload)
  SELECT "dedupeKey", "messageUuid", "batchId", "to", status, sequence, "errorCode", units, "totalAmount",
    "totalRate", payload
  FROM accepted ORDER BY ord
  ON CONFLICT ("dedupeKey") DO NOTHING
  RETURNING "dedupeKey"
)
SELECT coalesce(string_agg(CASE
  WHEN i.nonce IS NOT NULL AND i.nonce NOT IN (SELECT nonce FROM fresh_nonces) THEN 'r'
  WHEN i."dedupeKey" IN (SELECT "dedupeKey" FROM stored) THEN 's'
  ELSE 'd' END, '' ORDER BY i.ord), '') AS outcomes
FROM input i`;

const CLAIM_SQL = `
SELECT id::text AS id, "messageUuid", "batchId"::text AS "batchId", "to", status, sequence, "errorCode", units,
  "totalAmount"::text AS "totalAmount", payload->>'SentTime' AS "sentTime",
  payload->>'DeliveryReportTime' AS "deliveryReportTime", "receivedAt"
FROM "DeliveryReport"
WHERE "appliedAt" IS NULL AND NOT (id = ANY(string_to_array($2, ',')::bigint[]))
-- Qualified: the output column "id" is text, and ORDER BY id would sort it as text ("11" before "6").
ORDER BY "DeliveryReport".id
LIMIT $1
FOR UPDATE SKIP LOCKED`;

// One statement per batch of reports: match (UUID, else batch + To), apply the forward-only rule,
// suppress the recipients whose report says they opted out, mark the matched reports applied. The Message trigger keeps counters in step.
const APPLY_SQL = `
WITH upd AS (
  SELECT * FROM json_to_recordset($1::json) AS x(
    "messageUuid" text, "batchId" uuid, "to" text, status "MessageStatus", rank int, sequence int, "errorCode" text,
    units int, amount numeric, "sentAt" timestamptz, "deliveredAt" timestamptz, "optOut" boolean)
),
reports AS (
  SELECT * FROM json_to_recordset($2::json) AS r(id bigint, "messageUuid" text, force boolean)
),
matched AS (
  SELECT x.*, c.id AS mid
  FROM upd x
  CROSS JOIN LATERAL (
    SELECT id FROM (
      (SELECT m.id, 0 AS pref FROM "ProviderMessage" p JOIN "Message" m ON m.id = p."messageId"
        WHERE p."providerMessageId" = x."messageUuid")
      UNION ALL
      (SELECT id, 1 AS pref FROM "Message"
        WHERE x."batchId" IS NOT NULL AND "batchId" = x."batchId" AND "to" = x."to" AND "providerMessageId" IS NULL
        ORDER BY id LIMIT 1)
    ) candidates ORDER BY pref LIMIT 1
  ) c
),
target AS (
  SELECT DISTINCT ON (mid) * FROM matched ORDER BY mid, rank DESC, sequence DESC NULLS LAST
),
-- Message rows are locked in id order (as the dispatcher does), so two writers never wait on each other in a circle.
locked AS (
  SELECT id FROM "Message" WHERE id IN (SELECT mid FROM target) ORDER BY id FOR NO KEY UPDATE
),
updated AS (
  UPDATE "Message" AS m SET
    status = t.status,
    "providerMessageId" = coalesce(m."providerMessageId", t."messageUuid"),
    "reportSequence" = t.sequence,
    "errorCode" = t."errorCode",
    units = coalesce(t.units, m.units),
    amount = coalesce(t.amount, m.amount),
    "sentAt" = CASE WHEN t.status IN ('SENT', 'DELIVERED', 'UNDELIVERED', 'REJECTED')
      THEN coalesce(m."sentAt", t."sentAt", now()) ELSE m."sentAt" END,
    "deliveredAt" = CASE WHEN t.status = 'DELIVERED' THEN coalesce(t."deliveredAt", now()) ELSE m."deliveredAt" END,
    "updatedAt" = now()
  FROM target t
  WHERE m.id = t.mid AND m.id IN (SELECT id FROM locked)
    AND (${STORED_RANK_SQL} < t.rank
      OR (${STORED_RANK_SQL} = t.rank AND t.sequence > coalesce(m."reportSequence", -1)))
    AND NOT ${FINAL_FROM_REPORT_SQL}
  RETURNING m."campaignId", m."to", t."optOut", t."messageUuid"
),
suppressed AS (
  INSERT INTO "Suppression" ("accountId", phone, reason, source, "campaignId")
  SELECT DISTINCT ON (c."accountId", u."to") c."accountId", u."to", $3, 'CARRIER_OPT_OUT', u."campaignId"
  FROM updated u JOIN "Campaign" c ON c.id = u."campaignId"
  WHERE u."optOut"
  ON CONFLICT DO NOTHING
  RETURNING "accountId", phone
),
-- recipient.opted_out for the customer's webhooks, in this transaction (see the webhook_outbox migration).
opted_out AS (
  SELECT "webhook_recipient_opted_out"(s."accountId", s.phone, u."campaignId", 'stop')
  FROM suppressed s
  CROSS JOIN LATERAL (
    SELECT x."campaignId" FROM updated x JOIN "Campaign" c ON c.id = x."campaignId"
    WHERE x."to" = s.phone AND x."optOut" AND c."accountId" = s."accountId" LIMIT 1) u
),
-- Evidence of each carrier opt-out (docs/consent.md): the report's message UUID and the campaign.
consent AS (
  INSERT INTO "ConsentRecord" ("accountId", phone, action, source, "campaignId", "messageUuid", text)
  SELECT c."accountId", u."to", 'OPT_OUT', 'CARRIER_OPT_OUT', u."campaignId", u."messageUuid", $3
  FROM updated u JOIN "Campaign" c ON c.id = u."campaignId"
  WHERE u."optOut"
),
marked AS (
  UPDATE "DeliveryReport" AS d SET "appliedAt" = now()
  FROM reports r
  WHERE d.id = r.id AND (r.force OR r."messageUuid" IN (SELECT "messageUuid" FROM matched))
  RETURNING d.id
)
SELECT
  (SELECT coalesce(json_agg(DISTINCT "campaignId"), '[]') FROM updated)::text AS "campaignIds",
  (SELECT count(*) FROM updated)::int AS applied,
  (SELECT coalesce(json_agg(DISTINCT "messageUuid"), '[]') FROM matched)::text AS "matchedUuids",
  (SELECT count(*) FROM suppressed)::int AS suppressed,
  (SELECT count(*) FROM opted_out)::int AS "optedOutEvents",
  (SELECT count(*) FROM marked)::int AS marked`;

const OUTCOME_BY_CODE: Record<string, AppendOutcome> = { s: 'stored', d: 'duplicate', r: 'replay' };

// The hot path (group-commit appends, apply passes) goes straight to the pg driver on a small pool of
// its own: Prisma's raw-query path costs about 1 ms of CPU per statement, a third of a core at the
// webhook's target rate. Everything else uses PrismaService.
const HOT_POOL_SIZE = 4;

/** The delivery-report log: append (group commit), claim, apply, nonce housekeeping. */
@Injectable()
export class DeliveryReportRepository implements OnApplicationShutdown {
  private readonly pool: DedicatedPool;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(DATABASE_URL) databaseUrl: string,
  ) {
    this.pool = new DedicatedPool(
      DeliveryReportRepository.name,
      'delivery-report',
      { connectionString: databaseUrl, max: HOT_POOL_SIZE, application_name: 'bulk-sms-webhook' },
      new Logger(DeliveryReportRepository.name),
    );
  }

  // After every onModuleDestroy hook, so services have drained their writes.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  private get hotPool(): Pool {
    return this.pool.get();
  }

  /**
   * Appends reports (and their nonces) in ONE statement: a nonce seen within `replayWindowMs` makes
   * its report a replay (not stored); an existing dedupeKey makes it a duplicate. Callers must not
   * pass the same nonce twice in one call. Outcomes are in input order.
   */
  async appendMany(requests: readonly AppendRequest[], replayWindowMs: number): Promise<AppendOutcome[]> {
    if (requests.length === 0) {
      return [];
    }
    const rows = requests.map(({ report, nonce }, ord) => ({ ord, nonce, ...report }));
    const result = await this.hotPool.query<{ outcomes: string }>(APPEND_SQL, [
      JSON.stringify(rows),
      Math.round(replayWindowMs),
    ]);
    const codes = result.rows[0]?.outcomes ?? '';
    return requests.map((_, index) => OUTCOME_BY_CODE[codes[index]] ?? 'duplicate');
  }

  /**
   * Runs `work` in one transaction on the hot pool: an apply pass claims reports and applies them
   * in it, the service deciding in between.
   */
  async inApplyTransaction<T>(work: (tx: ReportApplyStatements) => Promise<T>): Promise<T> {
    const client = await this.hotPool.connect();
    let failed = false;
    // A checked-out client has no pool listener: a connection lost mid-transaction would be an
    // unhandled 'error' event (the process dies). The failed query rejects; this only records it.
    const onLost = (): void => {
      failed = true;
    };
    client.on('error', onLost);
    try {
      await client.query('BEGIN');
      const result = await work(new ReportApplyStatements(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      failed = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.removeListener('error', onLost);
      client.release(failed);
    }
  }

  /** Forgets nonces older than the replay window; returns how many. */
  async purgeNonces(olderThanMs: number): Promise<number> {
    return this.prisma.$executeRawUnsafe(
      `DELETE FROM "WebhookNonce" WHERE "receivedAt" < now() - $1::int * interval '1 millisecond'`,
      Math.round(olderThanMs),
    );
  }

  /** How many reports are waiting to be applied (for metrics and tests). */
  async countUnapplied(): Promise<number> {
    const [row] = await this.prisma.$queryRawUnsafe<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "DeliveryReport" WHERE "appliedAt" IS NULL`,
    );
    return Number(row.n);
  }
}

/** The statements of an apply pass, bound to its transaction. */
export class ReportApplyStatements {
  constructor(private readonly client: PoolClient) {}

  /** Up to `limit` unapplied reports, oldest first, locked (`SKIP LOCKED`: instances share the work). */
  async claimUnapplied(limit: number, excludeIds: readonly string[]): Promise<ClaimedReport[]> {
    const { rows } = await this.client.query<ClaimedReport>(CLAIM_SQL, [limit, excludeIds.join(',')]);
    return rows;
  }

  /**
   * Applies the planned updates in ONE statement: forward-only, opted-out recipients suppressed
   * with `optOutReason`, matched (or forced) reports marked applied.
   */
  async applyPlan(updates: ApplyUpdate[], reports: ApplyPlan['reports'], optOutReason: string): Promise<ApplyOutcome> {
    const {
      rows: [result],
    } = await this.client.query<{ campaignIds: string; applied: number; matchedUuids: string; suppressed: number }>(
      APPLY_SQL,
      [JSON.stringify(updates), JSON.stringify(reports), optOutReason],
    );
    return {
      applied: Number(result.applied),
      campaignIds: JSON.parse(result.campaignIds) as string[],
      matchedUuids: new Set(JSON.parse(result.matchedUuids) as string[]),
      suppressed: Number(result.suppressed),
    };
  }
}
