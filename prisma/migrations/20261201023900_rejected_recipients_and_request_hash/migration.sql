-- Rejected recipients move out of the Campaign row (issue 11, item 2): they were stored as sent,
-- so one campaign row could weigh megabytes and every progress read loaded it. They become rows of
-- their own, inputs truncated to 64 characters, with the full count kept on the campaign.
-- Campaign.requestHash (item 11) lets a reused idempotency key be checked against its first request.

-- CreateTable
CREATE TABLE "RejectedRecipient" (
    "campaignId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "input" TEXT NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "RejectedRecipient_pkey" PRIMARY KEY ("campaignId","position")
);

-- AddForeignKey
ALTER TABLE "RejectedRecipient" ADD CONSTRAINT "RejectedRecipient_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "rejectedCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "requestHash" TEXT;

-- Existing rejections (at most 10,000 per campaign were kept) move over, truncated like new ones.
INSERT INTO "RejectedRecipient" ("campaignId", "position", "input", "reason")
SELECT c.id, (e.ord - 1)::int,
       CASE WHEN length(e.value->>'input') > 64 THEN left(e.value->>'input', 64) || '…' ELSE coalesce(e.value->>'input', '') END,
       left(coalesce(e.value->>'reason', ''), 100)
FROM "Campaign" c
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c."rejectedRecipients") = 'array' THEN c."rejectedRecipients" ELSE '[]'::jsonb END)
  WITH ORDINALITY AS e(value, ord);

UPDATE "Campaign" SET "rejectedCount" = jsonb_array_length("rejectedRecipients")
WHERE jsonb_typeof("rejectedRecipients") = 'array';

ALTER TABLE "Campaign" DROP COLUMN "rejectedRecipients";
