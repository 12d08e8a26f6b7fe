-- The Message counters trigger locked every campaign a statement touched, even when nothing it
-- counts changed: the overdue poller's "reportPolledAt" stamps and the retention job's number
-- hashing took each campaign's row lock (FOR NO KEY UPDATE) to apply a zero change, queueing behind
-- (and holding up) report apply passes and control mutations of the same campaigns.
--
-- The trigger reads only "campaignId", status and amount. `AFTER UPDATE OF "campaignId", status,
-- amount` would say so, but PostgreSQL refuses transition tables on a trigger with a column list
-- ("transition tables cannot be specified for triggers with column lists"), and the one aggregate
-- per statement over them is what keeps counting cheap. So the function computes the per-campaign
-- change first and locks (in id order, as before: no deadlock with other counter writers) and
-- updates only the campaigns whose counters or cost actually change.
CREATE OR REPLACE FUNCTION "message_counts_after_write"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta_sql text := 'SELECT "campaignId", status, count(*)::int AS n, coalesce(sum(amount), 0) AS amount, '
    || 'count(*)::int AS row_count FROM new_rows GROUP BY 1, 2';
  changes jsonb;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    delta_sql := delta_sql || ' UNION ALL SELECT "campaignId", status, -count(*)::int, -coalesce(sum(amount), 0), '
      || '-count(*)::int FROM old_rows GROUP BY 1, 2';
  END IF;
  EXECUTE format($sql$
    WITH delta AS (%s),
    per_campaign AS (
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
      FROM delta GROUP BY 1
    )
    SELECT jsonb_agg(to_jsonb(p)) FROM per_campaign AS p
    WHERE (p.total, p.pending, p.submitted, p.queued, p.sent, p.delivered, p.undelivered, p.failed, p.rejected,
           p.unconfirmed, p.suppressed, p.cancelled, p.cost)
          IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::numeric)
  $sql$, delta_sql) INTO changes;
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
