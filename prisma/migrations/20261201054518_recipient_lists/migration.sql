-- AlterTable
ALTER TABLE "Batch" ADD COLUMN     "text" TEXT;

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "recipientListId" UUID;

-- CreateTable
CREATE TABLE "RecipientList" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "state" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "phoneColumn" TEXT NOT NULL,
    "fields" TEXT[],
    "rowCount" INTEGER NOT NULL DEFAULT 0,
    "validCount" INTEGER NOT NULL DEFAULT 0,
    "duplicateCount" INTEGER NOT NULL DEFAULT 0,
    "rejectedCount" INTEGER NOT NULL DEFAULT 0,
    "rejectedRows" JSONB NOT NULL DEFAULT '[]',
    "countries" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RecipientList_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecipientListEntry" (
    "listId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "row" INTEGER NOT NULL,
    "phone" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "values" JSONB NOT NULL,

    CONSTRAINT "RecipientListEntry_pkey" PRIMARY KEY ("listId","position")
);

-- CreateIndex
CREATE INDEX "RecipientList_accountId_idx" ON "RecipientList"("accountId");

-- CreateIndex
CREATE INDEX "RecipientList_expiresAt_idx" ON "RecipientList"("expiresAt");

