import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Clock } from '../../../src/common/time/clock';
import { AppConfig } from '../../../src/config/app-config.service';
import { InvalidEnvironmentError, validateEnvironment } from '../../../src/config/env.schema';
import { MessageStatus } from '../../../src/domain/message-status.enum';
import { MESSAGE_STATUS_RANK } from '../../../src/domain/message-status-order';
import { ApplyUpdate, DeliveryReportRepository } from '../../../src/persistence/delivery-report.repository';
import { MessagePartitionRepository } from '../../../src/persistence/message-partition.repository';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { MessagePartitionService } from '../../../src/retention/message-partition.service';
import { freshDatabase } from '../../utils/fresh-database';
import { TEST_DATABASES } from '../../utils/test-databases';

// Small partitions, so that a few hundred messages span several of them.
const SIZE = 1000;
// The migration's layout: "Message_0" below 10,000,000, then "Message_10000000" up to 20,000,000.
const BASE = 20_000_000;

/**
 * "Message" partitioned by RANGE (id): partitions made ahead, rows in the right one, reports applied
 * to messages of older partitions, and the retention step dropping a partition only when every
 * campaign with messages in it finished before the cutoff (never one holding a running campaign's).
 */
describe.each(TEST_DATABASES)('Message partitions (%s)', (kind) => {
  let database: { url: string; drop(): Promise<void> };
  let prisma: PrismaService;
  let sql: Client;
  let partitions: MessagePartitionService;
  let reports: DeliveryReportRepository;
  let accountId: string;

  beforeAll(async () => {
    database = await freshDatabase(kind);
    const { env, errors } = validateEnvironment({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      MESSAGE_PARTITION_SIZE: String(SIZE),
      MESSAGE_PARTITION_RETENTION_DAYS: '30',
    });
    if (!env) {
      throw new InvalidEnvironmentError(errors);
    }
    prisma = new PrismaService(database.url, 2);
    partitions = new MessagePartitionService(new MessagePartitionRepository(prisma), new AppConfig(env), new Clock());
    reports = new DeliveryReportRepository(prisma, database.url);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'partitions') RETURNING id`,
    );
    accountId = rows[0].id;
  });

  afterAll(async () => {
    await partitions?.onModuleDestroy();
    await reports?.beforeApplicationShutdown();
    await prisma?.$disconnect();
    await sql?.end();
    await database?.drop();
  });

  async function campaign(status: 'COMPLETED' | 'SENDING', completedDaysAgo: number | null): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
         "estimatedCostByCountry", "startedAt", "completedAt", "updatedAt")
       VALUES ($1, $2::"CampaignStatus", 'Hello', '+14155550100', 'GSM7', 1, 0, '[]', now() - interval '41 days',
         now() - make_interval(days => $3::int), now())
       RETURNING id`,
      [accountId, status, completedDaysAgo],
    );
    return rows[0].id;
  }

  /** `count` submitted messages with provider UUIDs `<prefix>-<i>`, the next ids after `afterId`. */
  async function messages(campaignId: string, afterId: number, count: number, prefix: string): Promise<void> {
    await sql.query(`SELECT setval('"Message_id_seq"', $1::bigint)`, [afterId]);
    await sql.query(
      `INSERT INTO "Message" ("campaignId", "batchId", "to", country, status, "providerMessageId", "submittedAt")
       SELECT $1::uuid, $2::uuid, '+4477009' || lpad(i::text, 5, '0'), 'GB', 'SUBMITTED', $3 || '-' || i, now()
       FROM generate_series(0, $4::int - 1) AS i`,
      [campaignId, randomUUID(), prefix, count],
    );
  }

  async function partitionOf(where: string, params: unknown[]): Promise<string[]> {
    const { rows } = await sql.query<{ name: string }>(
      `SELECT DISTINCT tableoid::regclass::text AS name FROM "Message" WHERE ${where}`,
      params,
    );
    return rows.map((row) => row.name.replace(/"/g, ''));
  }

  async function partitionNames(): Promise<string[]> {
    const { rows } = await sql.query<{ name: string }>(
      `SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = '"Message"'::regclass ORDER BY 1`,
    );
    return rows.map((row) => row.name);
  }

  function delivered(messageUuid: string, batchId: string | null, to: string | null): ApplyUpdate {
    return {
      messageUuid,
      batchId,
      to,
      status: MessageStatus.DELIVERED,
      rank: MESSAGE_STATUS_RANK[MessageStatus.DELIVERED],
      sequence: 2,
      errorCode: null,
      units: 1,
      amount: '0.00500',
      sentAt: null,
      deliveredAt: null,
      optOut: false,
    };
  }

  // One scenario, in steps: each builds on the one before.
  let finishedOnly: string;
  let running: string;
  let mixedFinished: string;
  let current: string;
  const uuidlessBatch = randomUUID();

  it('should start from the migration layout and create partitions ahead of the ids', async () => {
    expect(await partitionNames()).toEqual(['Message_0', 'Message_10000000', 'Message_default']);
    // Ids handed out up to BASE + 2,000: partitions up to the one beyond the current id.
    await sql.query(`SELECT setval('"Message_id_seq"', $1::bigint)`, [BASE + 2 * SIZE]);
    await expect(partitions.ensureAhead()).resolves.toEqual([
      `Message_${BASE}`,
      `Message_${BASE + SIZE}`,
      `Message_${BASE + 2 * SIZE}`,
      `Message_${BASE + 3 * SIZE}`,
    ]);
    await expect(partitions.ensureAhead()).resolves.toEqual([]);
  });

  it('should put each message in the partition of its id', async () => {
    finishedOnly = await campaign('COMPLETED', 40);
    await messages(finishedOnly, BASE - 1, 500, 'old');
    mixedFinished = await campaign('COMPLETED', 40);
    await messages(mixedFinished, BASE + SIZE - 1, 100, 'mixed');
    running = await campaign('SENDING', null);
    await messages(running, BASE + SIZE + 99, 10, 'running');
    // A message whose UUID the provider did not return (a multi-recipient batch).
    await sql.query(
      `INSERT INTO "Message" ("campaignId", "batchId", "to", country, status, "submittedAt")
       VALUES ($1::uuid, $2::uuid, '+447700999999', 'GB', 'SUBMITTED', now())`,
      [running, uuidlessBatch],
    );

    expect(await partitionOf(`"campaignId" = $1::uuid`, [finishedOnly])).toEqual([`Message_${BASE}`]);
    expect(await partitionOf(`"campaignId" = ANY($1::uuid[])`, [[mixedFinished, running]])).toEqual([
      `Message_${BASE + SIZE}`,
    ]);
    // The counters trigger saw every row, whatever its partition.
    const { rows } = await sql.query<{ total: number; submitted: number }>(
      `SELECT total, submitted FROM "Campaign" WHERE id = $1::uuid`,
      [finishedOnly],
    );
    expect(rows[0]).toEqual({ total: 500, submitted: 500 });
  });

  it('should move ids that fell into the default partition into their own when it is created', async () => {
    const late = await campaign('SENDING', null);
    await messages(late, BASE + 4 * SIZE + 9, 3, 'late');
    expect(await partitionOf(`"campaignId" = $1::uuid`, [late])).toEqual(['Message_default']);

    await expect(partitions.ensureAhead()).resolves.toEqual([
      `Message_${BASE + 4 * SIZE}`,
      `Message_${BASE + 5 * SIZE}`,
    ]);

    expect(await partitionOf(`"campaignId" = $1::uuid`, [late])).toEqual([`Message_${BASE + 4 * SIZE}`]);
    const { rows } = await sql.query<{ total: number }>(`SELECT total FROM "Campaign" WHERE id = $1::uuid`, [late]);
    expect(rows[0].total).toBe(3);
    // The partition new ids go to from now on: its messages are of a finished campaign.
    current = await campaign('COMPLETED', 40);
    await messages(current, BASE + 5 * SIZE - 1, 5, 'current');
    expect(await partitionOf(`"campaignId" = $1::uuid`, [current])).toEqual([`Message_${BASE + 5 * SIZE}`]);
  });

  it('should refuse a provider UUID that a message of another partition already carries', async () => {
    await expect(
      sql.query(
        `UPDATE "Message" SET "providerMessageId" = 'old-1' WHERE "campaignId" = $1::uuid AND "to" LIKE '%00000'`,
        [running],
      ),
    ).rejects.toThrow(/ProviderMessage_pkey/);
  });

  it('should apply reports to messages of an older partition, by UUID and by batch and number', async () => {
    const outcome = await reports.inApplyTransaction((tx) =>
      tx.applyPlan(
        [delivered('running-0', null, null), delivered('late-uuid-9', uuidlessBatch, '+447700999999')],
        [],
        'STOP',
      ),
    );

    expect(outcome.applied).toBe(2);
    expect(outcome.campaignIds).toEqual([running]);
    const { rows } = await sql.query<{ delivered: number; submitted: number }>(
      `SELECT delivered, submitted FROM "Campaign" WHERE id = $1::uuid`,
      [running],
    );
    expect(rows[0]).toEqual({ delivered: 2, submitted: 9 });
    // The UUID learnt from the report is now the message's, and found through the lookup table.
    const { rows: lookup } = await sql.query<{ messageId: string }>(
      `SELECT p."messageId"::text AS "messageId" FROM "ProviderMessage" p JOIN "Message" m ON m.id = p."messageId"
       WHERE p."providerMessageId" = 'late-uuid-9' AND m.status = 'DELIVERED'`,
    );
    expect(lookup).toHaveLength(1);
  });

  it('should drop the closed partitions whose campaigns all finished before the cutoff, and only those', async () => {
    const before = await partitionNames();

    const summary = await partitions.retireOnce();

    // Empty and closed: Message_0, Message_10000000 and the two made ahead that the ids skipped.
    // Message_BASE holds only the old campaign's messages.
    expect(summary).toEqual({
      retired: [
        'Message_0',
        'Message_10000000',
        `Message_${BASE}`,
        `Message_${BASE + 2 * SIZE}`,
        `Message_${BASE + 3 * SIZE}`,
      ],
      deferred: [],
    });
    expect(await partitionNames()).toEqual(before.filter((name) => !summary.retired.includes(name)));
    const { rows } = await sql.query<{ campaign: string; n: string }>(
      `SELECT "campaignId"::text AS campaign, count(*)::text AS n FROM "Message" GROUP BY 1`,
    );
    const counts = Object.fromEntries(rows.map((row) => [row.campaign, Number(row.n)]));
    expect(counts[finishedOnly]).toBeUndefined();
    // Kept: the partitions with running campaigns' messages, and the one new ids still go to.
    expect(counts[running]).toBe(11);
    expect(counts[mixedFinished]).toBe(100);
    expect(counts[current]).toBe(5);
    // The dropped campaign keeps its counters and cost; its UUIDs left the lookup table.
    const { rows: campaignRow } = await sql.query<{ total: number }>(
      `SELECT total FROM "Campaign" WHERE id = $1::uuid`,
      [finishedOnly],
    );
    expect(campaignRow[0].total).toBe(500);
    const { rows: lookup } = await sql.query<{ prefix: string; n: string }>(
      `SELECT split_part("providerMessageId", '-', 1) AS prefix, count(*)::text AS n FROM "ProviderMessage" GROUP BY 1`,
    );
    expect(Object.fromEntries(lookup.map((row) => [row.prefix, Number(row.n)]))).toEqual({
      mixed: 100,
      running: 10,
      late: 4,
      current: 5,
    });
  });

  it('should drop the partition of the running campaign once it finished before the cutoff', async () => {
    await sql.query(
      `UPDATE "Campaign" SET status = 'COMPLETED', "completedAt" = now() - interval '31 days' WHERE id = $1::uuid`,
      [running],
    );

    await expect(partitions.retireOnce()).resolves.toEqual({ retired: [`Message_${BASE + SIZE}`], deferred: [] });
  });
});
