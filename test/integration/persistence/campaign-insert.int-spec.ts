import Decimal from 'decimal.js';
import { Client } from 'pg';
import { CampaignStatus } from '../../../src/domain/campaign-status.enum';
import { Encoding } from '../../../src/domain/encoding.enum';
import { CampaignRepository } from '../../../src/persistence/campaign.repository';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';

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

  async function insert(sequences: number[], rowsPerStatement: number) {
    const phones = sequences.map((_, i) => `+1415555${String(1000 + i)}`);
    const batchSizes: number[] = [];
    for (const sequence of sequences) {
      if (sequence >= 0) {
        batchSizes[sequence] = (batchSizes[sequence] ?? 0) + 1;
      }
    }
    const campaign = await new CampaignRepository(prisma).createWithRecipients(
      {
        accountId,
        status: CampaignStatus.PAUSED,
        text: 'Hello',
        senderId: '+14155550100',
        encoding: Encoding.GSM7,
        segmentsPerMessage: 1,
        estimatedCost: new Decimal(0),
      },
      { phones, countries: phones.map(() => 'US'), batchSequences: sequences, batchSizes },
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

  it('should put each message in its batch across statements, suppressed ones in none', async () => {
    const sequences = [0, 1, -1, 2, 0, 1, -1, 2, 2, 0];
    const { campaign, rows, phones } = await insert(sequences, 3);
    expect(rows.map((r) => r.to)).toEqual(phones); // input order
    expect(rows.map((r) => (r.sequence === null ? -1 : r.sequence))).toEqual(sequences);
    expect(rows.map((r) => r.status)).toEqual(sequences.map((s) => (s < 0 ? 'SUPPRESSED' : 'PENDING')));
    expect(campaign.total).toBe(10);
  });

  it('should store a statement that holds only a suppressed recipient', async () => {
    const { rows } = await insert([0, 0, -1], 2);
    expect(rows.map((r) => [r.status, r.sequence])).toEqual([
      ['PENDING', 0],
      ['PENDING', 0],
      ['SUPPRESSED', null],
    ]);
  });
});
