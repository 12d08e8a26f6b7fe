import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { MESSAGE_STATUS_RANK } from '../domain/message-status-order';
import { MessageStatus } from '../domain/message-status.enum';
import { DATABASE_URL } from './database.providers';
import { DedicatedPool } from './dedicated-pool';
import {
  SharedSessionStatementNames,
  deallocateStatements,
  sharedSessionStatementNames,
} from './prepared-statement-names';
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
  /** The message update the report asks for; null when its status is unknown (the applier then marks it). */
  apply: ApplyUpdate | null;
}

/** stored: a new row; duplicate: same dedupeKey already there; replay: nonce seen within the window. */
export type AppendOutcome = 'stored' | 'duplicate' | 'replay';

/** What one append statement did: each request's outcome (input order) and what it applied. */
export interface AppendResult extends Omit<ApplyOutcome, 'matchedUuids'> {
  outcomes: AppendOutcome[];
  /** Stored reports whose message was found: applied (moved it forward) or stale, and marked applied. */
  appliedReports: number;
  /** Stored reports left for the applier (message not found yet, or unknown status). */
  unappliedReports: number;
}

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
// (no UUID: the submission was refused or never confirmed), or a REJECTED from the answer's invalid_number,
// still gives way to the provider's report, its amount (0) included.
const FINAL_RANK = MESSAGE_STATUS_RANK[MessageStatus.DELIVERED];
const FINAL_FROM_REPORT_SQL = `(${STORED_RANK_SQL} = ${FINAL_RANK} AND m."providerMessageId" IS NOT NULL)`;

// The message a report is about: by provider UUID (ProviderMessage), else a message of the report's batch
// to its number that has no UUID yet (the batch's first report can precede the stored acceptance). The
// batch's id range (Batch.messageIdFrom/To) takes that lookup to the partition its messages are in; a
// batch without one (stored before it existed, or unknown here) is looked for in every partition.
function matchMessageSql(report: string): string {
  return `LEFT JOIN "Batch" rb ON rb.id = ${report}."batchId"
  CROSS JOIN LATERAL (
    SELECT id FROM (
      (SELECT m.id, 0 AS pref FROM "ProviderMessage" p JOIN "Message" m ON m.id = p."messageId"
        WHERE p."providerMessageId" = ${report}."messageUuid")
      UNION ALL
      -- OFFSET 0 keeps ORDER BY id LIMIT 1 outside: else the planner may walk the primary key through the
      -- batch's whole id range looking for the number, instead of the (batchId, to) index's one probe.
      (SELECT id, 1 AS pref FROM (
        SELECT id FROM "Message"
        WHERE ${report}."batchId" IS NOT NULL AND "batchId" = ${report}."batchId" AND "to" = ${report}."to"
          AND id BETWEEN coalesce(rb."messageIdFrom", 0) AND coalesce(rb."messageIdTo", 9223372036854775807)
          AND "providerMessageId" IS NULL
        OFFSET 0) in_batch
        ORDER BY id LIMIT 1)
    ) candidates ORDER BY pref LIMIT 1
  ) c`;
}

// From "target" (one row per message: mid and the winning report's update), apply the forward-only rule,
// suppress the recipients whose report says they opted out, record the consent evidence. $3 is the
// suppression reason. The Message trigger keeps the counters in step. Shared by both statements below.
const APPLY_TARGET_SQL = `
-- Message rows are locked in id order (as the dispatcher does), so two writers never wait on each other in a circle.
-- One primary-key lookup per message, its id a parameter of the lateral subquery: each lookup goes to the one
-- partition holding that id (run-time pruning). With id = ANY(ARRAY(...)) every partition's index was probed
-- for every id; with IN (SELECT ...) a fresh campaign's whole partition was scanned for each statement.
locked AS (
  SELECT l.id FROM (SELECT mid FROM target ORDER BY mid) t
  CROSS JOIN LATERAL (SELECT id FROM "Message" WHERE id = t.mid FOR NO KEY UPDATE) l
),
updated AS (
  UPDATE "Message" AS m SET
    status = t.status,
    "providerMessageId" = coalesce(m."providerMessageId", t."messageUuid"),
    "reportSequence" = t.sequence,
    "errorCode" = t."errorCode",
    units = coalesce(t.units, m.units),
    -- The report's amount, else the one stored (from an earlier report). But a FAILED or REJECTED message that
    -- passes the WHERE below has no provider id: the service failed it itself, or Plivo called its number invalid
    -- at acceptance, at 0. Revived by the provider's report, it costs what the report says, or is not costed yet
    -- (NULL), never that 0.
    amount = CASE WHEN m.status IN ('FAILED', 'REJECTED') THEN t.amount ELSE coalesce(t.amount, m.amount) END,
    "sentAt" = CASE WHEN t.status IN ('SENT', 'DELIVERED', 'UNDELIVERED', 'REJECTED')
      THEN coalesce(m."sentAt", t."sentAt", now()) ELSE m."sentAt" END,
    -- Handed over no later than sent: a provider clock behind ours, or a time it gives in whole seconds
    -- (message records), caps our stamp, as when the report comes first (handedOverAt). NULL stays NULL.
    "submittedAt" = CASE WHEN t.status IN ('SENT', 'DELIVERED', 'UNDELIVERED', 'REJECTED') AND m."submittedAt" IS NOT NULL
      THEN least(m."submittedAt", coalesce(m."sentAt", t."sentAt", now())) ELSE m."submittedAt" END,
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
  RETURNING "accountId", phone, "campaignId"
),
-- recipient.opted_out for the customer's webhooks, in this transaction (see the webhook_outbox migration),
-- naming the campaign the suppression records. (It looked that campaign up again among the updated rows,
-- a nested loop whose estimate alone, 129,000, once made the statement's plan pass jit_above_cost.)
opted_out AS (
  SELECT "webhook_recipient_opted_out"(s."accountId", s.phone, s."campaignId", 'stop')
  FROM suppressed s
),
-- Evidence of each carrier opt-out (docs/consent.md): the report's message UUID and the campaign.
consent AS (
  INSERT INTO "ConsentRecord" ("accountId", phone, action, source, "campaignId", "messageUuid", text)
  SELECT c."accountId", u."to", 'OPT_OUT', 'CARRIER_OPT_OUT', u."campaignId", u."messageUuid", $3
  FROM updated u JOIN "Campaign" c ON c.id = u."campaignId"
  WHERE u."optOut"
)`;

// The result columns both statements end with.
const APPLY_RESULT_SQL = `
  (SELECT coalesce(json_agg(DISTINCT "campaignId"), '[]') FROM updated)::text AS "campaignIds",
  (SELECT count(*) FROM updated)::int AS applied,
  (SELECT count(*) FROM suppressed)::int AS suppressed,
  (SELECT count(*) FROM opted_out)::int AS "optedOutEvents"`;

// The intake's statement: append the reports and their nonces (a nonce seen within $2 ms makes its
// report a replay, an existing dedupeKey a duplicate) and, in the same transaction, apply every stored
// report whose message is found (marked applied as it is inserted). A report whose message is not
// found yet, or whose status we do not know, is stored unapplied for the applier.
const APPEND_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset($1::json) AS i(
    ord int, nonce text, "dedupeKey" text, "messageUuid" text, "batchId" uuid, "to" text, status text,
    sequence int, "errorCode" text, units int, "totalAmount" numeric, "totalRate" numeric, payload jsonb,
    "applyStatus" "MessageStatus", rank int, "applyErrorCode" text, "sentAt" timestamptz,
    "deliveredAt" timestamptz, "optOut" boolean)
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
matched AS (
  SELECT a.ord, c.id AS mid FROM accepted a ${matchMessageSql('a')}
  WHERE a."applyStatus" IS NOT NULL
),
stored AS (
  INSERT INTO "DeliveryReport" ("dedupeKey", "messageUuid", "batchId", "to", status, sequence, "errorCode", units,
    "totalAmount", "totalRate", payload, "appliedAt")
  SELECT a."dedupeKey", a."messageUuid", a."batchId", a."to", a.status, a.sequence, a."errorCode", a.units,
    a."totalAmount", a."totalRate", a.payload, CASE WHEN m.mid IS NOT NULL THEN now() END
  FROM accepted a LEFT JOIN matched m ON m.ord = a.ord ORDER BY a.ord
  ON CONFLICT ("dedupeKey") DO NOTHING
  RETURNING "dedupeKey", "appliedAt" IS NOT NULL AS applied
),
target AS (
  SELECT DISTINCT ON (m.mid) m.mid, a."messageUuid", a."applyStatus" AS status, a.rank, a.sequence,
    a."applyErrorCode" AS "errorCode", a.units, a."totalAmount" AS amount, a."sentAt", a."deliveredAt", a."optOut"
  FROM accepted a JOIN matched m ON m.ord = a.ord
  WHERE a."dedupeKey" IN (SELECT "dedupeKey" FROM stored)
  ORDER BY m.mid, a.rank DESC, a.sequence DESC NULLS LAST, a.ord DESC
),${APPLY_TARGET_SQL}
SELECT
  (SELECT coalesce(string_agg(CASE
    WHEN i.nonce IS NOT NULL AND i.nonce NOT IN (SELECT nonce FROM fresh_nonces) THEN 'r'
    WHEN i."dedupeKey" IN (SELECT "dedupeKey" FROM stored) THEN 's'
    ELSE 'd' END, '' ORDER BY i.ord), '') FROM input i) AS outcomes,
  (SELECT count(*) FILTER (WHERE applied) FROM stored)::int AS "appliedReports",
  (SELECT count(*) FILTER (WHERE NOT applied) FROM stored)::int AS "unappliedReports",${APPLY_RESULT_SQL}`;

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

// The applier's statement, for reports the intake could not apply: match (UUID, else batch + To), apply,
// mark the matched (or forced) reports applied.
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
  SELECT x.*, c.id AS mid FROM upd x ${matchMessageSql('x')}
),
target AS (
  SELECT DISTINCT ON (mid) * FROM matched ORDER BY mid, rank DESC, sequence DESC NULLS LAST
),${APPLY_TARGET_SQL},
marked AS (
  UPDATE "DeliveryReport" AS d SET "appliedAt" = now()
  FROM reports r
  WHERE d.id = r.id AND (r.force OR r."messageUuid" IN (SELECT "messageUuid" FROM matched))
  RETURNING d.id
)
SELECT
  (SELECT coalesce(json_agg(DISTINCT "messageUuid"), '[]') FROM matched)::text AS "matchedUuids",
  (SELECT count(*) FROM marked)::int AS marked,${APPLY_RESULT_SQL}`;

const OUTCOME_BY_CODE: Record<string, AppendOutcome> = { s: 'stored', d: 'duplicate', r: 'replay' };

// The hot path (group-commit appends, apply passes) goes straight to the pg driver on a small pool of
// its own: Prisma's raw-query path costs about 1 ms of CPU per statement, a third of a core at the
// webhook's target rate. Everything else uses PrismaService. Its statements are named (prepared once per
// connection): planning the append took 1.4 ms on PostgreSQL, most of a 20-report statement's work, and
// ~45 % of PGlite's time per statement.
const HOT_POOL_SIZE = 4;

/** The delivery-report log: append (group commit), claim, apply, nonce housekeeping. */
@Injectable()
export class DeliveryReportRepository implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryReportRepository.name);
  private readonly pool: DedicatedPool;
  private readonly sharedSessionNames: SharedSessionStatementNames;
  private sharedSession: Promise<boolean> | undefined;
  /** On a shared session, the names this repository's connections prepared (deallocated at shutdown). */
  private readonly sharedSessionStatements = new Set<string>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(DATABASE_URL) databaseUrl: string,
  ) {
    this.pool = new DedicatedPool(DeliveryReportRepository.name, 'delivery-report', {
      connectionString: databaseUrl,
      max: HOT_POOL_SIZE,
      application_name: 'bulk-sms-webhook',
    });
    this.sharedSessionNames = sharedSessionStatementNames(databaseUrl);
  }

  // After every onModuleDestroy hook, so services have drained their writes, and before the embedded
  // database stops (onApplicationShutdown): deallocating on a socket it had closed logged ECONNRESET.
  async beforeApplicationShutdown(): Promise<void> {
    if (this.sharedSessionStatements.size > 0) {
      await deallocateStatements(this.hotPool, [...this.sharedSessionStatements]).catch((error: unknown) =>
        this.logger.warn(`Prepared statements left in the embedded database's session: ${String(error)}`),
      );
    }
    await this.pool.close();
  }

  private get hotPool(): Pool {
    return this.pool.get();
  }

  /**
   * Appends reports (and their nonces) in ONE statement, and applies those whose message is found, in
   * the same transaction: a nonce seen within `replayWindowMs` makes its report a replay (not stored);
   * an existing dedupeKey makes it a duplicate (not applied again). Callers must not pass the same nonce
   * or dedupeKey twice in one call. Opted-out recipients are suppressed with `optOutReason`.
   */
  async appendMany(
    requests: readonly AppendRequest[],
    replayWindowMs: number,
    optOutReason: string,
  ): Promise<AppendResult> {
    if (requests.length === 0) {
      return { outcomes: [], appliedReports: 0, unappliedReports: 0, applied: 0, campaignIds: [], suppressed: 0 };
    }
    // Field by field, no spreads: this runs for every webhook request.
    const rows = requests.map(({ report, nonce, apply }, ord) => ({
      ord,
      nonce,
      dedupeKey: report.dedupeKey,
      messageUuid: report.messageUuid,
      batchId: report.batchId,
      to: report.to,
      status: report.status,
      sequence: report.sequence,
      errorCode: report.errorCode,
      units: report.units,
      totalAmount: report.totalAmount,
      totalRate: report.totalRate,
      payload: report.payload,
      applyStatus: apply?.status ?? null,
      rank: apply?.rank ?? null,
      applyErrorCode: apply?.errorCode ?? null,
      sentAt: apply?.sentAt ?? null,
      deliveredAt: apply?.deliveredAt ?? null,
      optOut: apply?.optOut ?? null,
    }));
    const shared = await this.sharesOneSession();
    const client = await this.hotPool.connect();
    let result: {
      outcomes: string;
      appliedReports: number;
      unappliedReports: number;
      campaignIds: string;
      applied: number;
      suppressed: number;
    };
    try {
      ({
        rows: [result],
      } = await client.query<typeof result>({
        name: await this.statementName(client, shared, 'delivery-report-append'),
        text: APPEND_SQL,
        values: [JSON.stringify(rows), Math.round(replayWindowMs), optOutReason],
      }));
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.release();
    const codes = result.outcomes;
    return {
      outcomes: requests.map((_, index) => OUTCOME_BY_CODE[codes[index]] ?? 'duplicate'),
      appliedReports: Number(result.appliedReports),
      unappliedReports: Number(result.unappliedReports),
      applied: Number(result.applied),
      campaignIds: JSON.parse(result.campaignIds) as string[],
      suppressed: Number(result.suppressed),
    };
  }

  /**
   * Runs `work` in one transaction on the hot pool: an apply pass claims reports and applies them
   * in it, the service deciding in between.
   */
  async inApplyTransaction<T>(work: (tx: ReportApplyStatements) => Promise<T>): Promise<T> {
    // Asked before BEGIN: PGlite runs another connection's statement only after this transaction ends.
    const shared = await this.sharesOneSession();
    const client = await this.hotPool.connect();
    let failed = false;
    // A checked-out client has no pool listener: a connection lost mid-transaction would be an
    // unhandled 'error' event (the process dies). The failed query rejects; this only records it.
    const onLost = (): void => {
      failed = true;
    };
    client.on('error', onLost);
    try {
      const names = {
        claim: await this.statementName(client, shared, 'delivery-report-claim'),
        apply: await this.statementName(client, shared, 'delivery-report-apply'),
      };
      await client.query('BEGIN');
      const result = await work(new ReportApplyStatements(client, names));
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

  /**
   * Whether every connection shares one session (PGlite), where a statement's name must differ from
   * connection to connection; PostgreSQL keeps prepared statements per connection.
   */
  private sharesOneSession(): Promise<boolean> {
    this.sharedSession ??= this.hotPool
      .query<{ embedded: boolean }>(`SELECT version() LIKE '%PGlite%' AS embedded`)
      .then(({ rows }) => rows[0].embedded)
      .catch((error: unknown) => {
        this.sharedSession = undefined; // asked again with the next statement
        throw error;
      });
    return this.sharedSession;
  }

  private async statementName(client: PoolClient, shared: boolean, base: string): Promise<string> {
    if (!shared) {
      return base;
    }
    const name = await this.sharedSessionNames.nameOn(client, base);
    this.sharedSessionStatements.add(name);
    return name;
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

/** The names the apply pass's statements have on its connection. */
interface ApplyStatementNames {
  claim: string;
  apply: string;
}

/** The statements of an apply pass, bound to its transaction. */
export class ReportApplyStatements {
  constructor(
    private readonly client: PoolClient,
    private readonly names: ApplyStatementNames,
  ) {}

  /** Up to `limit` unapplied reports, oldest first, locked (`SKIP LOCKED`: instances share the work). */
  async claimUnapplied(limit: number, excludeIds: readonly string[]): Promise<ClaimedReport[]> {
    const { rows } = await this.client.query<ClaimedReport>({
      name: this.names.claim,
      text: CLAIM_SQL,
      values: [limit, excludeIds.join(',')],
    });
    return rows;
  }

  /**
   * Applies the planned updates in ONE statement: forward-only, opted-out recipients suppressed
   * with `optOutReason`, matched (or forced) reports marked applied.
   */
  async applyPlan(updates: ApplyUpdate[], reports: ApplyPlan['reports'], optOutReason: string): Promise<ApplyOutcome> {
    const {
      rows: [result],
    } = await this.client.query<{ campaignIds: string; applied: number; matchedUuids: string; suppressed: number }>({
      name: this.names.apply,
      text: APPLY_SQL,
      values: [JSON.stringify(updates), JSON.stringify(reports), optOutReason],
    });
    return {
      applied: Number(result.applied),
      campaignIds: JSON.parse(result.campaignIds) as string[],
      matchedUuids: new Set(JSON.parse(result.matchedUuids) as string[]),
      suppressed: Number(result.suppressed),
    };
  }
}
