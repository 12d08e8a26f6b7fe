-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "dispatchTurnAt" TIMESTAMPTZ(3),
ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 1;


-- Deadlock fix (lock order: pacing row, batch, messages, campaigns by id). The counter trigger
-- updated several campaigns in whatever order its join produced.
CREATE OR REPLACE FUNCTION "message_counts_after_write"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta_sql text := 'SELECT "campaignId", status, count(*)::int AS n, coalesce(sum(amount), 0) AS amount, '
    || 'count(*)::int AS row_count FROM new_rows GROUP BY 1, 2';
BEGIN
  -- Lock the campaigns in id order before updating them: every writer of several campaigns' counters
  -- (report apply passes, completion) then takes those row locks in one order and cannot deadlock.
  EXECUTE 'SELECT 1 FROM "Campaign" WHERE id IN (SELECT DISTINCT "campaignId" FROM new_rows) '
    || 'ORDER BY id FOR NO KEY UPDATE';
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
    FROM per_campaign AS p
    WHERE c.id = p."campaignId"
      AND (p.total, p.pending, p.submitted, p.queued, p.sent, p.delivered, p.undelivered, p.failed, p.rejected,
           p.unconfirmed, p.suppressed, p.cancelled, p.cost)
          IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::numeric)
  $sql$, delta_sql);
  RETURN NULL;
END
$$;
