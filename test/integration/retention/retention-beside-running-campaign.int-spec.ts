import { Client } from 'pg';
import { Clock } from '../../../src/common/time/clock';
import { AppConfig } from '../../../src/config/app-config.service';
import { InvalidEnvironmentError, validateEnvironment } from '../../../src/config/env.schema';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { RetentionRepository } from '../../../src/persistence/retention.repository';
import { MessageRetentionService } from '../../../src/retention/message-retention.service';
import { hashNumber } from '../../../src/retention/number-hasher';
import { besideReportApplication } from '../../utils/beside-report-application';
import { freshDatabase } from '../../utils/fresh-database';
import { TEST_DATABASES } from '../../utils/test-databases';

const HASH_KEY = 'retention-test-hash-key-0001';
// More than one batch of the job (5,000), so several hashing statements run.
const OLD_MESSAGES = 12_000;
const RUNNING_MESSAGES = 40;

function oldNumber(campaign: number, i: number): string {
  return `+44770${campaign}${String(i).padStart(6, '0')}`;
}

/**
 * The retention job over an old finished campaign while another campaign is sending: it must neither
 * write nor lock the running campaign's rows (its Campaign row, its messages), so report application,
 * pause and cancel of live campaigns never queue behind it.
 */
describe.each(TEST_DATABASES)('MessageRetentionService beside a running campaign (%s)', (kind) => {
  let database: { url: string; drop(): Promise<void> };
  let prisma: PrismaService;
  let sql: Client;
  let retention: MessageRetentionService;
  let config: AppConfig;
  let accountId: string;
  let oldCampaigns = 0;

  beforeAll(async () => {
    database = await freshDatabase(kind);
    // On PostgreSQL the job's sessions give up on any lock wait after 3 s: a wait fails the pass
    // instead of hanging (PGlite has one backend, so nothing can wait there).
    const jobUrl = kind === 'postgres' ? `${database.url}?options=-c%20lock_timeout%3D3000` : database.url;
    const { env, errors } = validateEnvironment({
      NODE_ENV: 'test',
      DATABASE_URL: jobUrl,
      MESSAGE_RETENTION_DAYS: '30',
      MESSAGE_HASH_KEY: HASH_KEY,
    });
    if (!env) {
      throw new InvalidEnvironmentError(errors);
    }
    prisma = new PrismaService(jobUrl, 4);
    config = new AppConfig(env);
    retention = new MessageRetentionService(new RetentionRepository(prisma), config, new Clock());
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'retention') RETURNING id`,
    );
    accountId = rows[0].id;
  });

  afterAll(async () => {
    await retention?.onModuleDestroy();
    await prisma?.$disconnect();
    await sql?.end();
    await database?.drop();
  });

  async function campaign(status: string, completedDaysAgo: number | null): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
         "estimatedCostByCountry", "startedAt", "completedAt", "updatedAt")
       VALUES ($1, $2::"CampaignStatus", 'Hello Ada', '+14155550100', 'GSM7', 1, 0, '[]', now() - interval '41 days',
         now() - make_interval(days => $3::int), now())
       RETURNING id`,
      [accountId, status, completedDaysAgo],
    );
    return rows[0].id;
  }

  /** An old COMPLETED campaign, finished 40 days ago, with OLD_MESSAGES delivered messages. */
  async function oldCampaign(): Promise<{ id: string; index: number }> {
    const index = ++oldCampaigns;
    const id = await campaign('COMPLETED', 40);
    await sql.query(
      `INSERT INTO "Message" ("campaignId", "to", country, status, amount, "submittedAt", "deliveredAt")
       SELECT $1::uuid, '+44770' || $2::text || lpad(i::text, 6, '0'), 'GB', 'DELIVERED', 0.04, now(), now()
       FROM generate_series(0, $3::int - 1) AS i`,
      [id, String(index), OLD_MESSAGES],
    );
    return { id, index };
  }

  /** A campaign in the middle of sending: its messages are with the provider, awaiting reports. */
  async function runningCampaign(): Promise<string> {
    const id = await campaign('SENDING', null);
    await sql.query(
      `INSERT INTO "Message" ("campaignId", "to", country, status, "submittedAt")
       SELECT $1::uuid, '+1415555' || lpad(i::text, 4, '0'), 'US', 'SUBMITTED', now()
       FROM generate_series(0, $2::int - 1) AS i`,
      [id, RUNNING_MESSAGES],
    );
    return id;
  }

  /** A transaction id drawn now: every later writer or locker of a row leaves a larger one in its xmax. */
  async function nextTransactionId(): Promise<bigint> {
    const { rows } = await sql.query<{ xid: string }>('SELECT txid_current()::text AS xid');
    return BigInt(rows[0].xid);
  }

  /**
   * Rows of the campaign (its Campaign row and messages) written (xmin of the live version) or locked
   * (xmax left on it) by a transaction since `since`.
   */
  async function rowsTouchedSince(campaignId: string, since: bigint): Promise<number> {
    const touched = `(xmin::text::bigint >= $2::bigint OR xmax::text::bigint >= $2::bigint)`;
    const { rows } = await sql.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM "Campaign" WHERE id = $1::uuid AND ${touched})
            + (SELECT count(*) FROM "Message" WHERE "campaignId" = $1::uuid AND ${touched}) AS n`,
      [campaignId, since.toString()],
    );
    return Number(rows[0].n);
  }

  async function expectContentRemoved(old: { id: string; index: number }): Promise<void> {
    const { rows } = await sql.query<{ to: string; clear: string }>(
      `SELECT (SELECT "to" FROM "Message" WHERE "campaignId" = $1::uuid ORDER BY id DESC LIMIT 1) AS "to",
         (SELECT count(*) FROM "Message" WHERE "campaignId" = $1::uuid AND "to" NOT LIKE 'hmac:%')::text AS clear`,
      [old.id],
    );
    expect(rows[0]).toEqual({ to: hashNumber(HASH_KEY, oldNumber(old.index, OLD_MESSAGES - 1)), clear: '0' });
    const campaignRow = await sql.query<{ text: string; delivered: number; removed: boolean }>(
      `SELECT text, delivered, "contentRemovedAt" IS NOT NULL AS removed FROM "Campaign" WHERE id = $1::uuid`,
      [old.id],
    );
    expect(campaignRow.rows[0]).toEqual({ text: '', delivered: OLD_MESSAGES, removed: true });
  }

  it("should hash an old campaign's numbers without writing or locking any row of a running campaign", async () => {
    const old = await oldCampaign();
    const running = await runningCampaign();
    const since = await nextTransactionId();

    await expect(retention.runOnce()).resolves.toEqual({ campaigns: 1, numbers: OLD_MESSAGES });

    await expectContentRemoved(old);
    expect(await rowsTouchedSince(running, since)).toBe(0);
    // The probe sees writes: a report applied to the running campaign marks its message and Campaign row.
    await sql.query(
      `UPDATE "Message" SET status = 'DELIVERED', amount = 0.0079
       WHERE id = (SELECT min(id) FROM "Message" WHERE "campaignId" = $1::uuid)`,
      [running],
    );
    expect(await rowsTouchedSince(running, since)).toBe(2);
  });

  if (kind === 'postgres') {
    it("should lock an old campaign's messages in id order, as report application does, so a late report never deadlocks with it", async () => {
      const old = await oldCampaign();
      const { rows } = await sql.query<{ first: string }>(
        `SELECT min(id)::text AS first FROM "Message" WHERE "campaignId" = $1::uuid`,
        [old.id],
      );
      const first = BigInt(rows[0].first);
      // The first hundred messages are written again: their new versions go to the end of the table, so
      // a statement that locks rows in the order it meets them there locks the first batch's last message
      // before its first.
      await sql.query(`UPDATE "Message" SET "updatedAt" = now() WHERE "campaignId" = $1::uuid AND id < $2::bigint`, [
        old.id,
        String(first + 100n),
      ]);
      // A late report's application holds the first message and will want the last of the job's first batch
      // (5,000 messages). The job's sessions here have no lock_timeout: on a busy machine this process may
      // take seconds to see the job wait; a job locking out of order is failed by the deadlock check.
      const patient = new PrismaService(database.url, 2);
      try {
        const job = new MessageRetentionService(new RetentionRepository(patient), config, new Clock());
        await besideReportApplication(database.url, first, first + 4999n, async () => {
          await expect(job.runOnce()).resolves.toEqual({ campaigns: 1, numbers: OLD_MESSAGES });
        });
      } finally {
        await patient.$disconnect();
      }
      await expectContentRemoved(old);
    });

    it('should complete while another transaction holds the running campaign and its messages locked', async () => {
      const old = await oldCampaign();
      const running = await runningCampaign();
      const holder = new Client({ connectionString: database.url });
      await holder.connect();
      try {
        // As a report apply pass or a cancel holds them: the strongest row lock, which any lock the
        // job took on these rows (even FOR KEY SHARE) would have to wait for.
        await holder.query('BEGIN');
        await holder.query(`SELECT 1 FROM "Campaign" WHERE id = $1::uuid FOR UPDATE`, [running]);
        const locked = await holder.query(`SELECT 1 FROM "Message" WHERE "campaignId" = $1::uuid FOR UPDATE`, [
          running,
        ]);
        expect(locked.rowCount).toBe(RUNNING_MESSAGES);

        // Any wait on those locks would fail the pass with lock_timeout (3 s) on the job's sessions.
        await expect(retention.runOnce()).resolves.toEqual({ campaigns: 1, numbers: OLD_MESSAGES });

        await expectContentRemoved(old);
        const waiting = await sql.query(
          `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
           WHERE NOT l.granted AND a.datname = current_database()`,
        );
        expect(waiting.rowCount).toBe(0);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
    });
  }
});
