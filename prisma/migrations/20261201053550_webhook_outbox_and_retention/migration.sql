-- CreateEnum
CREATE TYPE "WebhookDeliveryState" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "contentRemovedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "accountId" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "secret" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" TIMESTAMPTZ(3),
    "disabledReason" TEXT,
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "lastSuccessAt" TIMESTAMPTZ(3),
    "lastFailureAt" TIMESTAMPTZ(3),

    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "accountId" UUID NOT NULL,
    "campaignId" UUID,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" BIGSERIAL NOT NULL,
    "endpointId" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "orderingKey" TEXT NOT NULL,
    "state" "WebhookDeliveryState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseExpiresAt" TIMESTAMPTZ(3),
    "lastAttemptAt" TIMESTAMPTZ(3),
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "lastDurationMs" INTEGER,
    "deliveredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookEndpoint_accountId_createdAt_idx" ON "WebhookEndpoint"("accountId", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_campaignId_createdAt_idx" ON "WebhookEvent"("campaignId", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_createdAt_idx" ON "WebhookEvent"("createdAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_state_nextAttemptAt_idx" ON "WebhookDelivery"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_orderingKey_state_id_idx" ON "WebhookDelivery"("endpointId", "orderingKey", "state", "id");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_id_idx" ON "WebhookDelivery"("endpointId", "id" DESC);

-- CreateIndex
CREATE INDEX "WebhookDelivery_eventId_idx" ON "WebhookDelivery"("eventId");

-- AddForeignKey
ALTER TABLE "WebhookEndpoint" ADD CONSTRAINT "WebhookEndpoint_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "WebhookEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- ---------------------------------------------------------------------------------------------
-- Customer webhooks: the outbox is written by the database, in the transaction of the change it
-- reports, so no code path that changes a campaign's status or finishes a message can forget it.
-- ---------------------------------------------------------------------------------------------

-- Records one event and one delivery per enabled endpoint of the account subscribed to its type.
-- Nothing is written when no endpoint wants it. Returns the event id (NULL when none).
CREATE FUNCTION "webhook_emit"(p_account uuid, p_campaign uuid, p_type text, p_payload jsonb)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  event_id uuid;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "WebhookEndpoint" e
                 WHERE e."accountId" = p_account AND e."disabledAt" IS NULL AND p_type = ANY(e.events)) THEN
    RETURN NULL;
  END IF;
  INSERT INTO "WebhookEvent" ("accountId", "campaignId", type, payload)
  VALUES (p_account, p_campaign, p_type, p_payload)
  RETURNING id INTO event_id;
  INSERT INTO "WebhookDelivery" ("endpointId", "eventId", "orderingKey")
  SELECT e.id, event_id, coalesce(p_campaign::text, '')
  FROM "WebhookEndpoint" e
  WHERE e."accountId" = p_account AND e."disabledAt" IS NULL AND p_type = ANY(e.events)
  ORDER BY e.id;
  RETURN event_id;
END
$$;

-- recipient.opted_out: the one entry point for every place that records an opt-out (a STOP seen as
-- Plivo error 200 today, inbound STOP messages later). Call it in the transaction that suppresses.
CREATE FUNCTION "webhook_recipient_opted_out"(p_account uuid, p_phone text, p_campaign uuid, p_source text)
RETURNS uuid LANGUAGE sql AS $$
  SELECT "webhook_emit"(p_account, p_campaign, 'recipient.opted_out',
    jsonb_build_object('phone', p_phone, 'campaignId', p_campaign, 'source', p_source, 'optedOutAt', now()));
$$;

CREATE FUNCTION "webhook_campaign_status_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event_type text;
  payload jsonb := jsonb_build_object('campaignId', NEW.id, 'name', NEW.name, 'status', NEW.status,
    'previousStatus', OLD.status);
BEGIN
  IF NEW.status = 'SENDING' AND OLD.status IN ('QUEUED', 'SCHEDULED') THEN
    event_type := 'campaign.started';
    payload := payload || jsonb_build_object('startedAt', NEW."startedAt", 'total', NEW.total);
  ELSIF NEW.status = 'PAUSED' THEN
    event_type := 'campaign.paused';
    payload := payload || jsonb_build_object('reason', NEW."statusReason");
  ELSIF OLD.status = 'PAUSED' AND NEW.status IN ('SCHEDULED', 'QUEUED', 'SENDING') THEN
    event_type := 'campaign.resumed';
  ELSIF NEW.status IN ('COMPLETED', 'CANCELLED', 'FAILED') THEN
    event_type := 'campaign.' || lower(NEW.status::text);
    payload := payload || jsonb_build_object(
      'reason', NEW."statusReason",
      'startedAt', NEW."startedAt",
      'finishedAt', NEW."completedAt",
      'tally', jsonb_build_object('total', NEW.total, 'pending', NEW.pending, 'submitted', NEW.submitted,
        'queued', NEW.queued, 'sent', NEW.sent, 'delivered', NEW.delivered, 'undelivered', NEW.undelivered,
        'failed', NEW.failed, 'rejected', NEW.rejected, 'unconfirmed', NEW.unconfirmed,
        'suppressed', NEW.suppressed, 'cancelled', NEW.cancelled),
      'cost', jsonb_build_object('currency', NEW.currency, 'estimated', NEW."estimatedCost"::text,
        'actual', NEW."actualCost"::text));
  ELSE
    RETURN NULL;
  END IF;
  PERFORM "webhook_emit"(NEW."accountId", NEW.id, event_type, payload);
  RETURN NULL;
END
$$;

CREATE TRIGGER "webhook_campaign_status_changed" AFTER UPDATE OF status ON "Campaign"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION "webhook_campaign_status_changed"();

-- message.final, batched: one event per campaign and statement, at most 500 messages each. A
-- message counts when it enters a final status (rank 4 and up in src/domain/message-status-order.ts).
CREATE FUNCTION "webhook_messages_final"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  chunk record;
  changed_sql text;
  target uuid;
  deliveries_all int;
  deliveries_untouched int;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "WebhookEndpoint" WHERE "disabledAt" IS NULL AND 'message.final' = ANY(events)) THEN
    RETURN NULL;
  END IF;
  changed_sql := CASE WHEN TG_OP = 'UPDATE'
    THEN 'SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.status IS DISTINCT FROM n.status'
    ELSE 'SELECT n.* FROM new_rows n' END;
  FOR chunk IN EXECUTE format($sql$
    SELECT c."accountId", m."campaignId",
      jsonb_agg(jsonb_build_object('id', m.id::text, 'to', m."to", 'country', m.country, 'status', m.status,
        'errorCode', m."errorCode", 'segments', m.units, 'cost', m.amount::text,
        'providerMessageId', m."providerMessageId", 'sentAt', m."sentAt", 'deliveredAt', m."deliveredAt")
        ORDER BY m.id) AS messages
    FROM (SELECT ch.*, (row_number() OVER (PARTITION BY ch."campaignId" ORDER BY ch.id) - 1) / 500 AS part
          FROM (%s) ch
          WHERE ch.status IN ('UNCONFIRMED', 'DELIVERED', 'UNDELIVERED', 'FAILED', 'REJECTED', 'SUPPRESSED', 'CANCELLED')) m
    JOIN "Campaign" c ON c.id = m."campaignId"
    WHERE EXISTS (SELECT 1 FROM "WebhookEndpoint" e WHERE e."accountId" = c."accountId" AND e."disabledAt" IS NULL
                  AND 'message.final' = ANY(e.events))
    GROUP BY c."accountId", m."campaignId", m.part
    ORDER BY m."campaignId", m.part
  $sql$, changed_sql)
  LOOP
    -- Coalescing: small apply passes would make many small events. While the campaign's newest
    -- message.final has not been tried by any endpoint (its deliveries are all untouched, and locked
    -- here so the worker cannot lease them meanwhile; the worker reads payloads after leasing), the
    -- messages are appended to it, up to 500 per event.
    SELECT ev.id INTO target FROM "WebhookEvent" ev
    WHERE ev."campaignId" = chunk."campaignId" AND ev.type = 'message.final'
    ORDER BY ev."createdAt" DESC LIMIT 1;
    IF target IS NOT NULL THEN
      SELECT count(*) INTO deliveries_all FROM "WebhookDelivery" WHERE "eventId" = target;
      SELECT count(*) INTO deliveries_untouched FROM (
        SELECT id FROM "WebhookDelivery"
        WHERE "eventId" = target AND state = 'PENDING' AND attempts = 0 AND "leaseExpiresAt" IS NULL
        FOR UPDATE SKIP LOCKED) untouched;
      IF deliveries_all > 0 AND deliveries_untouched = deliveries_all
         AND (SELECT jsonb_array_length(payload->'messages') FROM "WebhookEvent" WHERE id = target)
             + jsonb_array_length(chunk.messages) <= 500
         AND NOT EXISTS (
           SELECT 1 FROM "WebhookEndpoint" e
           WHERE e."accountId" = chunk."accountId" AND e."disabledAt" IS NULL AND 'message.final' = ANY(e.events)
             AND NOT EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."eventId" = target AND d."endpointId" = e.id)) THEN
        UPDATE "WebhookEvent" SET payload = jsonb_set(payload, '{messages}', (payload->'messages') || chunk.messages)
        WHERE id = target;
        CONTINUE;
      END IF;
    END IF;
    PERFORM "webhook_emit"(chunk."accountId", chunk."campaignId", 'message.final',
      jsonb_build_object('campaignId', chunk."campaignId", 'messages', chunk.messages));
  END LOOP;
  RETURN NULL;
END
$$;

CREATE TRIGGER "webhook_messages_final_after_insert" AFTER INSERT ON "Message"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "webhook_messages_final"();

CREATE TRIGGER "webhook_messages_final_after_update" AFTER UPDATE ON "Message"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "webhook_messages_final"();
