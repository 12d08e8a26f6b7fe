-- campaign.settled: a campaign that ended (cancelled, failed) while messages were still at Plivo, once the last
-- of them is final. Its campaign.cancelled / campaign.failed event carried the tally at that moment; messages
-- already handed over go on being sent and charged, and this event carries the final tally and cost. A
-- campaign with nothing in flight when it ended gets none: its ending event's tally is final already.
-- The payload of every ending event is built in one place.
CREATE FUNCTION "webhook_campaign_final_payload"(c "Campaign", previous_status "CampaignStatus") RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('campaignId', c.id, 'name', c.name, 'status', c.status, 'previousStatus', previous_status,
    'reason', c."statusReason",
    'startedAt', c."startedAt",
    'finishedAt', c."completedAt",
    'tally', jsonb_build_object('total', c.total, 'pending', c.pending, 'submitted', c.submitted,
      'queued', c.queued, 'sent', c.sent, 'delivered', c.delivered, 'undelivered', c.undelivered,
      'failed', c.failed, 'rejected', c.rejected, 'unconfirmed', c.unconfirmed,
      'suppressed', c.suppressed, 'cancelled', c.cancelled),
    'cost', jsonb_build_object('currency', c.currency, 'estimated', c."estimatedCost"::text,
      'actual', c."actualCost"::text));
$$;

CREATE OR REPLACE FUNCTION "webhook_campaign_status_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
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
    payload := "webhook_campaign_final_payload"(NEW, OLD.status);
  ELSE
    RETURN NULL;
  END IF;
  PERFORM "webhook_emit"(NEW."accountId", NEW.id, event_type, payload);
  RETURN NULL;
END
$$;

CREATE FUNCTION "webhook_campaign_settled"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "webhook_emit"(NEW."accountId", NEW.id, 'campaign.settled', "webhook_campaign_final_payload"(NEW, NEW.status));
  RETURN NULL;
END
$$;

-- The counters trigger updates the campaign's row once per statement that moves its messages: the WHEN
-- clause is all that runs for every other update.
CREATE TRIGGER "webhook_campaign_settled" AFTER UPDATE OF pending, submitted, queued, sent ON "Campaign"
  FOR EACH ROW WHEN (
    NEW.status IN ('CANCELLED', 'FAILED')
    AND OLD.pending + OLD.submitted + OLD.queued + OLD.sent > 0
    AND NEW.pending + NEW.submitted + NEW.queued + NEW.sent = 0)
  EXECUTE FUNCTION "webhook_campaign_settled"();
