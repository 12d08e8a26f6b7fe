import Decimal from 'decimal.js';
import { Client } from 'pg';
import { overBudgetReason } from '../../../src/messaging/budget-rule';
import { DispatchRepository } from '../../../src/persistence/dispatch.repository';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';

/**
 * The budget rule's view of a campaign's uncosted messages (DispatchRepository.uncostedMix): the
 * countries of its batches not yet sent, of the batches accepted last, and each country's estimate.
 */
describe.each(TEST_DATABASES)('uncosted messages by country, for the budget (%s)', (kind) => {
  let prisma: PrismaService;
  let sql: Client;
  let dispatch: DispatchRepository;
  let accountId: string;

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl(kind), 2);
    dispatch = new DispatchRepository(prisma);
    sql = new Client({ connectionString: testDatabaseUrl(kind) });
    await sql.connect();
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'uncosted mix') RETURNING id`,
    );
    accountId = rows[0].id;
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await sql?.end();
  });

  it('should name the countries of the waiting batches and of the last accepted ones, with their prices', async () => {
    // The outside probe's campaign: 40 German numbers (0.087 each), 300 Indian ones (0.0033), 4.47.
    const estimate = [
      { country: 'DE', recipients: 40, pricePerSegment: '0.08700', cost: '3.48000' },
      { country: 'IN', recipients: 300, pricePerSegment: '0.00330', cost: '0.99000' },
    ];
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
         "estimatedCostByCountry", "maxCost", "startedAt", "updatedAt")
       VALUES ($1, 'SENDING', 'Hello', '+14155550100', 'GSM7', 1, 4.47, $2::jsonb, 4.5, now(), now()) RETURNING id`,
      [accountId, JSON.stringify(estimate)],
    );
    const campaignId = rows[0].id;
    const batch = (sequence: number, country: string, recipients: number, state: string, acceptedSecondsAgo?: number) =>
      sql.query(
        `INSERT INTO "Batch" ("campaignId", sequence, "recipientCount", country, state, "acceptedAt")
         VALUES ($1, $2, $3, $4, $5::"BatchState", now() - $6 * interval '1 second')`,
        [campaignId, sequence, recipients, country, state, acceptedSecondsAgo ?? null],
      );
    // Germany went first (accepted long ago, then 10 more); India waits in two batches, one being submitted.
    await batch(0, 'DE', 30, 'ACCEPTED', 60);
    await batch(1, 'DE', 10, 'ACCEPTED', 5);
    await batch(2, 'IN', 200, 'PENDING');
    await batch(3, 'IN', 100, 'SUBMITTING');
    await batch(4, 'IN', 1, 'CANCELLED');

    // 10 messages in flight: the last accepted batch holds them (the older one is costed).
    const mix = await dispatch.uncostedMix(campaignId, 10);
    expect(mix).toEqual({
      waitingBatches: [{ country: 'IN', recipients: 300 }],
      inFlightBatches: [{ country: 'DE', recipients: 10 }],
      pricePerMessage: new Map([
        ['DE', new Decimal('0.087')],
        ['IN', new Decimal('0.0033')],
      ]),
    });
    // 11 in flight reach into the older batch too.
    expect((await dispatch.uncostedMix(campaignId, 11)).inFlightBatches).toEqual([{ country: 'DE', recipients: 40 }]);

    // 30 German reports in at 0.087 (2.61): 2.61 + 10 x 0.087 + 300 x 0.0033 = 4.47, within 4.5.
    const spend = {
      maxCost: new Decimal('4.5'),
      estimatedCost: new Decimal('4.47'),
      actualCost: new Decimal('2.61'),
      total: 340,
      suppressed: 0,
      uncosted: 310,
      waiting: 300,
    };
    expect(overBudgetReason(spend, mix)).toBeNull();
    expect(overBudgetReason({ ...spend, maxCost: new Decimal('4.46') }, mix)).toMatch(
      /^budget: projected cost 4\.47000 /,
    );
  });
});
