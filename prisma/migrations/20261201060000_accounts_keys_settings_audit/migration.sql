-- Issue 16: API keys get scopes (existing keys keep every account scope, never admin) and an optional
-- expiry; per-account settings (the Plivo auth token sealed with SETTINGS_ENCRYPTION_KEY); the audit log
-- (no foreign key to Account: entries outlive what they are about).

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "expiresAt" TIMESTAMPTZ(3),
ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY['campaigns:read', 'campaigns:write', 'suppressions:write', 'webhooks:write']::TEXT[];

-- CreateTable
CREATE TABLE "AccountSettings" (
    "accountId" UUID NOT NULL,
    "plivoAuthId" TEXT,
    "plivoAuthTokenEncrypted" TEXT,
    "senderIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "mps" DOUBLE PRECISION,
    "defaultCountry" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccountSettings_pkey" PRIMARY KEY ("accountId")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" UUID NOT NULL,
    "accountId" UUID,
    "apiKeyId" UUID,
    "action" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "clientAddress" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditEntry_createdAt_id_idx" ON "AuditEntry"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "AuditEntry_accountId_createdAt_id_idx" ON "AuditEntry"("accountId", "createdAt" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "AccountSettings" ADD CONSTRAINT "AccountSettings_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

