import { Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { PacingLimits, PacingState, release, reserve } from '../messaging/pacing';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';

type Tx = Prisma.TransactionClient;

export interface PacingKey {
  key: string;
  limits: PacingLimits;
}

export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  /** Simultaneous provider requests allowed across all instances. */
  maxInFlight: number;
  /** The pacing keys a batch from this sender is counted against (account, and sender if it has its own MPS). */
  pacingKeysFor: (senderId: string) => PacingKey[];
}

export interface ClaimedBatch {
  id: string;
  campaignId: string;
  accountId: string;
  senderId: string;
  text: string;
  attempts: number;
  reconcileAttempts: number;
  createdAt: Date;
  submittedAt: Date | null;
  campaignStatus: string;
}

export type Claim =
  | { kind: 'submit'; batch: ClaimedBatch; recipients: string[]; pacingKeys: PacingKey[] }
  | { kind: 'reconcile'; batch: ClaimedBatch }
  | { kind: 'paused'; campaignId: string; reason: string }
  | { kind: 'wait'; untilMs: number }
  | { kind: 'idle' };

interface DueBatchRow extends ClaimedBatch {
  state: 'PENDING' | 'SUBMITTING' | 'AMBIGUOUS';
  maxCost: Prisma.Decimal | null;
  estimatedCost: Prisma.Decimal;
  actualCost: Prisma.Decimal;
  total: number;
  suppressed: number;
  uncosted: number;
}

/**
 * Claims and settles batches for the dispatcher. Every decision that must hold across service
 * instances happens here, inside one PostgreSQL transaction: the due batch is locked with
 * FOR UPDATE SKIP LOCKED and leased; pacing state and the in-flight count are shared rows.
 */
@Injectable()
export class DispatchRepository {
  constructor(private readonly prisma: PrismaService) {}

  async claimNext(options: ClaimOptions): Promise<Claim> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<DueBatchRow[]>`
        SELECT b.id, b."campaignId", c."accountId", c."senderId", c.text, b.attempts, b."reconcileAttempts",
               b."createdAt", b."submittedAt", b.state, c.status AS "campaignStatus", c."maxCost", c."estimatedCost",
               c."actualCost", c.total, c.suppressed,
               (c.pending + c.submitted + c.queued) AS uncosted
        FROM "Batch" b JOIN "Campaign" c ON c.id = b."campaignId"
        WHERE b.state IN ('PENDING', 'SUBMITTING', 'AMBIGUOUS')
          AND b."nextAttemptAt" <= now()
          AND (b.state <> 'PENDING' OR c.status IN ('QUEUED', 'SENDING'))
        ORDER BY b."nextAttemptAt", b.sequence
        LIMIT 1
        FOR UPDATE OF b SKIP LOCKED`;
      const row = rows[0];
      if (!row) {
        return { kind: 'idle' };
      }
      const batch: ClaimedBatch = {
        id: row.id,
        campaignId: row.campaignId,
        accountId: row.accountId,
        senderId: row.senderId,
        text: row.text,
        attempts: row.attempts,
        reconcileAttempts: row.reconcileAttempts,
        createdAt: row.createdAt,
        submittedAt: row.submittedAt,
        campaignStatus: row.campaignStatus,
      };
      if (row.state !== 'PENDING') {
        // Submitting when its owner's lease ran out (a crash), or already ambiguous: the request may
        // have reached the provider, so it is reconciled, never blindly resubmitted.
        await tx.$executeRaw`
          UPDATE "Batch" SET state = 'AMBIGUOUS', "leaseOwner" = ${options.owner},
            "leaseExpiresAt" = now() + ${options.leaseMs} * interval '1 millisecond',
            "nextAttemptAt" = now() + ${options.leaseMs} * interval '1 millisecond', "updatedAt" = now()
          WHERE id = ${row.id}::uuid`;
        return { kind: 'reconcile', batch };
      }

      const overBudget = projectedOverBudget(row);
      if (overBudget) {
        await tx.$executeRaw`
          UPDATE "Campaign" SET status = 'PAUSED', "statusReason" = ${overBudget}, "updatedAt" = now()
          WHERE id = ${row.campaignId}::uuid AND status IN ('QUEUED', 'SENDING')`;
        return { kind: 'paused', campaignId: row.campaignId, reason: overBudget };
      }

      const [{ inFlight }] = await tx.$queryRaw<Array<{ inFlight: number }>>`
        SELECT count(*)::int AS "inFlight" FROM "Batch" WHERE state = 'SUBMITTING' AND "leaseExpiresAt" > now()`;
      if (inFlight >= options.maxInFlight) {
        return { kind: 'wait', untilMs: Date.now() + 20 };
      }

      const recipients = await tx.$queryRaw<Array<{ to: string }>>`
        SELECT "to" FROM "Message" WHERE "batchId" = ${row.id}::uuid AND status = 'PENDING' ORDER BY id`;
      if (recipients.length === 0) {
        // Nothing left to send in it (every message was settled some other way).
        await tx.$executeRaw`
          UPDATE "Batch" SET state = 'ACCEPTED', "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = now()
          WHERE id = ${row.id}::uuid`;
        return { kind: 'wait', untilMs: Date.now() };
      }

      const pacingKeys = options.pacingKeysFor(row.senderId);
      const decision = await this.reservePacing(tx, pacingKeys, recipients.length);
      if (decision !== true) {
        return { kind: 'wait', untilMs: decision };
      }
      await tx.$executeRaw`
        UPDATE "Batch" SET state = 'SUBMITTING', "leaseOwner" = ${options.owner},
          "leaseExpiresAt" = now() + ${options.leaseMs} * interval '1 millisecond',
          "nextAttemptAt" = now() + ${options.leaseMs} * interval '1 millisecond',
          attempts = attempts + 1, "submittedAt" = now(), "submittedBy" = ${options.owner}, "updatedAt" = now()
        WHERE id = ${row.id}::uuid`;
      await tx.$executeRaw`
        UPDATE "Campaign" SET status = 'SENDING', "startedAt" = coalesce("startedAt", now()), "updatedAt" = now()
        WHERE id = ${row.campaignId}::uuid AND status = 'QUEUED'`;
      return {
        kind: 'submit',
        batch: { ...batch, attempts: batch.attempts + 1 },
        recipients: recipients.map((r) => r.to),
        pacingKeys,
      };
    });
  }

  /** Reserves queue time and an API token on every key, or returns when to try again. */
  private async reservePacing(tx: Tx, keys: PacingKey[], messages: number): Promise<true | number> {
    const names = keys.map((k) => k.key);
    await tx.$executeRaw`
      INSERT INTO "ProviderPacing" (key, "queueDrainsAt", "apiTokens", "apiTokensAt")
      SELECT k, now(), 0, now() FROM unnest(${names}::text[]) AS k
      ON CONFLICT (key) DO NOTHING`;
    const rows = await tx.$queryRaw<
      Array<{ key: string; queueDrainsAt: Date; apiTokens: number; apiTokensAt: Date; now: Date }>
    >`
      SELECT key, "queueDrainsAt", "apiTokens", "apiTokensAt", now() AS now
      FROM "ProviderPacing" WHERE key = ANY(${names}::text[]) ORDER BY key FOR UPDATE`;
    const nowMs = rows[0].now.getTime();
    const updates: Array<{ key: string; state: PacingState }> = [];
    for (const { key, limits } of keys) {
      const row = rows.find((r) => r.key === key)!;
      const state = {
        queueDrainsAtMs: row.queueDrainsAt.getTime(),
        apiTokens: row.apiTokens,
        apiTokensAtMs: row.apiTokensAt.getTime(),
      };
      const result = reserve(state, limits, messages, nowMs);
      if (!result.granted) {
        return Date.now() + (result.retryAtMs - nowMs);
      }
      updates.push({ key, state: result.next });
    }
    for (const { key, state } of updates) {
      await tx.$executeRaw`
        UPDATE "ProviderPacing" SET "queueDrainsAt" = ${new Date(state.queueDrainsAtMs)}, "apiTokens" = ${state.apiTokens},
          "apiTokensAt" = ${new Date(state.apiTokensAtMs)}, "updatedAt" = now()
        WHERE key = ${key}`;
    }
    return true;
  }

  /**
   * Takes one request token from every bucket (shared by all instances), or says how many
   * milliseconds to wait before asking again. Buckets start full.
   */
  async takeApiTokens(buckets: Array<{ key: string; burst: number; refillPerMs: number }>): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const names = buckets.map((b) => b.key);
      await tx.$executeRaw`
        INSERT INTO "ProviderPacing" (key, "queueDrainsAt", "apiTokens", "apiTokensAt")
        SELECT b.key, now(), b.burst, now()
        FROM unnest(${names}::text[], ${buckets.map((b) => b.burst)}::float8[]) AS b(key, burst)
        ON CONFLICT (key) DO NOTHING`;
      const rows = await tx.$queryRaw<Array<{ key: string; apiTokens: number; apiTokensAt: Date; now: Date }>>`
        SELECT key, "apiTokens", "apiTokensAt", now() AS now
        FROM "ProviderPacing" WHERE key = ANY(${names}::text[]) ORDER BY key FOR UPDATE`;
      let waitMs = 0;
      const next: Array<{ key: string; tokens: number; at: Date }> = [];
      for (const bucket of buckets) {
        const row = rows.find((r) => r.key === bucket.key)!;
        const tokens = Math.min(
          bucket.burst,
          row.apiTokens + (row.now.getTime() - row.apiTokensAt.getTime()) * bucket.refillPerMs,
        );
        if (tokens < 1) {
          waitMs = Math.max(waitMs, Math.ceil((1 - tokens) / bucket.refillPerMs));
        }
        next.push({ key: bucket.key, tokens: tokens - 1, at: row.now });
      }
      if (waitMs > 0) {
        return waitMs;
      }
      for (const { key, tokens, at } of next) {
        await tx.$executeRaw`UPDATE "ProviderPacing" SET "apiTokens" = ${tokens}, "apiTokensAt" = ${at}, "updatedAt" = now() WHERE key = ${key}`;
      }
      return 0;
    });
  }

  /** Gives back the queue time reserved for messages that did not reach the provider. */
  async releasePacing(keys: PacingKey[], messages: number): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<
        Array<{ key: string; queueDrainsAt: Date; apiTokens: number; apiTokensAt: Date; now: Date }>
      >`
        SELECT key, "queueDrainsAt", "apiTokens", "apiTokensAt", now() AS now
        FROM "ProviderPacing" WHERE key = ANY(${keys.map((k) => k.key)}::text[]) ORDER BY key FOR UPDATE`;
      for (const row of rows) {
        const limits = keys.find((k) => k.key === row.key)!.limits;
        const state = {
          queueDrainsAtMs: row.queueDrainsAt.getTime(),
          apiTokens: row.apiTokens,
          apiTokensAtMs: row.apiTokensAt.getTime(),
        };
        const next = release(state, limits, messages, row.now.getTime());
        await tx.$executeRaw`
          UPDATE "ProviderPacing" SET "queueDrainsAt" = ${new Date(next.queueDrainsAtMs)}, "updatedAt" = now() WHERE key = ${row.key}`;
      }
    });
  }

  async queueDrainsAt(key: string): Promise<Date | null> {
    const row = await this.prisma.providerPacing.findUnique({ where: { key }, select: { queueDrainsAt: true } });
    return row?.queueDrainsAt ?? null;
  }

  /**
   * The provider acknowledged the batch: it is never submitted again. Its waiting messages become
   * SUBMITTED (REJECTED for numbers the provider called invalid); with one recipient the message's
   * provider id is known at once. Applies even if this instance's lease ran out meanwhile: the
   * acknowledgement is the truth.
   */
  async recordAccepted(
    batchId: string,
    result: { apiId: string; messageUuids: string[]; invalidNumbers: string[] },
    recipients: string[],
  ): Promise<void> {
    const invalidDigits = result.invalidNumbers.map((n) => n.replace(/\D/g, ''));
    const onlyUuid = recipients.length === 1 && result.messageUuids.length === 1 ? result.messageUuids[0] : null;
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`
        UPDATE "Batch" SET state = 'ACCEPTED', "providerApiId" = ${result.apiId}, "providerUuids" = ${result.messageUuids}::text[],
          "acceptedAt" = now(), "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "lastError" = NULL, "updatedAt" = now()
        WHERE id = ${batchId}::uuid AND state IN ('SUBMITTING', 'AMBIGUOUS')`;
      await tx.$executeRaw`
        UPDATE "Message" SET
          status = (CASE WHEN ltrim("to", '+') = ANY(${invalidDigits}::text[]) THEN 'REJECTED' ELSE 'SUBMITTED' END)::"MessageStatus",
          "errorCode" = CASE WHEN ltrim("to", '+') = ANY(${invalidDigits}::text[]) THEN 'invalid_number' ELSE "errorCode" END,
          "providerMessageId" = coalesce("providerMessageId", ${onlyUuid}),
          "submittedAt" = now(), "updatedAt" = now()
        WHERE "batchId" = ${batchId}::uuid AND status = 'PENDING'`;
    });
  }

  /** A transient failure: the batch waits for `nextAttemptAt`, unless someone else took it over. */
  async recordRetry(batchId: string, owner: string, error: string, nextAttemptAt: Date): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "Batch" SET state = 'PENDING', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
        "nextAttemptAt" = ${nextAttemptAt}, "lastError" = ${error}, "updatedAt" = now()
      WHERE id = ${batchId}::uuid AND state = 'SUBMITTING' AND "leaseOwner" = ${owner}`;
  }

  /** Given up: the batch and its waiting messages fail with the reason. */
  async recordFailed(batchId: string, error: string, errorCode: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`
        UPDATE "Batch" SET state = 'FAILED', "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "lastError" = ${error}, "updatedAt" = now()
        WHERE id = ${batchId}::uuid AND state IN ('SUBMITTING', 'AMBIGUOUS', 'PENDING')`;
      await tx.$executeRaw`
        UPDATE "Message" SET status = 'FAILED', "errorCode" = ${errorCode}, "updatedAt" = now()
        WHERE "batchId" = ${batchId}::uuid AND status = 'PENDING'`;
    });
  }

  /**
   * The provider refused for a reason of the account (credentials, credit, permissions): the
   * campaign pauses with the reason and the batch waits, its attempt not counted against it.
   */
  async recordPause(batchId: string, owner: string, campaignId: string, reason: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`
        UPDATE "Batch" SET state = 'PENDING', "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "nextAttemptAt" = now(),
          attempts = greatest(attempts - 1, 0), "lastError" = ${reason}, "updatedAt" = now()
        WHERE id = ${batchId}::uuid AND state = 'SUBMITTING' AND "leaseOwner" = ${owner}`;
      await tx.$executeRaw`
        UPDATE "Campaign" SET status = 'PAUSED', "statusReason" = ${reason}, "updatedAt" = now()
        WHERE id = ${campaignId}::uuid AND status IN ('QUEUED', 'SENDING')`;
    });
  }

  /** The outcome is unknown (timeout, reset): check again at `checkAt`, never resend blindly. */
  async recordAmbiguous(batchId: string, error: string, checkAt: Date): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "Batch" SET state = 'AMBIGUOUS', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
        "nextAttemptAt" = ${checkAt}, "lastError" = ${error}, "updatedAt" = now()
      WHERE id = ${batchId}::uuid AND state IN ('SUBMITTING', 'AMBIGUOUS')`;
  }

  /** Evidence that the provider has an ambiguous batch: reports tagged with it, or messages they moved. */
  async hasProviderEvidence(batchId: string): Promise<boolean> {
    const [row] = await this.prisma.$queryRaw<Array<{ evidence: boolean }>>`
      SELECT EXISTS (SELECT 1 FROM "DeliveryReport" WHERE "batchId" = ${batchId}::uuid)
          OR EXISTS (SELECT 1 FROM "Message" WHERE "batchId" = ${batchId}::uuid AND "providerMessageId" IS NOT NULL) AS evidence`;
    return row.evidence;
  }

  async pendingRecipients(batchId: string): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<Array<{ to: string }>>`
      SELECT "to" FROM "Message" WHERE "batchId" = ${batchId}::uuid AND status = 'PENDING' ORDER BY id`;
    return rows.map((r) => r.to);
  }

  /**
   * Settles an ambiguous batch from what the provider proved: `found` numbers (with their ids) are
   * at the provider and become SUBMITTED; `resend` numbers are provably not there and go back to
   * waiting (or are cancelled with their campaign). With 'none' the provider has the whole batch:
   * the batch is ACCEPTED and its waiting messages SUBMITTED.
   */
  async settleAmbiguous(
    batchId: string,
    found: Array<{ to: string; messageUuid: string }>,
    resend: 'none' | 'rest' | 'cancel-rest',
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      if (found.length > 0) {
        await tx.$executeRaw`
          UPDATE "Message" AS m SET status = 'SUBMITTED', "providerMessageId" = coalesce(m."providerMessageId", f.uuid),
            "submittedAt" = now(), "updatedAt" = now()
          FROM unnest(${found.map((f) => f.to)}::text[], ${found.map((f) => f.messageUuid)}::text[]) AS f("to", uuid)
          WHERE m."batchId" = ${batchId}::uuid AND m."to" = f."to" AND m.status = 'PENDING'`;
      }
      if (resend === 'none') {
        // The provider has the batch (it accepts a request whole): every waiting message is there.
        await tx.$executeRaw`
          UPDATE "Message" SET status = 'SUBMITTED', "submittedAt" = now(), "updatedAt" = now()
          WHERE "batchId" = ${batchId}::uuid AND status = 'PENDING'`;
      }
      if (resend === 'cancel-rest') {
        await tx.$executeRaw`
          UPDATE "Message" SET status = 'CANCELLED', "updatedAt" = now() WHERE "batchId" = ${batchId}::uuid AND status = 'PENDING'`;
      }
      const state = resend === 'rest' ? 'PENDING' : resend === 'cancel-rest' ? 'CANCELLED' : 'ACCEPTED';
      await tx.$executeRaw`
        UPDATE "Batch" SET state = ${state}::"BatchState", "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "nextAttemptAt" = now(),
          "acceptedAt" = CASE WHEN ${found.length > 0} THEN coalesce("acceptedAt", now()) ELSE "acceptedAt" END,
          "updatedAt" = now()
        WHERE id = ${batchId}::uuid AND state = 'AMBIGUOUS'`;
    });
  }

  /** An ambiguous batch whose check did not conclude: look again at `checkAt`. */
  async recordReconcileAttempt(batchId: string, error: string | null, checkAt: Date): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "Batch" SET "reconcileAttempts" = "reconcileAttempts" + 1, "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
        "nextAttemptAt" = ${checkAt}, "lastError" = coalesce(${error}, "lastError"), "updatedAt" = now()
      WHERE id = ${batchId}::uuid AND state = 'AMBIGUOUS'`;
  }

  /** Keeps a long reconciliation's lease alive, so no other instance starts the same check. */
  async extendLease(batchId: string, owner: string, leaseMs: number): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "Batch" SET "leaseExpiresAt" = now() + ${leaseMs} * interval '1 millisecond',
        "nextAttemptAt" = now() + ${leaseMs} * interval '1 millisecond'
      WHERE id = ${batchId}::uuid AND "leaseOwner" = ${owner} AND state = 'AMBIGUOUS'`;
  }

  /** SCHEDULED campaigns whose time has come start sending. */
  async startScheduledCampaigns(): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      UPDATE "Campaign" SET status = 'QUEUED', "updatedAt" = now()
      WHERE status = 'SCHEDULED' AND "scheduledAt" <= now()
      RETURNING id`;
    return rows.map((r) => r.id);
  }

  /** Releases this instance's leases on shutdown, so another instance can take over at once. */
  async releaseLeases(owner: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "Batch" SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "nextAttemptAt" = now(), "updatedAt" = now()
      WHERE "leaseOwner" = ${owner} AND state = 'AMBIGUOUS'`;
  }
}

/**
 * With a budget, the campaign pauses before spending more than it: what the provider reported so
 * far plus the estimate for every message not yet costed must stay within maxCost.
 */
function projectedOverBudget(row: DueBatchRow): string | null {
  if (row.maxCost === null) {
    return null;
  }
  const sendable = row.total - row.suppressed;
  const perMessage = sendable > 0 ? new Decimal(row.estimatedCost.toString()).div(sendable) : new Decimal(0);
  const projected = new Decimal(row.actualCost.toString()).plus(perMessage.times(row.uncosted));
  const maxCost = new Decimal(row.maxCost.toString());
  if (projected.lessThanOrEqualTo(maxCost)) {
    return null;
  }
  return `budget: projected cost ${projected.toFixed(5)} (reported ${new Decimal(row.actualCost.toString()).toFixed(5)} + estimate for ${row.uncosted} messages) exceeds maxCost ${maxCost.toFixed(5)}`;
}
