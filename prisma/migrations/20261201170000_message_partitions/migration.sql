-- "Message" becomes a table partitioned by RANGE ("id") (docs/scaling.md, "Partitioning Message").
--
-- Why "id" and not the month of creation: "id" stays the whole primary key, so every lookup by id
-- (Prisma's `where: { id }`, the report apply's row locks, the dispatcher's updates) goes to one
-- partition, and the id sequence grows with time, so a low range holds old messages. Partitions are
-- created ahead by message_partitions_ensure() (the migration, then the service every few minutes);
-- "Message_default" catches ids beyond them if that ever falls behind, and the next ensure moves them
-- into their partition.
--
-- A partitioned table's unique indexes must include the partition key, so the global uniqueness of
-- "providerMessageId" (how a delivery report finds its message) moves to "ProviderMessage": one row
-- per provider UUID, written by a statement trigger on "Message" in the statement that sets it
-- (whoever sets it: dispatcher, report apply, tests). A UUID given to two messages still fails the
-- statement, now on "ProviderMessage_pkey".
--
-- Conversion of a populated table: the existing table is attached as the first partition (no rows
-- are copied or rewritten); ATTACH scans it once to check the bound, and the provider UUIDs are
-- copied into "ProviderMessage" (one sequential read plus an index build). Measured in
-- docs/scaling.md.

-- The current table, renamed, becomes the first partition.
ALTER TABLE "Message" RENAME TO "Message_0";
ALTER TABLE "Message_0" RENAME CONSTRAINT "Message_pkey" TO "Message_0_pkey";
ALTER INDEX "Message_campaignId_status_id_idx" RENAME TO "Message_0_campaignId_status_id_idx";
ALTER INDEX "Message_batchId_to_idx" RENAME TO "Message_0_batchId_to_idx";
DROP INDEX "Message_providerMessageId_key";
DROP TRIGGER "message_counts_after_insert" ON "Message_0";
DROP TRIGGER "message_counts_after_update" ON "Message_0";
DROP TRIGGER "webhook_messages_final_after_insert" ON "Message_0";
DROP TRIGGER "webhook_messages_final_after_update" ON "Message_0";
ALTER SEQUENCE "Message_id_seq" OWNED BY NONE;
ALTER TABLE "Message_0" ALTER COLUMN "id" DROP DEFAULT;

-- Same columns in the same order as before.
CREATE TABLE "Message" (
    "id" BIGINT NOT NULL DEFAULT nextval('"Message_id_seq"'),
    "campaignId" UUID NOT NULL,
    "batchId" UUID,
    "to" TEXT NOT NULL,
    "country" TEXT,
    "status" "MessageStatus" NOT NULL DEFAULT 'PENDING',
    "providerMessageId" TEXT,
    "reportSequence" INTEGER,
    "errorCode" TEXT,
    "units" INTEGER,
    "amount" DECIMAL(18,5),
    "submittedAt" TIMESTAMPTZ(3),
    "sentAt" TIMESTAMPTZ(3),
    "deliveredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "optedOut" BOOLEAN NOT NULL DEFAULT false,
    "reportPolledAt" TIMESTAMPTZ(3),

    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
) PARTITION BY RANGE ("id");
ALTER SEQUENCE "Message_id_seq" OWNED BY "Message"."id";
CREATE INDEX "Message_campaignId_status_id_idx" ON "Message"("campaignId", "status", "id");
CREATE INDEX "Message_batchId_to_idx" ON "Message"("batchId", "to");

-- The first partition ends at the next multiple of 10,000,000 above every id handed out so far.
DO $$
DECLARE
  handed_out bigint := (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM "Message_id_seq");
  upper_bound bigint;
BEGIN
  upper_bound := (greatest(handed_out, coalesce((SELECT max(id) FROM "Message_0"), 0)) / 10000000 + 1) * 10000000;
  EXECUTE format('ALTER TABLE "Message" ATTACH PARTITION "Message_0" FOR VALUES FROM (MINVALUE) TO (%s)', upper_bound);
END
$$;

CREATE TABLE "Message_default" PARTITION OF "Message" DEFAULT;

-- Provider UUID -> message: the global uniqueness, and how a report finds its message.
CREATE TABLE "ProviderMessage" (
    "providerMessageId" TEXT NOT NULL,
    "messageId" BIGINT NOT NULL,

    CONSTRAINT "ProviderMessage_pkey" PRIMARY KEY ("providerMessageId")
);
INSERT INTO "ProviderMessage" ("providerMessageId", "messageId")
SELECT "providerMessageId", id FROM "Message" WHERE "providerMessageId" IS NOT NULL;

CREATE FUNCTION "provider_message_after_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "ProviderMessage" ("providerMessageId", "messageId")
    SELECT "providerMessageId", id FROM new_rows WHERE "providerMessageId" IS NOT NULL;
  ELSE
    INSERT INTO "ProviderMessage" ("providerMessageId", "messageId")
    SELECT n."providerMessageId", n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n."providerMessageId" IS NOT NULL AND o."providerMessageId" IS DISTINCT FROM n."providerMessageId";
  END IF;
  RETURN NULL;
END
$$;

-- The triggers of the old table, on the new one (statement triggers of a partitioned table see the
-- rows of every partition in their transition tables).
CREATE TRIGGER "message_counts_after_insert" AFTER INSERT ON "Message"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "message_counts_after_write"();

CREATE TRIGGER "message_counts_after_update" AFTER UPDATE ON "Message"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "message_counts_after_write"();

CREATE TRIGGER "webhook_messages_final_after_insert" AFTER INSERT ON "Message"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "webhook_messages_final"();

CREATE TRIGGER "webhook_messages_final_after_update" AFTER UPDATE ON "Message"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "webhook_messages_final"();

CREATE TRIGGER "provider_message_after_insert" AFTER INSERT ON "Message"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "provider_message_after_write"();

CREATE TRIGGER "provider_message_after_update" AFTER UPDATE ON "Message"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "provider_message_after_write"();

-- Creates partitions of `size` ids after the last one until `ahead` of them start above the ids handed
-- out so far; returns the names created. Rows that fell into "Message_default" in a new range move into
-- their partition (straight between partitions: no statement trigger fires, counters stay as they are).
-- A partition is created as a plain table and then attached, so that the partitioned table is locked
-- only in SHARE UPDATE EXCLUSIVE mode (reads and writes of messages go on).
CREATE FUNCTION "message_partitions_ensure"(size bigint, ahead int) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  handed_out bigint;
  lower_bound bigint;
  upper_bound bigint;
  name text;
  created text[] := '{}';
BEGIN
  IF size < 1 OR ahead < 1 THEN
    RAISE EXCEPTION 'message_partitions_ensure: size and ahead must be positive (got %, %)', size, ahead;
  END IF;
  -- One maintainer at a time (several instances run this).
  PERFORM pg_advisory_xact_lock(72404712);
  SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO handed_out FROM "Message_id_seq";
  SELECT max(substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''?(-?[0-9]+)''?\)')::bigint) INTO lower_bound
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = '"Message"'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT';
  lower_bound := coalesce(lower_bound, 0);
  WHILE lower_bound <= handed_out + (ahead - 1)::bigint * size LOOP
    upper_bound := lower_bound + size;
    name := 'Message_' || lower_bound;
    EXECUTE format('CREATE TABLE %I (LIKE "Message" INCLUDING DEFAULTS)', name);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (id >= %s AND id < %s)', name, name || '_bound',
      lower_bound, upper_bound);
    EXECUTE format('INSERT INTO %I SELECT * FROM "Message_default" WHERE id >= %s AND id < %s', name, lower_bound,
      upper_bound);
    EXECUTE format('DELETE FROM "Message_default" WHERE id >= %s AND id < %s', lower_bound, upper_bound);
    EXECUTE format('ALTER TABLE "Message" ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', name, lower_bound,
      upper_bound);
    -- The bound is the partition's own constraint now; the check only spared ATTACH its scan.
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', name, name || '_bound');
    created := created || name;
    lower_bound := upper_bound;
  END LOOP;
  RETURN created;
END
$$;

SELECT "message_partitions_ensure"(10000000, 2);
