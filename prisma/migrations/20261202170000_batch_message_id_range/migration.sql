-- The ids of a batch's messages lie between "messageIdFrom" and "messageIdTo" (docs/scaling.md, "A batch's
-- id range"). "Message" is partitioned by id, so a statement that finds messages by batch and names this
-- range reaches only the partition(s) the batch's messages are in, instead of probing every partition's
-- index. Set when the campaign's messages are inserted; NULL (no range: every partition) for batches
-- stored before this migration.
ALTER TABLE "Batch" ADD COLUMN "messageIdFrom" BIGINT;
ALTER TABLE "Batch" ADD COLUMN "messageIdTo" BIGINT;
