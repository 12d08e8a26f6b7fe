-- A campaign sent from an uploaded list writes each recipient once before it is accepted: its batches hold the
-- list positions of their recipients, and a batch's messages are made from the list's entries when it is
-- claimed (or when the campaign is cancelled, fails, or its messages are read), in the claim's transaction,
-- before its request leaves (docs/recipient-lists.md, "Writing each recipient once"). An empty array: the
-- batch's messages exist (every batch of a campaign given its recipients, and every batch once made).
ALTER TABLE "Batch" ADD COLUMN "listPositions" INTEGER[] NOT NULL DEFAULT '{}';

-- The campaigns whose messages are not all made yet, and which batches: read before every read of a campaign's
-- messages. Only those batches are in it, so it stays as small as the lists waiting to be sent.
CREATE INDEX "Batch_unmade_campaignId_idx" ON "Batch" ("campaignId") WHERE cardinality("listPositions") > 0;

-- The campaigns sent from a list: whether a list is still needed (its expiry, its deletion) and which batches
-- hold an erased number are found from the list.
CREATE INDEX "Campaign_recipientListId_idx" ON "Campaign" ("recipientListId") WHERE "recipientListId" IS NOT NULL;
