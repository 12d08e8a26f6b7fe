import { Client } from 'pg';
import { BrakeRepository } from '../../../src/persistence/brake.repository';
import { DispatchRepository } from '../../../src/persistence/dispatch.repository';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { testDatabaseUrl } from '../../utils/test-databases';
import { besideReportApplication } from '../../utils/beside-report-application';

const MESSAGES = 200;

/**
 * Report application locks the messages it updates in id order (delivery-report.repository.ts), as the
 * dispatcher does. A statement that updates several messages a report may be applied to at the same
 * time must lock them in that order too: locked in the order its join meets them, it can hold one the
 * report's transaction wants next while waiting for one that transaction holds, and PostgreSQL then
 * fails one of the two with "deadlock detected" (seen on the retention job's hashing,
 * retention-beside-running-campaign.int-spec.ts). PostgreSQL only: PGlite has one backend.
 */
describe('statements that update messages lock them in id order, as report application does (postgres)', () => {
  let prisma: PrismaService;
  let sql: Client;
  let accountId: string;

  beforeAll(async () => {
    // No lock_timeout: a statement locking out of order is failed by PostgreSQL's deadlock check.
    prisma = new PrismaService(testDatabaseUrl('postgres'), 2);
    sql = new Client({ connectionString: testDatabaseUrl('postgres') });
    await sql.connect();
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'lock order') RETURNING id`,
    );
    accountId = rows[0].id;
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await sql?.end();
  });

  /**
   * A sending campaign with one submitted batch of MESSAGES pending messages, whose first ten were
   * written again since: their new versions lie at the end of the table, after the others.
   */
  async function campaignWithBatch(): Promise<{ campaignId: string; batchId: string; ids: bigint[]; to: string[] }> {
    const campaign = await sql.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
         "estimatedCostByCountry", "startedAt", "updatedAt")
       VALUES ($1, 'SENDING', 'Hello', '+14155550100', 'GSM7', 1, 0, '[]', now(), now())
       RETURNING id`,
      [accountId],
    );
    const campaignId = campaign.rows[0].id;
    const batch = await sql.query<{ id: string }>(
      `INSERT INTO "Batch" ("campaignId", sequence, "recipientCount", state, "submittedAt")
       VALUES ($1, 0, $2, 'AMBIGUOUS', now()) RETURNING id`,
      [campaignId, MESSAGES],
    );
    const batchId = batch.rows[0].id;
    const messages = await sql.query<{ id: string; to: string }>(
      `INSERT INTO "Message" ("campaignId", "batchId", "to", country, status)
       SELECT $1::uuid, $2::uuid, '+447700' || lpad(i::text, 6, '0'), 'GB', 'PENDING' FROM generate_series(1, $3::int) AS i
       RETURNING id::text AS id, "to"`,
      [campaignId, batchId, MESSAGES],
    );
    const rows = messages.rows.map((r) => ({ id: BigInt(r.id), to: r.to })).sort((a, b) => (a.id < b.id ? -1 : 1));
    await sql.query(`UPDATE "Message" SET "updatedAt" = now() WHERE id = ANY($1::bigint[])`, [
      rows.slice(0, 10).map((r) => r.id.toString()),
    ]);
    return { campaignId, batchId, ids: rows.map((r) => r.id), to: rows.map((r) => r.to) };
  }

  it("should mark an ambiguous batch's messages found at the provider without deadlocking with its reports", async () => {
    const { batchId, ids, to } = await campaignWithBatch();
    const dispatch = new DispatchRepository(prisma);
    // Found in the provider's order, which need not be ours: the last message first.
    const found = to.map((number, i) => ({ to: number, messageUuid: `uuid-${i}` })).reverse();

    await besideReportApplication(testDatabaseUrl('postgres'), ids[0], ids[ids.length - 1], () =>
      dispatch.submitFoundMessages({ id: batchId, messageIdFrom: null, messageIdTo: null }, found),
    );

    const { rows } = await sql.query<{ submitted: string; first: string }>(
      `SELECT count(*) FILTER (WHERE status = 'SUBMITTED')::text AS submitted,
         (SELECT "providerMessageId" FROM "Message" WHERE id = $2::bigint) AS first
       FROM "Message" WHERE "batchId" = $1::uuid`,
      [batchId, ids[0].toString()],
    );
    expect(rows[0]).toEqual({ submitted: String(MESSAGES), first: 'uuid-0' });
  });

  it('should count opt-outs against their messages without deadlocking with reports being applied to them', async () => {
    const first = await campaignWithBatch();
    const second = await campaignWithBatch();
    const brakes = new BrakeRepository(prisma);
    // One number's STOP counts against its message in each campaign; the later campaign is listed first.
    const optOuts = [
      { campaignId: second.campaignId, to: second.to[0] },
      { campaignId: first.campaignId, to: first.to[0] },
    ];

    let touched: string[] = [];
    await besideReportApplication(testDatabaseUrl('postgres'), first.ids[0], second.ids[0], async () => {
      touched = await brakes.markOptedOut(optOuts);
    });

    expect(touched.sort()).toEqual([first.campaignId, second.campaignId].sort());
    const { rows } = await sql.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM "Message" WHERE "optedOut" AND id = ANY($1::bigint[])`,
      [[first.ids[0].toString(), second.ids[0].toString()]],
    );
    expect(rows[0].n).toBe('2');
  });
});
