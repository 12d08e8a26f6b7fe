import { Client } from 'pg';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { ERASED_PREFIX, SuppressionRepository } from '../../../src/persistence/suppression.repository';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';

/**
 * findSuppressed reads an account's list whole when it is much shorter than the numbers asked about, and
 * looks the numbers up otherwise: both ways must find the same numbers, erased (hashed) ones included.
 */
describe.each(TEST_DATABASES)('Suppression lookup (%s)', (kind) => {
  let prisma: PrismaService;
  let sql: Client;
  let suppressions: SuppressionRepository;
  const hashOf = (phone: string): string => `h(${phone})`;

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl(kind), 2);
    sql = new Client({ connectionString: testDatabaseUrl(kind) });
    await sql.connect();
    suppressions = new SuppressionRepository(prisma);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await sql?.end();
  });

  async function account(): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'suppression lookup') RETURNING id`,
    );
    return rows[0].id;
  }

  const numbers = (count: number): string[] => Array.from({ length: count }, (_, i) => `+1415555${1000 + i}`);

  it('finds nothing for an account with an empty list, however many numbers', async () => {
    const accountId = await account();
    expect(await suppressions.findSuppressed(accountId, numbers(2_000), hashOf)).toEqual(new Set());
    expect(await suppressions.findSuppressed(accountId, numbers(1), hashOf)).toEqual(new Set());
    expect(await suppressions.findSuppressed(accountId, [], hashOf)).toEqual(new Set());
  });

  it('finds the same numbers, erased ones by their hash, whether the list is read whole or looked up', async () => {
    const accountId = await account();
    const other = await account();
    await suppressions.addMany([
      { accountId, phone: '+14155551003', reason: 'STOP' },
      { accountId, phone: '+14155551007', reason: 'STOP' },
      { accountId, phone: `${ERASED_PREFIX}${hashOf('+14155551005')}`, reason: 'erased' },
      // Another account's entries are never found.
      { accountId: other, phone: '+14155551001', reason: 'STOP' },
    ]);
    const expected = new Set(['+14155551003', '+14155551005', '+14155551007']);
    // 3 entries: read whole for 100 numbers (a tenth is 10), looked up for 20 (a tenth is 2).
    expect(await suppressions.findSuppressed(accountId, numbers(100), hashOf)).toEqual(expected);
    expect(await suppressions.findSuppressed(accountId, numbers(20), hashOf)).toEqual(expected);
    // Without a hasher, erased entries cannot be matched, either way.
    const plainOnly = new Set(['+14155551003', '+14155551007']);
    expect(await suppressions.findSuppressed(accountId, numbers(100))).toEqual(plainOnly);
    expect(await suppressions.findSuppressed(accountId, numbers(20))).toEqual(plainOnly);
    // Numbers not on the list, either way.
    const elsewhere = Array.from({ length: 100 }, (_, i) => `+1212555${1000 + i}`);
    expect(await suppressions.findSuppressed(accountId, elsewhere, hashOf)).toEqual(new Set());
    expect(await suppressions.findSuppressed(accountId, elsewhere.slice(0, 20), hashOf)).toEqual(new Set());
  });
});
