-- CreateEnum
CREATE TYPE "ConsentReplyState" AS ENUM ('PENDING', 'SENDING', 'SENT', 'FAILED');

-- AlterTable
ALTER TABLE "Suppression" ADD COLUMN     "campaignId" UUID,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'API';

-- CreateTable
CREATE TABLE "ConsentRecord" (
    "id" BIGSERIAL NOT NULL,
    "accountId" UUID NOT NULL,
    "phone" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "campaignId" UUID,
    "messageUuid" TEXT,
    "text" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundMessage" (
    "id" BIGSERIAL NOT NULL,
    "messageUuid" TEXT NOT NULL,
    "from" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMPTZ(3),
    "outcome" TEXT,

    CONSTRAINT "InboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentReply" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "accountId" UUID NOT NULL,
    "phone" TEXT NOT NULL,
    "src" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "inboundId" BIGINT,
    "state" "ConsentReplyState" NOT NULL DEFAULT 'PENDING',
    "providerMessageId" TEXT,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMPTZ(3),

    CONSTRAINT "ConsentReply_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentSettings" (
    "accountId" UUID NOT NULL,
    "optOutKeywords" TEXT[],
    "optInKeywords" TEXT[],
    "helpKeywords" TEXT[],
    "optOutReply" TEXT,
    "optInReply" TEXT,
    "helpReply" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentSettings_pkey" PRIMARY KEY ("accountId")
);

-- CreateIndex
CREATE INDEX "ConsentRecord_accountId_phone_id_idx" ON "ConsentRecord"("accountId", "phone", "id");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_messageUuid_key" ON "InboundMessage"("messageUuid");

-- CreateIndex
CREATE INDEX "InboundMessage_processedAt_id_idx" ON "InboundMessage"("processedAt", "id");

-- CreateIndex
CREATE INDEX "InboundMessage_from_idx" ON "InboundMessage"("from");

-- CreateIndex
CREATE INDEX "ConsentReply_state_createdAt_idx" ON "ConsentReply"("state", "createdAt");

-- CreateIndex
CREATE INDEX "ConsentReply_phone_createdAt_idx" ON "ConsentReply"("phone", "createdAt");

-- CreateIndex
CREATE INDEX "Suppression_accountId_createdAt_phone_idx" ON "Suppression"("accountId", "createdAt" DESC, "phone");


-- Suppressions stored before sources existed: error 200 ones came from the carrier/Plivo.
UPDATE "Suppression" SET source = 'CARRIER_OPT_OUT' WHERE reason LIKE 'opt-out: STOP from recipient%';
