import Decimal from 'decimal.js';
import { Client } from 'pg';
import { isUniqueViolation } from '../../../src/common/errors/unique-violation';
import { CampaignStatus } from '../../../src/domain/campaign-status.enum';
import { Encoding } from '../../../src/domain/encoding.enum';
import { SubmissionErrorCode } from '../../../src/domain/message-error-code';
import {
  findCampaignRow,
  findCampaignRowByIdempotencyKey,
  insertCampaignRow,
  listCampaignRows,
  toCampaignColumns,
  updateCampaignTotals,
} from '../../../src/persistence/campaign-row';
import { CampaignRepository, NewCampaign, NewCampaignRecipients } from '../../../src/persistence/campaign.repository';
import { DispatchRepository } from '../../../src/persistence/dispatch.repository';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { pausedCampaign } from '../../factories/campaign.factory';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';

/** A field's type and value, comparable across Prisma's readers (a Decimal is compared by its text). */
function shown(value: unknown): string {
  if (value instanceof Date) {
    return `Date ${value.toISOString()}`;
  }
  if (typeof value === 'bigint') {
    return `bigint ${value}`;
  }
  if (value !== null && typeof value === 'object' && value.constructor.name === 'Decimal') {
    return `Decimal ${(value as { toFixed(): string }).toFixed()}`;
  }
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * createWithRecipients stores messages in statements of a given number of rows, each row naming its
 * batch by sequence: every message must land in its own batch (or none, suppressed) whichever
 * statement carries it.
 */
describe.each(TEST_DATABASES)('Campaign insert with recipients (%s)', (kind) => {
  let prisma: PrismaService;
  let sql: Client;
  let accountId: string;

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl(kind), 2);
    sql = new Client({ connectionString: testDatabaseUrl(kind) });
    await sql.connect();
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'campaign insert') RETURNING id`,
    );
    accountId = rows[0].id;
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await sql?.end();
  });

  async function insert(
    sequences: number[],
    rowsPerStatement: number,
    batches: Pick<NewCampaignRecipients, 'batchTexts' | 'batchPlacements'> = {},
  ) {
    const phones = sequences.map((_, i) => `+1415555${String(1000 + i)}`);
    const batchSizes: number[] = [];
    for (const sequence of sequences) {
      if (sequence >= 0) {
        batchSizes[sequence] = (batchSizes[sequence] ?? 0) + 1;
      }
    }
    const campaign = await new CampaignRepository(prisma).createWithRecipients(
      pausedCampaign(accountId),
      { phones, countries: phones.map(() => 'US'), batchSequences: sequences, batchSizes, ...batches },
      new Date('2100-01-01T00:00:00Z'),
      rowsPerStatement,
    );
    const { rows } = await sql.query<{ to: string; status: string; sequence: number | null }>(
      `SELECT m."to", m.status::text, b.sequence FROM "Message" m LEFT JOIN "Batch" b ON b.id = m."batchId"
       WHERE m."campaignId" = $1::uuid ORDER BY m.id`,
      [campaign.id],
    );
    return { campaign, rows, phones };
  }

  it("should read a campaign's row in raw SQL exactly as Prisma's model query reads it", async () => {
    const { campaign } = await insert([0, 1, -1], 2);
    // Every kind of column set: a budget, an idempotency key, a schedule, costs per country, a reason.
    await sql.query(
      `UPDATE "Campaign" SET "maxCost" = 12.5, "idempotencyKey" = 'raw-read', "scheduledAt" = now(),
         "estimatedCostByCountry" = '[{"country":"US","cost":"0.01"}]', "statusReason" = 'a reason'
       WHERE id = $1::uuid`,
      [campaign.id],
    );
    const model = await prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    const raw = await findCampaignRow(prisma, campaign.id);
    expect(Object.keys(raw!).sort()).toEqual(Object.keys(model).sort());
    for (const [field, value] of Object.entries(model)) {
      expect({ field, read: shown(raw![field as keyof typeof raw]) }).toEqual({ field, read: shown(value) });
    }
    expect(await findCampaignRow(prisma, campaign.id, accountId)).not.toBeNull();
    expect(await findCampaignRow(prisma, campaign.id, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  /** Every field of a row but those two inserts cannot share (id, key, timestamps), comparable. */
  function storedFields(row: object): Record<string, string> {
    const skipped = new Set(['id', 'idempotencyKey', 'createdAt', 'updatedAt']);
    return Object.fromEntries(
      Object.entries(row)
        .filter(([field]) => !skipped.has(field))
        .map(([field, value]) => [field, shown(value)]),
    );
  }

  /** The same campaign stored by the raw insert and by Prisma's model create; both rows read by Prisma. */
  async function storeBothWays(campaign: NewCampaign) {
    const key = (way: string) => (campaign.idempotencyKey ? `${campaign.idempotencyKey}-${way}` : null);
    const rawId = await insertCampaignRow(prisma, { ...campaign, idempotencyKey: key('raw') });
    const model = await prisma.campaign.create({
      data: toCampaignColumns({ ...campaign, idempotencyKey: key('model') }),
    });
    const raw = await prisma.campaign.findUniqueOrThrow({ where: { id: rawId } });
    return { raw, model };
  }

  const everyField = (): NewCampaign =>
    pausedCampaign(accountId, {
      name: 'every field',
      status: CampaignStatus.SCHEDULED,
      text: "Grüße 👋 'quoted' $1",
      encoding: Encoding.UCS2,
      segmentsPerMessage: 2,
      smartEncoding: true,
      idempotencyKey: `all-${Date.now()}`,
      estimatedCost: new Decimal('1.23456'),
      maxCost: new Decimal('99.5'),
      rejectedRecipients: [{ input: 'x', reason: 'INVALID_NUMBER' }],
      rejectedCount: 7,
      requestHash: 'a'.repeat(64),
      scheduledAt: new Date('2100-02-03T04:05:06.789Z'),
      estimatedCostByCountry: [{ country: 'US', recipients: 3, pricePerSegment: '0.00500', cost: '0.03000' }],
      priority: 9,
      sendWindow: { start: '09:00', end: '20:30', days: ['MON', 'TUE'] },
      assumedZoneRecipients: 4,
      recipientListId: '0f0e0d0c-0b0a-4908-8706-050403020100',
    });

  it("should insert a campaign's row in raw SQL exactly as Prisma's model create stores it, every field set", async () => {
    const { raw, model } = await storeBothWays(everyField());
    expect(storedFields(raw)).toEqual(storedFields(model));
    expect(raw.idempotencyKey).toMatch(/-raw$/);
  });

  it('should leave the same defaults as Prisma when only the required fields are given', async () => {
    const { raw, model } = await storeBothWays(pausedCampaign(accountId));
    expect(storedFields(raw)).toEqual(storedFields(model));
    expect({ priority: raw.priority, sendWindow: raw.sendWindow, idempotencyKey: raw.idempotencyKey }).toEqual({
      priority: 1,
      sendWindow: null,
      idempotencyKey: null,
    });
  });

  it("should set a streamed campaign's totals as Prisma's model update does", async () => {
    const totals = {
      estimatedCost: new Decimal('0.5'),
      estimatedCostByCountry: [{ country: 'GB', recipients: 1, pricePerSegment: '0.04000', cost: '0.04000' }],
      maxCost: null,
      rejectedCount: 2,
      assumedZoneRecipients: 1,
      encoding: Encoding.UCS2,
      segmentsPerMessage: 3,
      requestHash: 'b'.repeat(64),
    };
    const { raw, model } = await storeBothWays(everyField());
    await updateCampaignTotals(prisma, raw.id, totals);
    await prisma.campaign.update({
      where: { id: model.id },
      data: { ...totals, estimatedCost: totals.estimatedCost.toFixed(5), maxCost: null },
    });
    const [rawAfter, modelAfter] = await Promise.all(
      [raw.id, model.id].map((id) => prisma.campaign.findUniqueOrThrow({ where: { id } })),
    );
    expect(storedFields(rawAfter)).toEqual(storedFields(modelAfter));
    expect(rawAfter.updatedAt.getTime()).toBeGreaterThanOrEqual(raw.updatedAt.getTime());
  });

  it('should fail a second campaign with the same idempotency key as a unique violation', async () => {
    const campaign = pausedCampaign(accountId, { idempotencyKey: `twice-${Date.now()}` });
    await insertCampaignRow(prisma, campaign);
    const error: unknown = await insertCampaignRow(prisma, campaign).catch((failure: unknown) => failure);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it("should list an account's campaigns newest first, page after page, as Prisma's findMany does", async () => {
    const { rows: made } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'campaign list') RETURNING id`,
    );
    const owner = made[0].id;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push(await insertCampaignRow(prisma, pausedCampaign(owner, { name: `c${i}` })));
    }
    // Three share one instant: id breaks the tie.
    await sql.query(`UPDATE "Campaign" SET "createdAt" = '2026-01-01T00:00:00.123Z' WHERE id = ANY($1::uuid[])`, [
      ids.slice(2, 5),
    ]);
    const listedByModel: string[] = [];
    const listedRaw: string[] = [];
    let before: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const rows = await listCampaignRows(prisma, owner, 2, before);
      const model = await prisma.campaign.findMany({
        where: {
          accountId: owner,
          ...(before && {
            OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }],
          }),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 2,
      });
      expect(rows.map((row) => storedFields(row))).toEqual(model.map((row) => storedFields(row)));
      listedRaw.push(...rows.map((row) => row.id));
      listedByModel.push(...model.map((row) => row.id));
      if (rows.length < 2) {
        break;
      }
      before = { createdAt: rows[1].createdAt, id: rows[1].id };
    }
    expect(listedRaw).toEqual(listedByModel);
    expect([...listedRaw].sort()).toEqual([...ids].sort());
  });

  it('should find a campaign by its idempotency key in its own account only', async () => {
    const key = `found-${Date.now()}`;
    const id = await insertCampaignRow(prisma, pausedCampaign(accountId, { idempotencyKey: key }));
    expect((await findCampaignRowByIdempotencyKey(prisma, accountId, key))?.id).toBe(id);
    expect(await findCampaignRowByIdempotencyKey(prisma, accountId, `${key}-other`)).toBeNull();
    expect(await findCampaignRowByIdempotencyKey(prisma, '00000000-0000-4000-8000-000000000000', key)).toBeNull();
  });

  it('should put each message in its batch across statements, suppressed ones in none', async () => {
    const sequences = [0, 1, -1, 2, 0, 1, -1, 2, 2, 0];
    const { campaign, rows, phones } = await insert(sequences, 3);
    expect(rows.map((r) => r.to)).toEqual(phones); // input order
    expect(rows.map((r) => (r.sequence === null ? -1 : r.sequence))).toEqual(sequences);
    expect(rows.map((r) => r.status)).toEqual(sequences.map((s) => (s < 0 ? 'SUPPRESSED' : 'PENDING')));
    expect(campaign.total).toBe(10);
  });

  it('should take message ids from a sequence that hands them out one at a time (the id range relies on it)', async () => {
    // With a cache, each session would take ids from a block of its own, below ids another session already
    // handed out: a campaign's ids could then fall below the range's start, read from the sequence.
    const { rows } = await sql.query<{ cache: string }>(
      `SELECT cache_size::text AS cache FROM pg_sequences WHERE sequencename = 'Message_id_seq'`,
    );
    expect(rows).toEqual([{ cache: '1' }]);
  });

  it('should give every batch the id range its messages lie in, when two campaigns insert side by side', async () => {
    const { rows: before } = await sql.query<{ max: string | null }>(`SELECT max(id)::text AS max FROM "Message"`);
    // Statements of 2 rows, two campaigns at once: on PostgreSQL their ids interleave.
    const [a, b] = await Promise.all([insert([0, 1, 0, 1, -1, 0, 1, 0], 2), insert([0, 0, 1, 1, 2, 2, -1, 2], 2)]);
    for (const { campaign } of [a, b]) {
      const { rows } = await sql.query<{ sequence: number; from: string; to: string; outside: number }>(
        `SELECT b.sequence, b."messageIdFrom"::text AS from, b."messageIdTo"::text AS to,
           (SELECT count(*)::int FROM "Message" m WHERE m."batchId" = b.id
              AND NOT m.id BETWEEN b."messageIdFrom" AND b."messageIdTo") AS outside
         FROM "Batch" b WHERE b."campaignId" = $1::uuid ORDER BY b.sequence`,
        [campaign.id],
      );
      expect(rows.length).toBeGreaterThan(1);
      for (const row of rows) {
        expect(row.outside).toBe(0);
        expect(BigInt(row.from)).toBeGreaterThan(BigInt(before[0].max ?? '0'));
        expect(BigInt(row.to)).toBeGreaterThanOrEqual(BigInt(row.from));
      }
      const { rows: ids } = await sql.query<{ min: string; max: string }>(
        `SELECT min(id)::text AS min, max(id)::text AS max FROM "Message" WHERE "campaignId" = $1::uuid`,
        [campaign.id],
      );
      // The range is the campaign's: it ends at its last id, and starts at or below its first (another
      // campaign may take ids between the range's start being read and this campaign's first insert).
      for (const row of rows) {
        expect(row.to).toBe(ids[0].max);
        expect(BigInt(row.from)).toBeLessThanOrEqual(BigInt(ids[0].min));
      }
    }
  });

  it("should hand the dispatcher each batch's range, and its statements keep to the range they are given", async () => {
    const { campaign, phones } = await insert([0, 0, 1, 1], 10);
    // Due now, so that the dispatcher's own statement reads the batches (and their ranges).
    await sql.query(`UPDATE "Campaign" SET status = 'QUEUED' WHERE id = $1::uuid`, [campaign.id]);
    await sql.query(`UPDATE "Batch" SET "nextAttemptAt" = now() WHERE "campaignId" = $1::uuid`, [campaign.id]);
    const dispatch = new DispatchRepository(prisma);
    const batches = await dispatch.lockNextOfCampaign(new Date(), campaign.id, [], 10);
    expect(batches).toHaveLength(2);
    const { rows: ids } = await sql.query<{ min: string; max: string }>(
      `SELECT min(id)::text AS min, max(id)::text AS max FROM "Message" WHERE "campaignId" = $1::uuid`,
      [campaign.id],
    );
    for (const batch of batches) {
      // Read with the campaign's insert, before its messages: exact when no other campaign inserts meanwhile.
      expect(batch.messageIdFrom).toBe(BigInt(ids[0].min));
      expect(batch.messageIdTo).toBe(BigInt(ids[0].max));
    }
    const claimed = await dispatch.claimableRecipients(batches, accountId);
    expect([...claimed.values()].flatMap((c) => c.recipients).sort()).toEqual([...phones].sort());

    // A range that holds only the campaign's first message: the statement finds nothing outside it.
    const first = BigInt(ids[0].min);
    const narrowed = batches.map((b) => ({ id: b.id, messageIdFrom: first, messageIdTo: first }));
    const claimedNarrowed = await dispatch.claimableRecipients(narrowed, accountId);
    expect([...claimedNarrowed.values()].flatMap((c) => c.recipients)).toEqual([phones[0]]);
    // A batch without a range (stored before ranges were recorded) is looked for everywhere.
    const unranged = batches.map((b) => ({ id: b.id }));
    const claimedUnranged = await dispatch.claimableRecipients(unranged, accountId);
    expect([...claimedUnranged.values()].flatMap((c) => c.recipients)).toHaveLength(4);
    await sql.query(`UPDATE "Campaign" SET status = 'PAUSED' WHERE id = $1::uuid`, [campaign.id]);
  });

  it("should keep a batch's failure, cancellation and reconciliation statements to the range they are given", async () => {
    const { campaign, phones } = await insert([0, 0, 1, 1], 10);
    const dispatch = new DispatchRepository(prisma);
    const { rows: stored } = await sql.query<{ id: string; from: string; to: string }>(
      `SELECT id::text, "messageIdFrom"::text AS from, "messageIdTo"::text AS to FROM "Batch"
       WHERE "campaignId" = $1::uuid ORDER BY sequence`,
      [campaign.id],
    );
    const [first, second] = stored.map((b) => ({ id: b.id, messageIdFrom: BigInt(b.from), messageIdTo: BigInt(b.to) }));
    const { rows: messages } = await sql.query<{ id: string }>(
      `SELECT id::text FROM "Message" WHERE "campaignId" = $1::uuid ORDER BY id`,
      [campaign.id],
    );
    const onlyMessage = (batch: typeof first, index: number) => ({
      ...batch,
      messageIdFrom: BigInt(messages[index].id),
      messageIdTo: BigInt(messages[index].id),
    });
    const statuses = async () =>
      (
        await sql.query<{ status: string }>(
          `SELECT status::text FROM "Message" WHERE "campaignId" = $1::uuid ORDER BY id`,
          [campaign.id],
        )
      ).rows.map((r) => r.status);

    expect(await dispatch.pendingRecipients(first)).toEqual([phones[0], phones[1]]);
    expect(await dispatch.pendingRecipients(onlyMessage(first, 1))).toEqual([phones[1]]);
    expect(await dispatch.pendingRecipients({ id: first.id })).toEqual([phones[0], phones[1]]);

    await dispatch.cancelWaitingMessages(onlyMessage(first, 0));
    await dispatch.failWaitingMessages(onlyMessage(second, 2), SubmissionErrorCode.REFUSED);
    expect(await statuses()).toEqual(['CANCELLED', 'PENDING', 'FAILED', 'PENDING']);
    await dispatch.submitAllWaitingMessages(onlyMessage(second, 3));
    await dispatch.submitFoundMessages(onlyMessage(first, 0), [{ to: phones[1], messageUuid: 'not-in-range' }]);
    expect(await statuses()).toEqual(['CANCELLED', 'PENDING', 'FAILED', 'SUBMITTED']);
    // A UUID a message of another batch carries is that message's: skipped, not a failed settle (its key).
    await sql.query(`UPDATE "Message" SET "providerMessageId" = 'u-other' WHERE id = $1::bigint`, [messages[3].id]);
    await dispatch.submitFoundMessages(first, [{ to: phones[1], messageUuid: 'u-other' }]);
    expect(await statuses()).toEqual(['CANCELLED', 'PENDING', 'FAILED', 'SUBMITTED']);
    await dispatch.submitFoundMessages(first, [{ to: phones[1], messageUuid: 'u-1' }]);
    expect(await statuses()).toEqual(['CANCELLED', 'SUBMITTED', 'FAILED', 'SUBMITTED']);

    // Evidence: the message moved by the provider counts only within the range.
    expect(await dispatch.hasProviderEvidence(onlyMessage(first, 0))).toBe(false);
    expect(await dispatch.hasProviderEvidence(first)).toBe(true);
  });

  it("should write each batch whole in one statement: its size, text, placement and its messages' id range", async () => {
    const opensAt = new Date('2100-01-01T08:00:00.000Z');
    const { campaign } = await insert([0, 1, 1, -1, 2], 2, {
      // Texts may hold commas, quotes and braces: they travel as an array, each distinct one once (the third
      // batch's is the first's).
      batchTexts: ['Hi, "Ann" {1}', 'Hello\nBob', 'Hi, "Ann" {1}'],
      batchPlacements: [
        {
          country: 'US',
          window: { zone: 'America/New_York', rule: { startMinute: 540, endMinute: 1200, days: 31 }, opensAt },
        },
        { country: 'US', window: null },
        {
          country: 'GB',
          window: { zone: 'Europe/London', rule: { startMinute: 0, endMinute: 1440, days: 127 }, opensAt: null },
        },
      ],
    });
    const { rows } = await sql.query(
      `SELECT sequence, "recipientCount" AS size, text, country, "windowZone" AS zone, "windowStartMinute" AS start,
         "windowEndMinute" AS end, "windowDays" AS days, "windowOpensAt" AS opens,
         "messageIdFrom" IS NOT NULL AND "messageIdTo" >= "messageIdFrom" AS ranged
       FROM "Batch" WHERE "campaignId" = $1::uuid ORDER BY sequence`,
      [campaign.id],
    );
    expect(rows).toEqual([
      {
        sequence: 0,
        size: 1,
        text: 'Hi, "Ann" {1}',
        country: 'US',
        zone: 'America/New_York',
        start: 540,
        end: 1200,
        days: 31,
        opens: opensAt,
        ranged: true,
      },
      {
        sequence: 1,
        size: 2,
        text: 'Hello\nBob',
        country: 'US',
        zone: null,
        start: null,
        end: null,
        days: null,
        opens: null,
        ranged: true,
      },
      {
        sequence: 2,
        size: 1,
        text: 'Hi, "Ann" {1}',
        country: 'GB',
        zone: 'Europe/London',
        start: 0,
        end: 1440,
        days: 127,
        opens: null,
        ranged: true,
      },
    ]);
  });

  it('should leave text and placement empty when the batches send the campaign text at any time', async () => {
    const { campaign } = await insert([0, 0, 1], 2);
    const { rows } = await sql.query(
      `SELECT sequence, "recipientCount" AS size, text, country, "windowZone" AS zone, "windowOpensAt" AS opens
       FROM "Batch" WHERE "campaignId" = $1::uuid ORDER BY sequence`,
      [campaign.id],
    );
    expect(rows).toEqual([
      { sequence: 0, size: 2, text: null, country: null, zone: null, opens: null },
      { sequence: 1, size: 1, text: null, country: null, zone: null, opens: null },
    ]);
  });

  it('should store a campaign whose recipients are all suppressed: no batch, and no id range to record', async () => {
    const { campaign, rows } = await insert([-1, -1], 2);
    expect(rows.map((r) => [r.status, r.sequence])).toEqual([
      ['SUPPRESSED', null],
      ['SUPPRESSED', null],
    ]);
    const { rows: batches } = await sql.query(`SELECT count(*)::int AS n FROM "Batch" WHERE "campaignId" = $1::uuid`, [
      campaign.id,
    ]);
    expect(batches).toEqual([{ n: 0 }]);
  });

  it('should store a statement that holds only a suppressed recipient', async () => {
    const { rows } = await insert([0, 0, -1], 2);
    expect(rows.map((r) => [r.status, r.sequence])).toEqual([
      ['PENDING', 0],
      ['PENDING', 0],
      ['SUPPRESSED', null],
    ]);
  });

  it('should put each message of a streamed campaign in its batch when later slices use only later batches', async () => {
    // Slice 1 opens batches 0 and 1; slice 2 joins 1, opens 2 and 3 and has a suppressed recipient; slice 3
    // uses only batch 3: each statement is sent the ids of the batches its own rows join, not all of them.
    const slices = [
      [0, 0, 1],
      [1, 2, -1, 3],
      [3, 3],
    ];
    const batchIds = ['a', 'b', 'c', 'd'].map(() => crypto.randomUUID());
    let next = 0;
    const phoneOf = () => `+1415556${String(1000 + next++)}`;
    const campaign = await new CampaignRepository(prisma).createStreamed(
      pausedCampaign(accountId),
      new Date('2100-01-01T00:00:00Z'),
      async (messages) => {
        for (const sequences of slices) {
          const phones = sequences.map(phoneOf);
          const opened = Math.max(...sequences) + 1;
          await messages.add(
            { phones, countries: phones.map(() => 'US'), batchSequences: sequences },
            batchIds.slice(0, opened),
          );
        }
        return {
          batchIds,
          batchSizes: [2, 2, 1, 3],
          campaign: { estimatedCost: new Decimal(0), rejectedCount: 1 },
        };
      },
    );
    const { rows } = await sql.query<{ status: string; batchId: string | null; sequence: number | null }>(
      `SELECT m.status::text, m."batchId", b.sequence FROM "Message" m LEFT JOIN "Batch" b ON b.id = m."batchId"
       WHERE m."campaignId" = $1::uuid ORDER BY m.id`,
      [campaign.id],
    );
    const expected = slices.flat();
    expect(rows.map((r) => r.batchId)).toEqual(expected.map((s) => (s < 0 ? null : batchIds[s])));
    expect(rows.map((r) => (r.sequence === null ? -1 : r.sequence))).toEqual(expected);
    expect(rows.map((r) => r.status)).toEqual(expected.map((s) => (s < 0 ? 'SUPPRESSED' : 'PENDING')));
  });
});
