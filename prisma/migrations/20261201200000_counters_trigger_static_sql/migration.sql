-- The Message counters trigger built its per-campaign change with EXECUTE format(...): dynamic SQL is
-- planned again on every call, about 1 ms of PostgreSQL's time per statement that writes messages, which
-- was most of the cost of a delivery report statement of 20 reports once the intake applied them itself.
-- The same queries as static SQL (one for INSERT, one for UPDATE): PL/pgSQL prepares them once per
-- session. What the trigger computes, locks and updates is unchanged.
CREATE OR REPLACE FUNCTION "message_counts_after_write"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changes jsonb;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(to_jsonb(p)) INTO changes FROM (
      SELECT "campaignId",
        sum(row_count)::int AS total,
        coalesce(sum(n) FILTER (WHERE status = 'PENDING'), 0)::int AS pending,
        coalesce(sum(n) FILTER (WHERE status = 'SUBMITTED'), 0)::int AS submitted,
        coalesce(sum(n) FILTER (WHERE status = 'QUEUED'), 0)::int AS queued,
        coalesce(sum(n) FILTER (WHERE status = 'SENT'), 0)::int AS sent,
        coalesce(sum(n) FILTER (WHERE status = 'DELIVERED'), 0)::int AS delivered,
        coalesce(sum(n) FILTER (WHERE status = 'UNDELIVERED'), 0)::int AS undelivered,
        coalesce(sum(n) FILTER (WHERE status = 'FAILED'), 0)::int AS failed,
        coalesce(sum(n) FILTER (WHERE status = 'REJECTED'), 0)::int AS rejected,
        coalesce(sum(n) FILTER (WHERE status = 'UNCONFIRMED'), 0)::int AS unconfirmed,
        coalesce(sum(n) FILTER (WHERE status = 'SUPPRESSED'), 0)::int AS suppressed,
        coalesce(sum(n) FILTER (WHERE status = 'CANCELLED'), 0)::int AS cancelled,
        sum(amount) AS cost
      FROM (
        SELECT "campaignId", status, count(*)::int AS n, coalesce(sum(amount), 0) AS amount, count(*)::int AS row_count
        FROM new_rows GROUP BY 1, 2
        UNION ALL
        SELECT "campaignId", status, -count(*)::int, -coalesce(sum(amount), 0), -count(*)::int
        FROM old_rows GROUP BY 1, 2
      ) AS delta
      GROUP BY 1
    ) AS p
    WHERE (p.total, p.pending, p.submitted, p.queued, p.sent, p.delivered, p.undelivered, p.failed, p.rejected,
           p.unconfirmed, p.suppressed, p.cancelled, p.cost)
          IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::numeric);
  ELSE
    SELECT jsonb_agg(to_jsonb(p)) INTO changes FROM (
      SELECT "campaignId",
        count(*)::int AS total,
        count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
        count(*) FILTER (WHERE status = 'SUBMITTED')::int AS submitted,
        count(*) FILTER (WHERE status = 'QUEUED')::int AS queued,
        count(*) FILTER (WHERE status = 'SENT')::int AS sent,
        count(*) FILTER (WHERE status = 'DELIVERED')::int AS delivered,
        count(*) FILTER (WHERE status = 'UNDELIVERED')::int AS undelivered,
        count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
        count(*) FILTER (WHERE status = 'REJECTED')::int AS rejected,
        count(*) FILTER (WHERE status = 'UNCONFIRMED')::int AS unconfirmed,
        count(*) FILTER (WHERE status = 'SUPPRESSED')::int AS suppressed,
        count(*) FILTER (WHERE status = 'CANCELLED')::int AS cancelled,
        coalesce(sum(amount), 0) AS cost
      FROM new_rows
      GROUP BY 1
    ) AS p;
  END IF;
  IF changes IS NULL THEN
    RETURN NULL;
  END IF;
  -- Lock the changed campaigns in id order before updating them: every writer of several campaigns'
  -- counters (report apply passes, completion) takes those row locks in one order and cannot deadlock.
  PERFORM 1 FROM "Campaign"
  WHERE id IN (SELECT (change->>'campaignId')::uuid FROM jsonb_array_elements(changes) AS change)
  ORDER BY id FOR NO KEY UPDATE;
  UPDATE "Campaign" AS c SET
    total = c.total + p.total,
    pending = c.pending + p.pending,
    submitted = c.submitted + p.submitted,
    queued = c.queued + p.queued,
    sent = c.sent + p.sent,
    delivered = c.delivered + p.delivered,
    undelivered = c.undelivered + p.undelivered,
    failed = c.failed + p.failed,
    rejected = c.rejected + p.rejected,
    unconfirmed = c.unconfirmed + p.unconfirmed,
    suppressed = c.suppressed + p.suppressed,
    cancelled = c.cancelled + p.cancelled,
    "actualCost" = c."actualCost" + p.cost,
    "updatedAt" = now()
  FROM jsonb_to_recordset(changes) AS p("campaignId" uuid, total int, pending int, submitted int, queued int,
    sent int, delivered int, undelivered int, failed int, rejected int, unconfirmed int, suppressed int,
    cancelled int, cost numeric)
  WHERE c.id = p."campaignId";
  RETURN NULL;
END
$$;

-- Redundant with "DeliveryReport_unapplied_idx" (id WHERE "appliedAt" IS NULL), which is what the
-- applier's claim reads; every report paid for its entry twice (insert, then marking it applied).
DROP INDEX IF EXISTS "DeliveryReport_appliedAt_id_idx";
