import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { MessageStatus } from '../../../src/domain/message-status.enum';
import { CampaignRepository } from '../../../src/persistence/campaign.repository';
import { DispatchRepository } from '../../../src/persistence/dispatch.repository';
import { ErasureRepository } from '../../../src/persistence/erasure.repository';
import { hasUnmadeListMessages } from '../../../src/persistence/list-messages';
import { MessageRepository } from '../../../src/persistence/message.repository';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { RecipientListRepository } from '../../../src/persistence/recipient-list.repository';
import { pausedCampaign } from '../../factories/campaign.factory';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';
import { waitFor } from '../../utils/wait-for';

// The campaign's counter of each message status (Campaign.pending for PENDING, and so on).
const COUNTERS = Object.values(MessageStatus).map((status) => status.toLowerCase());

/**
 * A campaign sent from a list writes its recipients once: its batches hold their list positions, and their
 * messages are made from the list's entries when a batch is claimed, cancelled or failed, when the campaign's
 * messages are read, or when a number in it is erased. Counters count every recipient from the start.
 */
describe.each(TEST_DATABASES)('Messages of a list campaign made at claim (%s)', (kind) => {
  let prisma: PrismaService;
  let sql: Client;
  let accountId: string;
  let campaigns: CampaignRepository;
  let dispatch: DispatchRepository;
  let lists: RecipientListRepository;

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl(kind), 2);
    sql = new Client({ connectionString: testDatabaseUrl(kind) });
    await sql.connect();
    accountId = (await prisma.account.create({ data: { name: 'list messages' } })).id;
    campaigns = new CampaignRepository(prisma);
    dispatch = new DispatchRepository(prisma);
    lists = new RecipientListRepository(prisma);
  });

  afterAll(async () => {
    await prisma?.recipientList.deleteMany({ where: { accountId } });
    await prisma?.$disconnect();
    await sql?.end();
  });

  /** A ready list of `size` entries (+1415555<1000 + position>), its campaign sending all but `suppressed`. */
  async function listCampaign(size: number, batchSize: number, suppressed: number[] = []) {
    const listId = randomUUID();
    await lists.create({
      id: listId,
      accountId,
      format: 'csv',
      phoneColumn: 'phone',
      fields: [],
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await lists.markReady(listId, {
      rowCount: size,
      validCount: size,
      duplicateCount: 0,
      rejectedCount: 0,
      rejectedRows: [],
      countries: { US: size },
    });
    const phones = Array.from({ length: size }, (_, i) => `+1415555${1000 + i}`);
    await sql.query(
      `INSERT INTO "RecipientListEntry" ("listId", position, "row", phone, country, "values")
       SELECT $1::uuid, p - 1, p, '+1415555' || (999 + p), 'US', '[]'::jsonb FROM generate_series(1, $2::int) AS p`,
      [listId, size],
    );
    // Batches fill from the list's end: the first batch holds the last positions.
    const batchSequences = new Int32Array(size);
    const batchSizes: number[] = [];
    let sent = 0;
    for (let i = size - 1; i >= 0; i--) {
      if (suppressed.includes(i)) {
        batchSequences[i] = -1;
        continue;
      }
      const sequence = Math.floor(sent++ / batchSize);
      batchSequences[i] = sequence;
      batchSizes[sequence] = (batchSizes[sequence] ?? 0) + 1;
    }
    const campaign = await campaigns.createWithRecipients(
      { ...pausedCampaign(accountId), recipientListId: listId },
      {
        phones,
        countries: phones.map(() => 'US'),
        batchSequences,
        batchSizes,
        listPositions: Int32Array.from(phones.keys()),
      },
      new Date('2100-01-01T00:00:00Z'),
    );
    return { campaignId: campaign.id, listId, phones };
  }

  async function messages(campaignId: string) {
    const { rows } = await sql.query<{ to: string; status: string; sequence: number | null; batchId: string | null }>(
      `SELECT m."to", m.status::text AS status, b.sequence, m."batchId"::text AS "batchId"
       FROM "Message" m LEFT JOIN "Batch" b ON b.id = m."batchId" WHERE m."campaignId" = $1::uuid ORDER BY m.id`,
      [campaignId],
    );
    return rows;
  }

  async function batches(campaignId: string) {
    const { rows } = await sql.query<{
      id: string;
      sequence: number;
      positions: number[];
      messageIdFrom: string | null;
      messageIdTo: string | null;
    }>(
      `SELECT id::text AS id, sequence, "listPositions" AS positions, "messageIdFrom"::text AS "messageIdFrom",
         "messageIdTo"::text AS "messageIdTo"
       FROM "Batch" WHERE "campaignId" = $1::uuid ORDER BY sequence`,
      [campaignId],
    );
    return rows;
  }

  /** The campaign's counters, and what a GROUP BY over its messages gives, with `unmade` added to pending. */
  async function counters(campaignId: string, unmade: number) {
    const { rows } = await sql.query<Record<string, number>>(`SELECT * FROM "Campaign" WHERE id = $1::uuid`, [
      campaignId,
    ]);
    const grouped = await sql.query<{ status: string; n: number }>(
      `SELECT status::text AS status, count(*)::int AS n FROM "Message" WHERE "campaignId" = $1::uuid GROUP BY 1`,
      [campaignId],
    );
    const counted: Record<string, number> = Object.fromEntries(COUNTERS.map((c) => [c, 0]));
    for (const { status, n } of grouped.rows) {
      counted[status.toLowerCase()] = n;
    }
    counted.pending += unmade;
    counted.total = Object.values(counted).reduce((sum, n) => sum + n, 0);
    const stored = Object.fromEntries(['total', ...COUNTERS].map((c) => [c, rows[0][c]]));
    return { stored, counted };
  }

  it('should store only the suppressed messages at acceptance, and count every recipient as waiting', async () => {
    const { campaignId } = await listCampaign(7, 3, [2]);
    expect(await messages(campaignId)).toEqual([
      { to: '+14155551002', status: 'SUPPRESSED', sequence: null, batchId: null },
    ]);
    expect((await batches(campaignId)).map((b) => [b.sequence, b.positions, b.messageIdFrom])).toEqual([
      [0, [4, 5, 6], null],
      [1, [0, 1, 3], null],
    ]);
    const { stored, counted } = await counters(campaignId, 6);
    expect(stored).toEqual(counted);
    expect(stored).toMatchObject({ total: 7, pending: 6, suppressed: 1 });
    expect(await hasUnmadeListMessages(prisma, campaignId)).toBe(true);
  });

  it("should make a batch's messages when it is claimed, in list order, once", async () => {
    const { campaignId } = await listCampaign(7, 3, [2]);
    const [first, second] = await batches(campaignId);
    const refs = [{ id: second.id, messageIdFrom: null, messageIdTo: null }];
    const recipients = await prisma.$transaction((tx) =>
      new DispatchRepository(tx).claimableRecipients(refs, accountId),
    );
    expect(recipients.get(second.id)?.recipients).toEqual(['+14155551000', '+14155551001', '+14155551003']);
    const made = (await messages(campaignId)).filter((m) => m.sequence === 1);
    expect(made.map((m) => [m.to, m.status])).toEqual([
      ['+14155551000', 'PENDING'],
      ['+14155551001', 'PENDING'],
      ['+14155551003', 'PENDING'],
    ]);
    const after = await batches(campaignId);
    expect(after[1].positions).toEqual([]);
    expect(after[1].messageIdFrom).not.toBeNull();
    // The claim goes on with the range it made: its later statements reach only the messages' partition.
    expect(recipients.get(second.id)?.batch).toEqual({
      id: second.id,
      messageIdFrom: BigInt(after[1].messageIdFrom!),
      messageIdTo: BigInt(after[1].messageIdTo!),
    });
    expect(after[0].positions).toEqual(first.positions);
    let { stored, counted } = await counters(campaignId, 3);
    expect(stored).toEqual(counted);
    expect(stored).toMatchObject({ total: 7, pending: 6 });

    // Claimed again (a retry): nothing more is made.
    await prisma.$transaction((tx) => new DispatchRepository(tx).claimableRecipients(refs, accountId));
    expect(await messages(campaignId)).toHaveLength(4);
    ({ stored, counted } = await counters(campaignId, 3));
    expect(stored).toEqual(counted);
  });

  it('should leave out at claim a number suppressed after acceptance, as for any campaign', async () => {
    const { campaignId } = await listCampaign(3, 3);
    await sql.query(
      `INSERT INTO "Suppression" ("accountId", phone, reason, source) VALUES ($1::uuid, '+14155551001', 'STOP', 'API')`,
      [accountId],
    );
    const [batch] = await batches(campaignId);
    const refs = [{ id: batch.id, messageIdFrom: null, messageIdTo: null }];
    const recipients = await prisma.$transaction((tx) =>
      new DispatchRepository(tx).claimableRecipients(refs, accountId),
    );
    expect(recipients.get(batch.id)?.recipients).toEqual(['+14155551000', '+14155551002']);
    const { stored, counted } = await counters(campaignId, 0);
    expect(stored).toEqual(counted);
    expect(stored).toMatchObject({ total: 3, pending: 2, suppressed: 1 });
    await sql.query(`DELETE FROM "Suppression" WHERE "accountId" = $1::uuid`, [accountId]);
  });

  it('should make the waiting messages of a cancelled campaign CANCELLED, and of a failed one FAILED', async () => {
    const cancelled = await listCampaign(5, 2);
    await prisma.$transaction(async (tx) => {
      const repository = new CampaignRepository(tx);
      await repository.cancelWaitingBatches(accountId, cancelled.campaignId, ['PAUSED' as never]);
      expect(await repository.cancelWaitingMessages(cancelled.campaignId)).toBe(5);
    });
    expect(new Set((await messages(cancelled.campaignId)).map((m) => m.status))).toEqual(new Set(['CANCELLED']));
    let { stored, counted } = await counters(cancelled.campaignId, 0);
    expect(stored).toEqual(counted);
    expect(stored).toMatchObject({ total: 5, pending: 0, cancelled: 5 });

    const failed = await listCampaign(4, 2);
    const [batch] = await batches(failed.campaignId);
    await dispatch.failWaitingMessages({ id: batch.id, messageIdFrom: null, messageIdTo: null }, 'REFUSED' as never);
    const made = await messages(failed.campaignId);
    expect(made.map((m) => [m.sequence, m.status])).toEqual([
      [0, 'FAILED'],
      [0, 'FAILED'],
    ]);
    ({ stored, counted } = await counters(failed.campaignId, 2));
    expect(stored).toEqual(counted);
    expect(stored).toMatchObject({ total: 4, pending: 2, failed: 2 });
  });

  it("should count a list campaign's waiting recipients, and make only those a page of its messages shows", async () => {
    const { campaignId } = await listCampaign(250, 1);
    const repository = new MessageRepository(prisma);
    const made = async () => (await messages(campaignId)).map((m) => m.to);
    expect(await repository.countForCampaign(campaignId)).toBe(250);
    expect(await repository.countForCampaign(campaignId, MessageStatus.PENDING)).toBe(250);
    expect(await repository.countForCampaign(campaignId, MessageStatus.DELIVERED)).toBe(0);
    expect(await made()).toEqual([]);

    // A page is made in list order, one more than it shows (to tell whether there is a next page).
    const phones = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `+1415555${1000 + from + i}`);
    const first = await repository.listForCampaign(campaignId, null, 10);
    expect(first.items.map((item) => item.message.to)).toEqual(phones(0, 10));
    expect(first.hasNextPage).toBe(true);
    expect(await made()).toEqual(phones(0, 11));
    const second = await repository.listForCampaign(campaignId, MessageStatus.PENDING, 10, first.items[9].cursor);
    expect(second.items.map((item) => item.message.to)).toEqual(phones(10, 20));
    expect(await made()).toEqual(phones(0, 21));

    // A status no waiting recipient has makes nothing; a search by number makes that number's batch.
    expect((await repository.listForCampaign(campaignId, MessageStatus.FAILED, 10)).items).toEqual([]);
    const byNumber = await repository.listForCampaign(campaignId, null, 10, null, '+14155551200');
    expect(byNumber.items.map((item) => item.message.to)).toEqual(['+14155551200']);
    expect(await repository.countForCampaign(campaignId, null, '+14155551201')).toBe(1);
    expect(await made()).toEqual([...phones(0, 21), '+14155551200', '+14155551201']);
    expect(await repository.countForCampaign(campaignId)).toBe(250);
    let { stored, counted } = await counters(campaignId, 250 - 23);
    expect(stored).toEqual(counted);

    // A page that takes the last waiting recipients shows them all.
    const small = await listCampaign(3, 3);
    const whole = await repository.listForCampaign(small.campaignId, null, 10);
    expect(whole.items.map((item) => item.message.to)).toEqual(phones(0, 3));
    expect(whole.hasNextPage).toBe(false);

    // An export makes them all.
    await repository.makeAllListMessages(campaignId);
    expect(await hasUnmadeListMessages(prisma, campaignId)).toBe(false);
    expect(await repository.countForCampaign(campaignId)).toBe(250);
    ({ stored, counted } = await counters(campaignId, 0));
    expect(stored).toEqual(counted);
    expect(stored).toMatchObject({ total: 250, pending: 250 });
  });

  it('should wait for a batch another transaction holds, and make it once that one ends without making it', async () => {
    const { campaignId } = await listCampaign(6, 2);
    const [held] = await batches(campaignId);
    const holder = new Client({ connectionString: testDatabaseUrl(kind) });
    await holder.connect();
    try {
      // A claim in progress that holds the batch, then rolls back (it failed) without making its messages.
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM "Batch" WHERE id = $1::uuid FOR UPDATE`, [held.id]);
      const listed = new MessageRepository(prisma).makeAllListMessages(campaignId);
      if (kind === 'postgres') {
        // The other batches are made while the held one waits (read on another connection).
        await waitFor('the batches no one holds made', async () => (await messages(campaignId)).length === 4);
        expect(await hasUnmadeListMessages(prisma, campaignId)).toBe(true);
      } else {
        // PGlite serves one connection's transaction at a time: the read waits for this one to end.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await holder.query('ROLLBACK');
      await listed;
      expect(await messages(campaignId)).toHaveLength(6);
    } finally {
      await holder.end();
    }
    expect((await batches(campaignId)).every((b) => b.positions.length === 0)).toBe(true);
    const { stored, counted } = await counters(campaignId, 0);
    expect(stored).toEqual(counted);
  });

  it('should make, suppress and erase the message of a number erased before its batch was claimed', async () => {
    const { campaignId, listId } = await listCampaign(4, 2);
    await new ErasureRepository(prisma).erase(accountId, '+14155551003', 'h4', { reason: 'erased', source: 'API' });
    const rows = await messages(campaignId);
    expect(rows.map((m) => [m.sequence, m.to, m.status])).toEqual([
      [0, '+14155551002', 'PENDING'],
      [0, 'erased:h4', 'SUPPRESSED'],
    ]);
    const { rows: entries } = await sql.query<{ phone: string }>(
      `SELECT phone FROM "RecipientListEntry" WHERE "listId" = $1::uuid`,
      [listId],
    );
    expect(entries.map((e) => e.phone).sort()).toEqual(['+14155551000', '+14155551001', '+14155551002']);
    const { stored, counted } = await counters(campaignId, 2);
    expect(stored).toEqual(counted);
    expect(stored).toMatchObject({ total: 4, pending: 3, suppressed: 1 });
  });

  it('should keep a list while a campaign makes messages from it, and delete it once they are all made', async () => {
    const { campaignId, listId } = await listCampaign(3, 3);
    expect(await lists.delete([listId])).toEqual([]);
    const { rows: kept } = await sql.query<{ expired: boolean; entries: number }>(
      `SELECT "expiresAt" <= now() AS expired, (SELECT count(*)::int FROM "RecipientListEntry" WHERE "listId" = l.id) AS entries
       FROM "RecipientList" l WHERE id = $1::uuid`,
      [listId],
    );
    expect(kept).toEqual([{ expired: true, entries: 3 }]);
    const sweep = async () => lists.deleteExpired(new Date(Date.now() + 1_000), 10_000);
    await sweep();
    expect(await prisma.recipientList.count({ where: { id: listId } })).toBe(1);
    await new MessageRepository(prisma).makeAllListMessages(campaignId);
    await sweep();
    expect(await prisma.recipientList.count({ where: { id: listId } })).toBe(0);
    expect(await prisma.recipientListEntry.count({ where: { listId } })).toBe(0);
  });

  it('should refuse a list campaign whose list was deleted before it was stored', async () => {
    const listId = randomUUID();
    await expect(
      campaigns.createWithRecipients(
        { ...pausedCampaign(accountId), recipientListId: listId },
        {
          phones: ['+14155551000'],
          countries: ['US'],
          batchSequences: [0],
          batchSizes: [1],
          listPositions: [0],
        },
        new Date(),
      ),
    ).rejects.toThrow(`recipient list ${listId} expired`);
  });
});
