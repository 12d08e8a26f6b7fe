-- The overdue poller takes the least recently polled first, so that messages the provider cannot
-- settle (still sent, unknown) never starve newer ones; kept in the database to hold across restarts
-- and instances.
-- AlterTable
ALTER TABLE "Batch" ADD COLUMN     "reportPolledAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "reportPolledAt" TIMESTAMPTZ(3);

