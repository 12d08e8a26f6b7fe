import { Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { SubmissionErrorCode } from '../domain/message-error-code';
import type { CountryRecipients, UncostedMix } from '../messaging/budget-rule';
import { parseEstimate } from './cost-report.repository';
import { Prisma } from '../generated/prisma/client';
import { Db, InjectDb } from './db';
import { updateWaitingMessagesOfBatches } from './waiting-messages-of-batches';
import { makeListMessages } from './list-messages';

/** A batch the dispatcher locked, with what its rules need to know about its campaign. */
export interface DueBatch {
  id: string;
  campaignId: string;
  accountId: string;
  senderId: string;
  /** What the batch sends: its own rendered text (personalized campaigns), else the campaign's. */
  text: string;
  state: 'PENDING' | 'SUBMITTING' | 'AMBIGUOUS';
  attempts: number;
  reconcileAttempts: number;
  createdAt: Date;
  submittedAt: Date | null;
  /** The first submission attempt (null until there is one); the retry age counts from it. */
  firstAttemptAt: Date | null;
  campaignStatus: string;
  campaignPriority: number;
  /** The campaign's fair-share turn (Campaign.dispatchTurnAt); null until its first claim. */
  campaignTurnAt?: Date | null;
  /** The campaign's money and counters, for the budget rule. */
  maxCost: Decimal | null;
  estimatedCost: Decimal;
  actualCost: Decimal;
  total: number;
  suppressed: number;
  /** Messages not yet costed by the provider (waiting, submitted, queued). */
  uncosted: number;
  /** Of those, the messages not yet sent (PENDING). */
  waiting: number;
  /** The batch's send window in its recipients' zone (src/quiet-hours); null: any time. */
  windowZone?: string | null;
  windowStartMinute?: number | null;
  windowEndMinute?: number | null;
  windowDays?: number | null;
  /** The account's own MPS cap (AccountSettings.mps); null: the service's PLIVO_MPS. */
  accountMps?: number | null;
  /** The account's own Plivo (sub-)account, the token sealed; null: the service's account. */
  plivoAuthId?: string | null;
  plivoAuthTokenEncrypted?: string | null;
  /** Where the batch's messages' ids lie (Batch.messageIdFrom/To); null: not recorded (older batches). */
  messageIdFrom?: bigint | null;
  messageIdTo?: bigint | null;
}

/** A batch as the statements on its messages need it: its id, and its messages' id range when known. */
export type BatchRef = Pick<DueBatch, 'id' | 'messageIdFrom' | 'messageIdTo'>;

/** A batch being claimed (with its message id range, if its messages were made by the claim) and whom it sends to. */
export interface ClaimableBatch<B extends BatchRef> {
  batch: B;
  recipients: string[];
}

/** Thrown to roll back failIfNothingSubmitted's batches and messages when the campaign cannot fail. */
export class NothingSubmittedRolledBack extends Error {}

/** A shared pacing row, locked: the provider queue model and the API token bucket. */
export interface PacingRow {
  key: string;
  queueDrainsAt: Date;
  apiTokens: number;
  apiTokensAt: Date;
  /** Fair share's virtual time, kept on the account's row (fair-share.ts, nextTurn); null until the first claim. */
  virtualTurnAt?: Date | null;
  /** The database's clock when the row was locked (all instances share it). */
  now: Date;
}

export interface PacingUpdate {
  key: string;
  queueDrainsAt: Date;
  apiTokens: number;
  apiTokensAt: Date;
  /** The account row's new virtual time (a claim's start); absent or null: unchanged. */
  virtualTurnAt?: Date | null;
}

interface DueBatchRow extends Omit<DueBatch, 'maxCost' | 'estimatedCost' | 'actualCost'> {
  maxCost: { toString(): string } | null;
  estimatedCost: { toString(): string };
  actualCost: { toString(): string };
}

/**
 * Whether the provider's message `uuid` (an SQL expression) is carried by a message of another batch than
 * `batchId`: then it is that message's (another campaign to the same number), never this batch's.
 */
function carriedByAnotherBatch(uuid: Prisma.Sql, batchId: string): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM "ProviderMessage" p JOIN "Message" o ON o.id = p."messageId"
    WHERE p."providerMessageId" = ${uuid} AND o."batchId" IS DISTINCT FROM ${batchId}::uuid)`;
}

// The batch's messages that an answer of the provider (or a reconciliation) settles: those waiting,
// and those a report reached first (the provider's "sent" can be applied before its answer to the
// request is stored): these keep the report's status and only get their submittedAt.
const WAITING_OR_REPORTED_FIRST = Prisma.raw(
  `(status = 'PENDING' OR ("submittedAt" IS NULL AND "providerMessageId" IS NOT NULL))`,
);

/**
 * A message's submittedAt: when its batch was handed to the provider, i.e. the start of the batch's
 * last submission attempt (stamped by markSubmitting, durable before the request went out), not
 * when the answer was stored. Capped by a sentAt already reported, for a provider clock behind ours.
 */
function handedOverAt(batchId: string): Prisma.Sql {
  return Prisma.sql`least((SELECT "submittedAt" FROM "Batch" WHERE id = ${batchId}::uuid), "sentAt")`;
}

const LARGEST_MESSAGE_ID = 9223372036854775807n;

/**
 * `m.id` within the batches' message id range, given as values: PostgreSQL then prunes the statement
 * to the partitions holding them (a range read from the Batch row inside the statement is invisible to
 * the planner, which then read the campaign's whole id range through the primary key). When a batch has
 * no range (stored before ranges were recorded), every id qualifies.
 */
function withinMessageIds(batches: readonly BatchRef[]): Prisma.Sql {
  let lower = LARGEST_MESSAGE_ID;
  let upper = 0n;
  for (const { messageIdFrom: from, messageIdTo: to } of batches) {
    if (typeof from !== 'bigint' || typeof to !== 'bigint') {
      [lower, upper] = [0n, LARGEST_MESSAGE_ID];
      break;
    }
    lower = from < lower ? from : lower;
    upper = to > upper ? to : upper;
  }
  return Prisma.sql`m.id BETWEEN ${lower.toString()}::bigint AND ${upper.toString()}::bigint`;
}

/**
 * A batch (b, of campaign c) to work on now: waiting (of a QUEUED/SENDING campaign), or whose
 * submission may have reached the provider. Quiet hours and the brake (src/quiet-hours,
 * src/brake): a waiting batch whose window is closed, or whose country's brake tripped, is not due.
 */
function dueBatch(windowNow: Date, waitingOnly = false): Prisma.Sql {
  return Prisma.sql`b.state IN ('PENDING', 'SUBMITTING', 'AMBIGUOUS') AND (NOT ${waitingOnly} OR b.state = 'PENDING')
    AND b."nextAttemptAt" <= now()
    AND (b.state <> 'PENDING' OR c.status IN ('QUEUED', 'SENDING'))
    AND (b.state <> 'PENDING' OR (b."heldBy" IS NULL AND (b."windowOpensAt" IS NULL OR b."windowOpensAt" <= ${windowNow})))`;
}

/**
 * The dispatcher's statements, named for what they do. No rule lives here: the dispatcher's
 * services decide, and own the transaction (`Transactor`) the statements run in. Lock order, to
 * stay free of deadlocks with cancel and report application: pacing rows (by key), then batch,
 * then messages, then campaigns (by id).
 */
@Injectable()
export class DispatchRepository {
  constructor(@InjectDb() private readonly db: Db) {}

  /**
   * Locks the shared pacing rows (created on first use with `initialTokens`) in key order, in one
   * round trip, and returns their state with the database's clock.
   */
  async lockPacing(keys: Array<{ key: string; initialTokens: number }>): Promise<PacingRow[]> {
    const sorted = [...keys].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return this.db.$queryRaw<PacingRow[]>`
      INSERT INTO "ProviderPacing" (key, "queueDrainsAt", "apiTokens", "apiTokensAt")
      SELECT k.key, now(), k.tokens, now()
      FROM unnest(${sorted.map((k) => k.key)}::text[], ${sorted.map((k) => k.initialTokens)}::float8[])
        WITH ORDINALITY AS k(key, tokens, ord)
      ORDER BY k.ord
      ON CONFLICT (key) DO UPDATE SET key = excluded.key
      RETURNING key, "queueDrainsAt", "apiTokens", "apiTokensAt", "virtualTurnAt", now() AS now`;
  }

  /** Writes the new state of locked pacing rows, in one statement. */
  async reservePacing(updates: PacingUpdate[]): Promise<void> {
    if (updates.length === 0) {
      return;
    }
    await this.db.$executeRaw`
      UPDATE "ProviderPacing" AS p SET "queueDrainsAt" = u.drains, "apiTokens" = u.tokens, "apiTokensAt" = u.at,
        "virtualTurnAt" = coalesce(u.vturn, p."virtualTurnAt"), "updatedAt" = now()
      FROM unnest(${updates.map((u) => u.key)}::text[], ${updates.map((u) => u.queueDrainsAt)}::timestamptz[],
        ${updates.map((u) => u.apiTokens)}::float8[], ${updates.map((u) => u.apiTokensAt)}::timestamptz[],
        ${updates.map((u) => u.virtualTurnAt ?? null)}::timestamptz[])
        AS u(key, drains, tokens, at, vturn)
      WHERE p.key = u.key`;
  }

  /**
   * Locks the next batch to work on (`FOR UPDATE SKIP LOCKED`): of the campaign whose turn comes
   * first (fair share), the batch due first: a waiting batch (of a QUEUED/SENDING campaign), or one
   * whose submission may have reached the provider (lease expired, or ambiguous), unless `waitingOnly`.
   * Not of the campaigns in `exceptCampaignIds` (passed over by this claim: their own lane is full).
   */
  async lockNextDue(
    windowNow: Date = new Date(),
    options: { waitingOnly?: boolean; exceptCampaignIds?: string[] } = {},
  ): Promise<DueBatch | null> {
    const [batch] = await this.lockDue(windowNow, null, [], 1, options);
    return batch ?? null;
  }

  /**
   * Is any batch due, as `lockNextDue` would find one (locks aside)? One statement outside a
   * transaction: an idle poll takes no pacing lock (on the embedded PGlite, no hold on the database).
   */
  async hasDue(windowNow: Date = new Date(), waitingOnly = false): Promise<boolean> {
    const [{ due }] = await this.db.$queryRaw<Array<{ due: boolean }>>`
      SELECT EXISTS (
        SELECT 1 FROM "Batch" b JOIN "Campaign" c ON c.id = b."campaignId"
        WHERE ${dueBatch(windowNow, waitingOnly)}
      ) AS due`;
    return due;
  }

  /**
   * Locks up to `limit` next waiting batches of the campaign, in order, other than `exceptIds`
   * (batches this transaction locked already: SKIP LOCKED skips only other transactions' locks).
   */
  lockNextOfCampaign(windowNow: Date, campaignId: string, exceptIds: string[], limit: number): Promise<DueBatch[]> {
    return this.lockDue(windowNow, campaignId, exceptIds, limit);
  }

  private async lockDue(
    windowNow: Date,
    campaignId: string | null,
    exceptIds: string[],
    limit: number,
    { waitingOnly = false, exceptCampaignIds = [] }: { waitingOnly?: boolean; exceptCampaignIds?: string[] } = {},
  ): Promise<DueBatch[]> {
    const rows = await this.db.$queryRaw<DueBatchRow[]>`
      SELECT b.id, b."campaignId", c."accountId", c."senderId", coalesce(b.text, c.text) AS text, b.state, b.attempts, b."reconcileAttempts",
             b."createdAt", b."submittedAt", b."firstAttemptAt", c.status AS "campaignStatus", c.priority AS "campaignPriority",
             c."dispatchTurnAt" AS "campaignTurnAt",
             c."maxCost", c."estimatedCost", c."actualCost", c.total, c.suppressed,
             (c.pending + c.submitted + c.queued) AS uncosted, c.pending AS waiting,
             b."windowZone", b."windowStartMinute", b."windowEndMinute", b."windowDays",
             s.mps AS "accountMps", s."plivoAuthId", s."plivoAuthTokenEncrypted",
             b."messageIdFrom", b."messageIdTo"
      FROM "Batch" b JOIN "Campaign" c ON c.id = b."campaignId"
        LEFT JOIN "AccountSettings" s ON s."accountId" = c."accountId"
      WHERE ${dueBatch(windowNow, waitingOnly)}
        AND (${campaignId}::uuid IS NULL OR (b."campaignId" = ${campaignId}::uuid AND b.state = 'PENDING'))
        AND NOT (b.id = ANY(${exceptIds}::uuid[]))
        AND NOT (b."campaignId" = ANY(${exceptCampaignIds}::uuid[]))
      ORDER BY c."dispatchTurnAt" NULLS FIRST, b."nextAttemptAt", b.sequence
      LIMIT ${limit}
      FOR UPDATE OF b SKIP LOCKED`;
    return rows.map((row) => ({
      ...row,
      maxCost: row.maxCost === null ? null : new Decimal(row.maxCost.toString()),
      estimatedCost: new Decimal(row.estimatedCost.toString()),
      actualCost: new Decimal(row.actualCost.toString()),
    }));
  }

  /** A waiting batch whose send window is closed waits for it to open again. */
  async deferToWindow(batchId: string, opensAt: Date): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET "windowOpensAt" = ${opensAt}, "updatedAt" = now() WHERE id = ${batchId}::uuid AND state = 'PENDING'`;
  }

  /** A batch whose request may have reached the provider is leased for reconciliation. */
  async markReconciling(batchId: string, owner: string, leaseMs: number): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET state = 'AMBIGUOUS', "leaseOwner" = ${owner},
        "leaseExpiresAt" = now() + ${leaseMs} * interval '1 millisecond',
        "nextAttemptAt" = now() + ${leaseMs} * interval '1 millisecond', "updatedAt" = now()
      WHERE id = ${batchId}::uuid`;
  }

  /** The campaign pauses with the reason (budget, or a refusal of the account), if it is still sending. */
  /**
   * The provider refused the account (401, 403, no credit) before it took anything of the campaign: the
   * campaign FAILS, as the contract has it ("nothing could be submitted, e.g. provider rejected
   * credentials"), its waiting batches and messages with it (`submission_refused`, cost 0). Only when no
   * batch of it was accepted and none is being submitted or checked (it might be at the provider): then
   * false, and the caller pauses it instead. A campaign already paused for such a refusal (by another
   * batch that got the same answer at the same time) fails too; one paused by its account stays paused.
   * Batches before the campaign, the lock order every writer follows.
   */
  async failIfNothingSubmitted(campaignId: string, reason: string): Promise<boolean> {
    const failedBatches = await this.db.$executeRaw`
      UPDATE "Batch" SET state = 'FAILED', "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "lastError" = ${reason},
        "updatedAt" = now()
      WHERE "campaignId" = ${campaignId}::uuid AND state = 'PENDING'
        AND NOT EXISTS (SELECT 1 FROM "Batch" b WHERE b."campaignId" = ${campaignId}::uuid
                        AND b.state IN ('ACCEPTED', 'SUBMITTING', 'AMBIGUOUS'))`;
    if (failedBatches === 0) {
      return false;
    }
    await makeListMessages(
      this.db,
      { campaignId, batchState: 'FAILED' },
      { status: 'FAILED', errorCode: SubmissionErrorCode.REFUSED },
    );
    await this.db.$executeRaw(
      updateWaitingMessagesOfBatches(
        campaignId,
        'FAILED',
        Prisma.sql`status = 'FAILED', "errorCode" = ${SubmissionErrorCode.REFUSED}, amount = 0, "updatedAt" = now()`,
      ),
    );
    const failed = await this.db.$executeRaw`
      UPDATE "Campaign" SET status = 'FAILED', "statusReason" = ${`nothing could be submitted: ${reason}`},
        "completedAt" = now(), "updatedAt" = now()
      WHERE id = ${campaignId}::uuid
        AND (status IN ('QUEUED', 'SENDING') OR (status = 'PAUSED' AND "statusReason" = ${reason}))
        AND pending + submitted + queued + sent = 0`;
    if (failed === 0) {
      // Paused by its account, cancelled, or a message still on its way: undo the batches and messages.
      throw new NothingSubmittedRolledBack();
    }
    return true;
  }

  async pauseSending(campaignId: string, reason: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Campaign" SET status = 'PAUSED', "statusReason" = ${reason}, "updatedAt" = now()
      WHERE id = ${campaignId}::uuid AND status IN ('QUEUED', 'SENDING')`;
  }

  /**
   * The budget rule's view of a campaign's uncosted messages by country (budget-rule.ts), for a
   * campaign with maxCost: the countries of its batches not yet sent, and of the batches accepted
   * last that hold `inFlight` recipients (messages are costed about in the order they went out),
   * with the estimate per message of each country. Two statements over its Batch rows (about one
   * per 1,000 recipients) and its Campaign row, none over its messages.
   */
  async uncostedMix(campaignId: string, inFlight: number): Promise<UncostedMix> {
    const batches = await this.db.$queryRaw<Array<CountryRecipients & { accepted: boolean }>>`
      SELECT b.country, sum(b."recipientCount")::int AS recipients, false AS accepted
      FROM "Batch" b
      WHERE b."campaignId" = ${campaignId}::uuid AND b.state IN ('PENDING', 'SUBMITTING', 'AMBIGUOUS')
      GROUP BY b.country
      UNION ALL
      SELECT r.country, sum(r.recipients)::int, true
      FROM (
        SELECT b.country, b."recipientCount" AS recipients,
               sum(b."recipientCount") OVER (ORDER BY b."acceptedAt" DESC NULLS LAST, b.sequence DESC) AS running
        FROM "Batch" b
        WHERE b."campaignId" = ${campaignId}::uuid AND b.state = 'ACCEPTED'
      ) r
      WHERE r.running - r.recipients < ${inFlight}
      GROUP BY r.country`;
    const [campaign] = await this.db.$queryRaw<Array<{ estimate: unknown }>>`
      SELECT "estimatedCostByCountry" AS estimate FROM "Campaign" WHERE id = ${campaignId}::uuid`;
    const byCountry = ({ country, recipients }: CountryRecipients): CountryRecipients => ({ country, recipients });
    return {
      waitingBatches: batches.filter((b) => !b.accepted).map(byCountry),
      inFlightBatches: batches.filter((b) => b.accepted).map(byCountry),
      pricePerMessage: new Map(
        parseEstimate(campaign?.estimate)
          .filter((country) => country.recipients > 0)
          .map((country) => [country.country, country.cost.div(country.recipients)]),
      ),
    };
  }

  /** Provider requests in flight across all instances. */
  async countInFlight(): Promise<number> {
    const [{ inFlight }] = await this.db.$queryRaw<Array<{ inFlight: number }>>`
      SELECT count(*)::int AS "inFlight" FROM "Batch" WHERE state = 'SUBMITTING' AND "leaseExpiresAt" > now()`;
    return inFlight;
  }

  async pendingRecipients(batch: BatchRef): Promise<string[]> {
    const rows = await this.db.$queryRaw<Array<{ to: string }>>`
      SELECT "to" FROM "Message" m
      WHERE m."batchId" = ${batch.id}::uuid AND m.status = 'PENDING' AND ${withinMessageIds([batch])} ORDER BY m.id`;
    return rows.map((r) => r.to);
  }

  /**
   * The waiting recipients of each batch as it is claimed, in one statement (after the one that makes the
   * messages of a list's batches): any whose number the account suppressed meanwhile become SUPPRESSED in
   * the same statement and are left out, so a claim never picks a suppressed number. Rows are locked in id
   * order. Every batch is in the map, with the id range of messages made now (later statements then reach
   * only the partitions they went to).
   */
  async claimableRecipients<B extends BatchRef>(
    batches: readonly B[],
    accountId: string,
  ): Promise<Map<string, ClaimableBatch<B>>> {
    if (batches.length === 0) {
      return new Map();
    }
    const batchIds = batches.map((b) => b.id);
    // A list's campaign: its batches' messages are made now, durable before their request leaves. Only a
    // batch with no message id range can be one (the others' messages were written with the campaign).
    const unmade = batches.filter((b) => b.messageIdFrom === null || b.messageIdFrom === undefined).map((b) => b.id);
    let ranged = batches;
    if (unmade.length > 0) {
      const { ranges } = await makeListMessages(this.db, { batchIds: unmade });
      ranged = batches.map((b) => ({ ...b, ...ranges.get(b.id) }));
    }
    const rows = await this.db.$queryRaw<Array<{ batchId: string; to: string; suppressed: boolean }>>`
      WITH waiting AS (
        SELECT m.id, m."batchId", m."to", EXISTS (SELECT 1 FROM "Suppression" s WHERE s."accountId" = ${accountId}::uuid AND s.phone = m."to") AS suppressed
        FROM "Message" m WHERE m."batchId" = ANY(${batchIds}::uuid[]) AND m.status = 'PENDING' AND ${withinMessageIds(ranged)}
        ORDER BY m.id FOR NO KEY UPDATE
      ),
      settled AS (
        UPDATE "Message" m SET status = 'SUPPRESSED', "updatedAt" = now()
        FROM waiting w WHERE m.id = w.id AND w.suppressed
      )
      SELECT "batchId"::text AS "batchId", "to", suppressed FROM waiting ORDER BY id`;
    const claimable = new Map(ranged.map((batch) => [batch.id, { batch, recipients: [] as string[] }]));
    for (const row of rows) {
      if (!row.suppressed) {
        claimable.get(row.batchId)?.recipients.push(row.to);
      }
    }
    return claimable;
  }

  /** Nothing is left to send in the batch (its messages were settled some other way). */
  async markDrained(batchId: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET state = 'ACCEPTED', "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = now()
      WHERE id = ${batchId}::uuid`;
  }

  /** Durable first: the batches are SUBMITTING, leased to `owner`, before their requests are sent. */
  async markSubmitting(batchIds: string[], owner: string, leaseMs: number): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET state = 'SUBMITTING', "leaseOwner" = ${owner},
        "leaseExpiresAt" = now() + ${leaseMs} * interval '1 millisecond',
        "nextAttemptAt" = now() + ${leaseMs} * interval '1 millisecond',
        attempts = attempts + 1, "submittedAt" = now(), "firstAttemptAt" = coalesce("firstAttemptAt", now()),
        "submittedBy" = ${owner}, "updatedAt" = now()
      WHERE id = ANY(${batchIds}::uuid[])`;
  }

  /**
   * The campaign is sending (QUEUED becomes SENDING) and its fair-share turn moves on to `turnAt`
   * (fair-share.ts, nextTurn, from the turn read by the claim: claims are serialized on the account's
   * pacing row, and only they write the turn). A campaign paused while this claim was being made keeps
   * no start time: it starts (and says campaign.started) when resumed and claimed.
   */
  async takeTurn(campaignId: string, turnAt: Date): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Campaign" SET
        status = CASE WHEN status = 'QUEUED' THEN 'SENDING'::"CampaignStatus" ELSE status END,
        "startedAt" = CASE WHEN status IN ('QUEUED', 'SENDING') THEN coalesce("startedAt", now()) ELSE "startedAt" END,
        "dispatchTurnAt" = ${turnAt}, "updatedAt" = now()
      WHERE id = ${campaignId}::uuid`;
  }

  /** Provider requests a campaign still has to make (for the ETA of personalized campaigns). */
  async waitingBatchCount(campaignId: string): Promise<number> {
    const [{ count }] = await this.db.$queryRaw<Array<{ count: number }>>`
      SELECT count(*)::int AS count FROM "Batch" WHERE "campaignId" = ${campaignId}::uuid AND state = 'PENDING'`;
    return count;
  }

  async queueDrainsAt(key: string): Promise<Date | null> {
    const [row] = await this.db.$queryRaw<Array<{ queueDrainsAt: Date }>>`
      SELECT "queueDrainsAt" FROM "ProviderPacing" WHERE key = ${key}`;
    return row?.queueDrainsAt ?? null;
  }

  /** Sending campaigns' waiting messages, priorities and accounts, for the fair-share ETA. */
  async sendingCampaignsLoad(): Promise<Array<{ id: string; accountId: string; pending: number; priority: number }>> {
    return this.db.$queryRaw<Array<{ id: string; accountId: string; pending: number; priority: number }>>`
      SELECT id, "accountId"::text AS "accountId", pending, priority FROM "Campaign"
      WHERE status IN ('QUEUED', 'SENDING') AND pending > 0`;
  }

  /** The account's own MPS cap (its settings), or null. */
  async accountMpsCap(accountId: string): Promise<number | null> {
    const [row] = await this.db.$queryRaw<Array<{ mps: number | null }>>`
      SELECT mps FROM "AccountSettings" WHERE "accountId" = ${accountId}::uuid`;
    return row?.mps ?? null;
  }

  /** The provider acknowledged the batch: it is never submitted again. */
  async markAccepted(batchId: string, apiId: string, messageUuids: string[]): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET state = 'ACCEPTED', "providerApiId" = ${apiId}, "providerUuids" = ${messageUuids}::text[],
        "acceptedAt" = now(), "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "lastError" = NULL, "updatedAt" = now()
      WHERE id = ${batchId}::uuid AND state IN ('SUBMITTING', 'AMBIGUOUS')`;
  }

  /**
   * The batch's waiting messages are at the provider: SUBMITTED, or REJECTED (at 0) for the numbers it
   * called invalid; `onlyUuid` is the provider id of a one-recipient batch. Messages a report reached
   * first keep their status. Rows are locked in id order (the same order as a report apply pass).
   */
  async submitWaitingMessages(batch: BatchRef, invalidDigits: string[], onlyUuid: string | null): Promise<void> {
    const batchId = batch.id;
    // On the target too: PostgreSQL prunes the UPDATE by it when planning; the IN (subquery) gives it nothing to prune by.
    const inRange = withinMessageIds([batch]);
    await this.db.$executeRaw`
      UPDATE "Message" AS m SET
        status = (CASE WHEN status <> 'PENDING' THEN status::text
          WHEN ltrim("to", '+') = ANY(${invalidDigits}::text[]) THEN 'REJECTED' ELSE 'SUBMITTED' END)::"MessageStatus",
        "errorCode" = CASE WHEN status = 'PENDING' AND ltrim("to", '+') = ANY(${invalidDigits}::text[])
          THEN ${SubmissionErrorCode.INVALID_NUMBER} ELSE "errorCode" END,
        -- Refused by Plivo, never sent: costed at 0, as a message the service failed itself.
        amount = CASE WHEN status = 'PENDING' AND ltrim("to", '+') = ANY(${invalidDigits}::text[])
          THEN 0 ELSE amount END,
        "providerMessageId" = coalesce("providerMessageId", ${onlyUuid}),
        "submittedAt" = ${handedOverAt(batchId)}, "updatedAt" = now()
      WHERE ${inRange} AND m.id IN (SELECT m.id FROM "Message" m
        WHERE m."batchId" = ${batchId}::uuid AND ${WAITING_OR_REPORTED_FIRST} AND ${inRange}
        ORDER BY m.id FOR UPDATE)`;
  }

  /** A transient failure: the batch waits for `nextAttemptAt`, unless someone else took it over. */
  async markRetry(batchId: string, owner: string, error: string, nextAttemptAt: Date): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET state = 'PENDING', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
        "nextAttemptAt" = ${nextAttemptAt}, "lastError" = ${error}, "updatedAt" = now()
      WHERE id = ${batchId}::uuid AND state = 'SUBMITTING' AND "leaseOwner" = ${owner}`;
  }

  async markFailed(batchId: string, error: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET state = 'FAILED', "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "lastError" = ${error}, "updatedAt" = now()
      WHERE id = ${batchId}::uuid AND state IN ('SUBMITTING', 'AMBIGUOUS', 'PENDING')`;
  }

  /**
   * The batch's waiting messages fail with the service's own code: not sent, so costed at 0 (reported,
   * in the cost report). A late provider report about one still takes over, with its own amount.
   */
  async failWaitingMessages(batch: BatchRef, errorCode: SubmissionErrorCode): Promise<void> {
    // A list's batch failed before it was claimed: its messages are made failed.
    let ranged = batch;
    if (batch.messageIdFrom === null || batch.messageIdFrom === undefined) {
      const { ranges } = await makeListMessages(this.db, { batchIds: [batch.id] }, { status: 'FAILED', errorCode });
      ranged = { ...batch, ...ranges.get(batch.id) };
    }
    await this.db.$executeRaw`
      UPDATE "Message" AS m SET status = 'FAILED', "errorCode" = ${errorCode}, amount = 0, "updatedAt" = now()
      WHERE m."batchId" = ${batch.id}::uuid AND m.status = 'PENDING' AND ${withinMessageIds([ranged])}`;
  }

  /** The batch waits again, its attempt not counted (the campaign pauses for a reason of the account). */
  async markWaitingForResume(batchId: string, owner: string, reason: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET state = 'PENDING', "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "nextAttemptAt" = now(),
        attempts = greatest(attempts - 1, 0), "lastError" = ${reason}, "updatedAt" = now()
      WHERE id = ${batchId}::uuid AND state = 'SUBMITTING' AND "leaseOwner" = ${owner}`;
  }

  /** The outcome is unknown (timeout, reset): check again at `checkAt`, never resend blindly. */
  async markAmbiguous(batchId: string, error: string, checkAt: Date): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET state = 'AMBIGUOUS', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
        "nextAttemptAt" = ${checkAt}, "lastError" = ${error}, "updatedAt" = now()
      WHERE id = ${batchId}::uuid AND state IN ('SUBMITTING', 'AMBIGUOUS')`;
  }

  /** Evidence that the provider has an ambiguous batch: reports tagged with it, or messages they moved. */
  async hasProviderEvidence(batch: BatchRef): Promise<boolean> {
    const [row] = await this.db.$queryRaw<Array<{ evidence: boolean }>>`
      SELECT EXISTS (SELECT 1 FROM "DeliveryReport" WHERE "batchId" = ${batch.id}::uuid)
          OR EXISTS (SELECT 1 FROM "Message" m WHERE m."batchId" = ${batch.id}::uuid AND m."providerMessageId" IS NOT NULL
                     AND ${withinMessageIds([batch])}) AS evidence`;
    return row.evidence;
  }

  /**
   * Of `uuids` (the provider's records of numbers an ambiguous batch was sent to), those that belong to
   * another message: carried by a message of another batch, or in the answer of another batch submitted
   * between `since` and `until`. Such a record is another campaign's message to the same number, never
   * proof that this batch was queued. The window is filtered before any batch's UUID array is read.
   */
  async providerIdsTakenElsewhere(
    batch: BatchRef,
    uuids: readonly string[],
    since: Date,
    until: Date,
  ): Promise<Set<string>> {
    if (uuids.length === 0) {
      return new Set();
    }
    const rows = await this.db.$queryRaw<Array<{ uuid: string }>>`
      SELECT c.uuid FROM unnest(${uuids}::text[]) AS c(uuid)
      WHERE ${carriedByAnotherBatch(Prisma.raw('c.uuid'), batch.id)}
      UNION
      SELECT u.uuid FROM (
        SELECT "providerUuids" FROM "Batch"
        WHERE "submittedAt" BETWEEN ${since} AND ${until} AND id <> ${batch.id}::uuid AND state = 'ACCEPTED'
        OFFSET 0) b
      CROSS JOIN LATERAL unnest(b."providerUuids") AS u(uuid)
      WHERE u.uuid = ANY(${uuids}::text[])`;
    return new Set(rows.map((row) => row.uuid));
  }

  /**
   * Ends an ambiguous batch's check: `PENDING` (send the rest again), `CANCELLED` or `ACCEPTED`;
   * `found` says whether the provider proved it has some of it. False if it was not ambiguous.
   */
  async settleAmbiguousBatch(
    batchId: string,
    state: 'PENDING' | 'CANCELLED' | 'ACCEPTED',
    found: boolean,
  ): Promise<boolean> {
    const count = await this.db.$executeRaw`
      UPDATE "Batch" SET state = ${state}::"BatchState", "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "nextAttemptAt" = now(),
        "acceptedAt" = CASE WHEN ${found} THEN coalesce("acceptedAt", now()) ELSE "acceptedAt" END,
        "updatedAt" = now()
      WHERE id = ${batchId}::uuid AND state = 'AMBIGUOUS'`;
    return count === 1;
  }

  /**
   * Numbers the provider proved it has become SUBMITTED with their provider id (see submitWaitingMessages).
   * Rows are locked in id order first: the batch's reports are being applied meanwhile, in that order.
   */
  async submitFoundMessages(batch: BatchRef, found: Array<{ to: string; messageUuid: string }>): Promise<void> {
    if (found.length === 0) {
      return;
    }
    const batchId = batch.id;
    const inRange = withinMessageIds([batch]);
    await this.db.$executeRaw`
      -- A UUID a message of another batch carries is that message's (the check leaves those out; one carried
      -- since is skipped here rather than failing the whole settle on ProviderMessage's key).
      WITH f AS (
        SELECT * FROM unnest(${found.map((f) => f.to)}::text[], ${found.map((f) => f.messageUuid)}::text[]) AS f("to", uuid)
        WHERE NOT ${carriedByAnotherBatch(Prisma.raw('f.uuid'), batchId)}
      ),
      locked AS (
        SELECT m.id, f.uuid FROM "Message" m JOIN f ON m."to" = f."to"
        WHERE m."batchId" = ${batchId}::uuid AND ${WAITING_OR_REPORTED_FIRST} AND ${inRange}
        ORDER BY m.id FOR NO KEY UPDATE OF m
      )
      UPDATE "Message" AS m SET status = CASE WHEN m.status = 'PENDING' THEN 'SUBMITTED' ELSE m.status END,
        "providerMessageId" = coalesce(m."providerMessageId", l.uuid),
        "submittedAt" = ${handedOverAt(batchId)}, "updatedAt" = now()
      FROM locked l
      WHERE m.id = l.id AND ${WAITING_OR_REPORTED_FIRST} AND ${inRange}`;
  }

  /** The provider has the whole batch (it accepts a request whole): every waiting message is there. */
  async submitAllWaitingMessages(batch: BatchRef): Promise<void> {
    await this.submitWaitingMessages(batch, [], null);
  }

  async cancelWaitingMessages(batch: BatchRef): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Message" AS m SET status = 'CANCELLED', "updatedAt" = now()
      WHERE m."batchId" = ${batch.id}::uuid AND m.status = 'PENDING' AND ${withinMessageIds([batch])}`;
  }

  /** An ambiguous batch whose check did not conclude: look again at `checkAt`. */
  async recordReconcileAttempt(batchId: string, error: string | null, checkAt: Date): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET "reconcileAttempts" = "reconcileAttempts" + 1, "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
        "nextAttemptAt" = ${checkAt}, "lastError" = coalesce(${error}, "lastError"), "updatedAt" = now()
      WHERE id = ${batchId}::uuid AND state = 'AMBIGUOUS'`;
  }

  /** Keeps a long reconciliation's lease alive, so no other instance starts the same check. */
  async extendLease(batchId: string, owner: string, leaseMs: number): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET "leaseExpiresAt" = now() + ${leaseMs} * interval '1 millisecond',
        "nextAttemptAt" = now() + ${leaseMs} * interval '1 millisecond'
      WHERE id = ${batchId}::uuid AND "leaseOwner" = ${owner} AND state = 'AMBIGUOUS'`;
  }

  /** SCHEDULED campaigns whose time has come start sending. */
  async startScheduledCampaigns(): Promise<string[]> {
    const rows = await this.db.$queryRaw<Array<{ id: string }>>`
      UPDATE "Campaign" SET status = 'QUEUED', "updatedAt" = now()
      WHERE status = 'SCHEDULED' AND "scheduledAt" <= now()
      RETURNING id`;
    return rows.map((r) => r.id);
  }

  /** Releases this instance's leases on shutdown, so another instance can take over at once. */
  async releaseLeases(owner: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Batch" SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "nextAttemptAt" = now(), "updatedAt" = now()
      WHERE "leaseOwner" = ${owner} AND state = 'AMBIGUOUS'`;
  }
}
