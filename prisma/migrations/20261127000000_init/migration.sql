-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "CampaignStatus" AS ENUM ('SCHEDULED', 'QUEUED', 'SENDING', 'PAUSED', 'COMPLETED', 'CANCELLED', 'FAILED');

-- CreateEnum
CREATE TYPE "Encoding" AS ENUM ('GSM7', 'UCS2');

-- CreateEnum
CREATE TYPE "BatchState" AS ENUM ('PENDING', 'SUBMITTING', 'ACCEPTED', 'AMBIGUOUS', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('PENDING', 'SUBMITTED', 'QUEUED', 'SENT', 'DELIVERED', 'UNDELIVERED', 'FAILED', 'REJECTED', 'UNCONFIRMED', 'SUPPRESSED', 'CANCELLED');

-- CreateTable
CREATE TABLE "Account" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "keyHash" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "accountId" UUID NOT NULL,
    "name" TEXT,
    "status" "CampaignStatus" NOT NULL,
    "statusReason" TEXT,
    "text" TEXT NOT NULL,
    "senderId" TEXT NOT NULL,
    "encoding" "Encoding" NOT NULL,
    "segmentsPerMessage" INTEGER NOT NULL,
    "smartEncoding" BOOLEAN NOT NULL DEFAULT false,
    "idempotencyKey" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "estimatedCost" DECIMAL(18,5) NOT NULL,
    "estimatedCostByCountry" JSONB NOT NULL DEFAULT '[]',
    "maxCost" DECIMAL(18,5),
    "rejectedRecipients" JSONB NOT NULL DEFAULT '[]',
    "scheduledAt" TIMESTAMPTZ(3),
    "startedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "total" INTEGER NOT NULL DEFAULT 0,
    "pending" INTEGER NOT NULL DEFAULT 0,
    "submitted" INTEGER NOT NULL DEFAULT 0,
    "queued" INTEGER NOT NULL DEFAULT 0,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "undelivered" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "unconfirmed" INTEGER NOT NULL DEFAULT 0,
    "suppressed" INTEGER NOT NULL DEFAULT 0,
    "cancelled" INTEGER NOT NULL DEFAULT 0,
    "actualCost" DECIMAL(18,5) NOT NULL DEFAULT 0,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Batch" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "campaignId" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "recipientCount" INTEGER NOT NULL,
    "state" "BatchState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "reconcileAttempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "submittedBy" TEXT,
    "leaseExpiresAt" TIMESTAMPTZ(3),
    "providerApiId" TEXT,
    "providerUuids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "lastError" TEXT,
    "submittedAt" TIMESTAMPTZ(3),
    "acceptedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Batch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Message" (
    "id" BIGSERIAL NOT NULL,
    "campaignId" UUID NOT NULL,
    "batchId" UUID,
    "to" TEXT NOT NULL,
    "country" TEXT,
    "status" "MessageStatus" NOT NULL DEFAULT 'PENDING',
    "providerMessageId" TEXT,
    "reportSequence" INTEGER,
    "errorCode" TEXT,
    "units" INTEGER,
    "amount" DECIMAL(18,5),
    "submittedAt" TIMESTAMPTZ(3),
    "sentAt" TIMESTAMPTZ(3),
    "deliveredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliveryReport" (
    "id" BIGSERIAL NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "messageUuid" TEXT NOT NULL,
    "batchId" UUID,
    "to" TEXT,
    "status" TEXT NOT NULL,
    "sequence" INTEGER,
    "errorCode" TEXT,
    "units" INTEGER,
    "totalAmount" DECIMAL(18,5),
    "totalRate" DECIMAL(18,5),
    "payload" JSONB NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedAt" TIMESTAMPTZ(3),

    CONSTRAINT "DeliveryReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Suppression" (
    "accountId" UUID NOT NULL,
    "phone" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Suppression_pkey" PRIMARY KEY ("accountId","phone")
);

-- CreateTable
CREATE TABLE "Price" (
    "country" TEXT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "rate" DECIMAL(18,5) NOT NULL,
    "maxRate" DECIMAL(18,5) NOT NULL,
    "source" TEXT NOT NULL,
    "fetchedAt" TIMESTAMPTZ(3) NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Price_pkey" PRIMARY KEY ("country")
);

-- CreateTable
CREATE TABLE "ProviderPacing" (
    "key" TEXT NOT NULL,
    "queueDrainsAt" TIMESTAMPTZ(3) NOT NULL,
    "apiTokens" DOUBLE PRECISION NOT NULL,
    "apiTokensAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProviderPacing_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "WebhookNonce" (
    "nonce" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookNonce_pkey" PRIMARY KEY ("nonce")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");

-- CreateIndex
CREATE INDEX "ApiKey_accountId_idx" ON "ApiKey"("accountId");

-- CreateIndex
CREATE INDEX "Campaign_accountId_createdAt_id_idx" ON "Campaign"("accountId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Campaign_status_scheduledAt_idx" ON "Campaign"("status", "scheduledAt");

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_accountId_idempotencyKey_key" ON "Campaign"("accountId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "Batch_state_nextAttemptAt_idx" ON "Batch"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Batch_leaseExpiresAt_idx" ON "Batch"("leaseExpiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Batch_campaignId_sequence_key" ON "Batch"("campaignId", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "Message_providerMessageId_key" ON "Message"("providerMessageId");

-- CreateIndex
CREATE INDEX "Message_campaignId_status_id_idx" ON "Message"("campaignId", "status", "id");

-- CreateIndex
CREATE INDEX "Message_batchId_to_idx" ON "Message"("batchId", "to");

-- CreateIndex
CREATE UNIQUE INDEX "DeliveryReport_dedupeKey_key" ON "DeliveryReport"("dedupeKey");

-- CreateIndex
CREATE INDEX "DeliveryReport_appliedAt_id_idx" ON "DeliveryReport"("appliedAt", "id");

-- CreateIndex
CREATE INDEX "DeliveryReport_messageUuid_idx" ON "DeliveryReport"("messageUuid");

-- CreateIndex
CREATE INDEX "DeliveryReport_batchId_to_idx" ON "DeliveryReport"("batchId", "to");

-- CreateIndex
CREATE INDEX "WebhookNonce_receivedAt_idx" ON "WebhookNonce"("receivedAt");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Batch" ADD CONSTRAINT "Batch_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Suppression" ADD CONSTRAINT "Suppression_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Campaign counters and cost follow the Message rows in the same statement, whoever writes them
-- (creation, dispatcher, delivery reports), so they never disagree with a GROUP BY over messages.
-- Statement-level triggers with transition tables: one aggregate per statement, not one per row.
CREATE FUNCTION "message_counts_after_write"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta_sql text := 'SELECT "campaignId", status, count(*)::int AS n, coalesce(sum(amount), 0) AS amount, '
    || 'count(*)::int AS row_count FROM new_rows GROUP BY 1, 2';
BEGIN
  IF TG_OP = 'UPDATE' THEN
    delta_sql := delta_sql || ' UNION ALL SELECT "campaignId", status, -count(*)::int, -coalesce(sum(amount), 0), '
      || '-count(*)::int FROM old_rows GROUP BY 1, 2';
  END IF;
  EXECUTE format($sql$
    WITH delta AS (%s),
    per_campaign AS (
      SELECT "campaignId",
        sum(row_count)::int AS total,
        coalesce(sum(n) FILTER (WHERE status = 'PENDING'), 0)::int AS pending,
        coalesce(sum(n) FILTER (WHERE status = 'SUBMITTED'), 0)::int AS submitted,
        coalesce(sum(n) FILTER (WHERE status = 'QUEUED'), 0)::int AS queued,
        coalesce(sum(n) FILTER (WHERE status = 'SENT'), 0)::int AS sent,
        coalesce(sum(n) FILTER (WHERE status = 'DELIVERED'), 0)::int AS delivered,
        coalesce(sum(n) FILTER (WHERE status = 'UNDELIVERED'), 0)::int AS undelivered,
        coalesce(sum(n) FILTER (WHERE status = 'FAILED'), 0)::int AS failed,
        coalesce(sum(n) FILTER (WHERE status = 'REJECTED'), 0)::int AS rejected,
        coalesce(sum(n) FILTER (WHERE status = 'UNCONFIRMED'), 0)::int AS unconfirmed,
        coalesce(sum(n) FILTER (WHERE status = 'SUPPRESSED'), 0)::int AS suppressed,
        coalesce(sum(n) FILTER (WHERE status = 'CANCELLED'), 0)::int AS cancelled,
        sum(amount) AS cost
      FROM delta GROUP BY 1
    )
    UPDATE "Campaign" AS c SET
      total = c.total + p.total,
      pending = c.pending + p.pending,
      submitted = c.submitted + p.submitted,
      queued = c.queued + p.queued,
      sent = c.sent + p.sent,
      delivered = c.delivered + p.delivered,
      undelivered = c.undelivered + p.undelivered,
      failed = c.failed + p.failed,
      rejected = c.rejected + p.rejected,
      unconfirmed = c.unconfirmed + p.unconfirmed,
      suppressed = c.suppressed + p.suppressed,
      cancelled = c.cancelled + p.cancelled,
      "actualCost" = c."actualCost" + p.cost,
      "updatedAt" = now()
    FROM per_campaign AS p
    WHERE c.id = p."campaignId"
      AND (p.total, p.pending, p.submitted, p.queued, p.sent, p.delivered, p.undelivered, p.failed, p.rejected,
           p.unconfirmed, p.suppressed, p.cancelled, p.cost)
          IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::numeric)
  $sql$, delta_sql);
  RETURN NULL;
END
$$;

CREATE TRIGGER "message_counts_after_insert" AFTER INSERT ON "Message"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "message_counts_after_write"();

CREATE TRIGGER "message_counts_after_update" AFTER UPDATE ON "Message"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "message_counts_after_write"();

-- Claiming due batches only ever looks at unfinished ones.
CREATE INDEX "Batch_due_idx" ON "Batch" ("nextAttemptAt") WHERE state IN ('PENDING', 'SUBMITTING', 'AMBIGUOUS');

-- Delivery reports not yet applied to messages.
CREATE INDEX "DeliveryReport_unapplied_idx" ON "DeliveryReport" (id) WHERE "appliedAt" IS NULL;
