-- AlterTable
ALTER TABLE "Batch" ADD COLUMN     "firstAttemptAt" TIMESTAMPTZ(3);


-- Batches already tried: their last submission is the closest known first attempt.
UPDATE "Batch" SET "firstAttemptAt" = coalesce("submittedAt", "createdAt") WHERE attempts > 0;
