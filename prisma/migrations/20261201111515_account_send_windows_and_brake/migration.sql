-- Per-account quiet hours and brake thresholds (docs/sending.md): null or [] falls back to the
-- service's SEND_WINDOW_* and BRAKE_* configuration.
-- AlterTable
ALTER TABLE "AccountSettings" ADD COLUMN     "brakeFailureRate" DOUBLE PRECISION,
ADD COLUMN     "brakeMinReports" INTEGER,
ADD COLUMN     "brakeOptOutRate" DOUBLE PRECISION,
ADD COLUMN     "brakeWindowReports" INTEGER,
ADD COLUMN     "sendWindowCountries" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "sendWindowDefault" TEXT;

