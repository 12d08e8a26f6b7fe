import { Client } from 'pg';
import { brakeReason, BrakeThresholds } from '../../../src/brake/brake-rule';
import { OPT_OUT_ERROR_CODES } from '../../../src/brake/brake.service';
import { BrakeRepository } from '../../../src/persistence/brake.repository';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';

const THRESHOLDS: BrakeThresholds = {
  enabled: true,
  scope: 'country',
  windowReports: 200,
  minReports: 50,
  failureRate: 0.2,
  optOutRate: 0.02,
};

interface Row {
  status: 'SENT' | 'FAILED' | 'DELIVERED' | 'UNDELIVERED' | 'UNCONFIRMED';
  errorCode?: string;
  optedOut?: boolean;
}

/**
 * The brake's outcomes (BrakeRepository.recentOutcomes) judged by its rule (brake-rule.ts), on messages
 * written as a campaign leaves them: a message's send is reported within seconds (SENT or FAILED), its
 * receipt (DELIVERED or UNDELIVERED) seconds to hours later. Messages are in sending order (ids).
 */
describe.each(TEST_DATABASES)('the brake reads what went out and what arrived apart (%s)', (kind) => {
  let prisma: PrismaService;
  let sql: Client;
  let brakes: BrakeRepository;
  let accountId: string;

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl(kind), 2);
    brakes = new BrakeRepository(prisma);
    sql = new Client({ connectionString: testDatabaseUrl(kind) });
    await sql.connect();
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'brake outcomes') RETURNING id`,
    );
    accountId = rows[0].id;
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await sql?.end();
  });

  /** A sending campaign in `country` with a batch still waiting, and these messages in this order. */
  async function campaignWith(country: string, messages: Row[]): Promise<string> {
    const campaign = await sql.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
         "estimatedCostByCountry", "startedAt", "updatedAt")
       VALUES ($1, 'SENDING', 'Hello', '+14155550100', 'GSM7', 1, 0, '[]', now(), now())
       RETURNING id`,
      [accountId],
    );
    const campaignId = campaign.rows[0].id;
    await sql.query(`INSERT INTO "Batch" ("campaignId", sequence, "recipientCount", country) VALUES ($1, 0, 1, $2)`, [
      campaignId,
      country,
    ]);
    await sql.query(
      `INSERT INTO "Message" ("campaignId", "to", country, status, "errorCode", "optedOut")
       SELECT $1::uuid, '+' || (990000000 + n)::text, $2, m.status::"MessageStatus", m."errorCode", m."optedOut"
       FROM unnest($3::text[], $4::text[], $5::boolean[]) WITH ORDINALITY AS m(status, "errorCode", "optedOut", n)
       ORDER BY n`,
      [
        campaignId,
        country,
        messages.map((m) => m.status),
        messages.map((m) => m.errorCode ?? null),
        messages.map((m) => m.optedOut ?? false),
      ],
    );
    return campaignId;
  }

  async function outcomesOf(campaignId: string) {
    const [outcomes] = await brakes.recentOutcomes([campaignId], THRESHOLDS.windowReports, OPT_OUT_ERROR_CODES);
    return outcomes;
  }

  const times = (n: number, row: (i: number) => Row): Row[] => Array.from({ length: n }, (_, i) => row(i));

  it('should not trip on 1 % failures whose deliveries are still due (1,000 MPS, 5 s receipts)', async () => {
    // The first 5,000 have their receipts; the last 5,000 went out in the last 5 s, their receipts due.
    // One window over final reports held the 50 recent failures and 150 deliveries: 25 %, tripped.
    const onePercent = (i: number, sent: Row['status']): Row =>
      i % 100 === 0 ? { status: 'FAILED', errorCode: '300' } : { status: sent };
    const campaignId = await campaignWith('IN', [
      ...times(5_000, (i) => onePercent(i, 'DELIVERED')),
      ...times(5_000, (i) => onePercent(i, 'SENT')),
    ]);
    const outcomes = await outcomesOf(campaignId);
    expect(outcomes).toMatchObject({
      sent: { count: 200, failures: 2, optOuts: 0 },
      receipts: { count: 200, failures: 0, optOuts: 0 },
      topErrorCodes: [{ code: '300', count: 2 }],
    });
    expect(brakeReason(outcomes, THRESHOLDS)).toBeNull();
  });

  it('should combine the failures at send with the undelivered receipts of what went out', async () => {
    // Receipts: every fifth undelivered (20 %); since then every tenth failed at send (10 %): 28 %.
    const campaignId = await campaignWith('DE', [
      ...times(300, (i) => (i % 5 === 0 ? { status: 'UNDELIVERED', errorCode: '70' } : { status: 'DELIVERED' })),
      ...times(300, (i) => (i % 10 === 0 ? { status: 'FAILED', errorCode: '300' } : { status: 'SENT' })),
    ]);
    expect(brakeReason(await outcomesOf(campaignId), THRESHOLDS)).toBe(
      'brake: DE: 28 % failed or undelivered (threshold 20 %): 10 % of the last 200 sent failed, ' +
        '20 % of the last 200 receipts undelivered, top error codes 70 ×40, 300 ×20',
    );
  });

  it('should let the sends decide alone where no receipt comes, and until enough receipts came', async () => {
    const sentOrUnconfirmed = (i: number): Row => ({ status: i % 2 === 0 ? 'SENT' : 'UNCONFIRMED' });
    const tenPercent = await campaignWith(
      'CA',
      times(600, (i) => (i % 10 === 0 ? { status: 'FAILED', errorCode: '300' } : sentOrUnconfirmed(i))),
    );
    expect(brakeReason(await outcomesOf(tenPercent), THRESHOLDS)).toBeNull();

    const thirtyPercent = await campaignWith(
      'CA',
      times(600, (i) => (i % 10 < 3 ? { status: 'FAILED', errorCode: '300' } : sentOrUnconfirmed(i))),
    );
    expect(brakeReason(await outcomesOf(thirtyPercent), THRESHOLDS)).toBe(
      'brake: CA: 30 % failed or undelivered (threshold 20 %): 30 % of the last 200 sent failed, ' +
        'receipts not counted yet (0 of 50), top error codes 300 ×60',
    );

    // 49 receipts, all undelivered: not yet a sample; the 50th makes it one.
    const fewReceipts = times(49, () => ({ status: 'UNDELIVERED', errorCode: '70' }));
    const early = await campaignWith('FR', [...fewReceipts, ...times(151, () => ({ status: 'SENT' }))]);
    expect(brakeReason(await outcomesOf(early), THRESHOLDS)).toBeNull();
    const enough = await campaignWith('FR', [...fewReceipts, { status: 'UNDELIVERED', errorCode: '70' }]);
    expect(brakeReason(await outcomesOf(enough), THRESHOLDS)).toMatch(/^brake: FR: 100 % failed or undelivered/);
  });

  it('should count each opt-out once: error 200 at send or in a receipt, or a STOP reply', async () => {
    const campaignId = await campaignWith('US', [
      ...times(94, () => ({ status: 'DELIVERED' })),
      { status: 'FAILED', errorCode: '200' },
      { status: 'FAILED', errorCode: '200' },
      { status: 'DELIVERED', optedOut: true },
      { status: 'UNDELIVERED', errorCode: '200' },
      { status: 'UNDELIVERED', errorCode: '200' },
      { status: 'UNDELIVERED', errorCode: '200', optedOut: true },
    ]);
    const outcomes = await outcomesOf(campaignId);
    expect(outcomes).toMatchObject({
      sent: { count: 100, failures: 2, optOuts: 4 },
      receipts: { count: 98, failures: 3, optOuts: 2 },
      topErrorCodes: [{ code: '200', count: 5 }],
    });
    expect(brakeReason(outcomes, THRESHOLDS)).toBe(
      'brake: US: 6.0 % opted out (threshold 2.0 %): 4.0 % of the last 100 sent opted out, ' +
        '2.0 % of the last 98 receipts opted out',
    );
  });
});
