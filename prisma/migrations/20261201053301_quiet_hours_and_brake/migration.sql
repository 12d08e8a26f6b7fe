-- AlterTable
ALTER TABLE "Batch" ADD COLUMN     "country" TEXT,
ADD COLUMN     "heldBy" TEXT,
ADD COLUMN     "windowDays" INTEGER,
ADD COLUMN     "windowEndMinute" INTEGER,
ADD COLUMN     "windowOpensAt" TIMESTAMPTZ(3),
ADD COLUMN     "windowStartMinute" INTEGER,
ADD COLUMN     "windowZone" TEXT;

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "assumedZoneRecipients" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "brakeIgnored" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "sendWindow" JSONB;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "optedOut" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "CampaignBrake" (
    "campaignId" UUID NOT NULL,
    "country" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "trips" INTEGER NOT NULL DEFAULT 1,
    "trippedAt" TIMESTAMPTZ(3) NOT NULL,
    "releasedAt" TIMESTAMPTZ(3),

    CONSTRAINT "CampaignBrake_pkey" PRIMARY KEY ("campaignId","country")
);

-- AddForeignKey
ALTER TABLE "CampaignBrake" ADD CONSTRAINT "CampaignBrake_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

