import { Client } from 'pg';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { SuppressionRepository } from '../../../src/persistence/suppression.repository';
import { besideLockHolder } from '../../utils/beside-lock-holder';
import { testDatabaseUrl } from '../../utils/test-databases';

const INSERT_ENTRY = `INSERT INTO "Suppression" ("accountId", phone, reason, source) VALUES ($1::uuid, $2, 'held', 'API')
  ON CONFLICT DO NOTHING`;
const DELETE_ENTRY = `DELETE FROM "Suppression" WHERE "accountId" = $1::uuid AND phone = $2`;

/**
 * The opt-out list is written by several transactions at once: the API's additions and removals (a CSV
 * import of thousands of numbers), the inbound STOP/START processor of each instance, and the carrier
 * opt-outs in report application, which inserts in ("accountId", phone) order. An insert that meets a
 * number another transaction has just inserted waits for that transaction, as a delete waits for a row
 * another holds; a writer taking shared numbers in another order could hold one the other waits for,
 * and PostgreSQL would fail one of them with "deadlock detected". PostgreSQL only: PGlite has one backend.
 */
describe('writes to the opt-out list take its entries in ("accountId", phone) order (postgres)', () => {
  let prisma: PrismaService;
  let sql: Client;
  let suppressions: SuppressionRepository;
  let accountId: string;

  beforeAll(async () => {
    // No lock_timeout: a statement locking out of order is failed by PostgreSQL's deadlock check.
    prisma = new PrismaService(testDatabaseUrl('postgres'), 2);
    suppressions = new SuppressionRepository(prisma);
    sql = new Client({ connectionString: testDatabaseUrl('postgres') });
    await sql.connect();
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'suppression lock order') RETURNING id`,
    );
    accountId = rows[0].id;
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await sql?.end();
  });

  /** 200 numbers in ascending order, none on the list yet. */
  function numbers(prefix: string): string[] {
    return Array.from({ length: 200 }, (_, i) => `+44770${prefix}${String(i).padStart(4, '0')}`);
  }

  async function listed(phones: string[]): Promise<string[]> {
    const { rows } = await sql.query<{ phone: string }>(
      `SELECT phone FROM "Suppression" WHERE "accountId" = $1::uuid AND phone = ANY($2::text[]) ORDER BY phone`,
      [accountId, phones],
    );
    return rows.map((r) => r.phone);
  }

  it('should add numbers given in any order without deadlocking with another writer adding the same numbers', async () => {
    const phones = numbers('1');
    const [first, last] = [phones[0], phones[phones.length - 1]];

    let added: Array<{ phone: string }> = [];
    await besideLockHolder(
      testDatabaseUrl('postgres'),
      {
        holdFirst: { text: INSERT_ENTRY, values: [accountId, first] },
        takeNext: { text: INSERT_ENTRY, values: [accountId, last] },
      },
      async () => {
        // A CSV's order, not the list's: the last number first.
        added = await suppressions.addMany([...phones].reverse().map((phone) => ({ accountId, phone, reason: 'csv' })));
      },
    );

    // The other writer's two numbers were there first; the rest are this call's.
    expect(added.map((a) => a.phone).sort()).toEqual(phones.slice(1, -1));
    expect(await listed(phones)).toEqual(phones);
  });

  it('should lift numbers given in any order without deadlocking with another writer lifting the same numbers', async () => {
    const phones = numbers('2');
    // Added one by one over time, the last number first: the entries lie in the table in another order
    // than their key's, and a statement that reads the list in the table's order meets the last one first.
    for (const phone of [...phones].reverse()) {
      await sql.query(INSERT_ENTRY, [accountId, phone]);
    }
    const [first, last] = [phones[0], phones[phones.length - 1]];

    let removed: Array<{ phone: string }> = [];
    await besideLockHolder(
      testDatabaseUrl('postgres'),
      {
        holdFirst: { text: DELETE_ENTRY, values: [accountId, first] },
        takeNext: { text: DELETE_ENTRY, values: [accountId, last] },
      },
      async () => {
        removed = await suppressions.removeMany([...phones].reverse().map((phone) => ({ accountId, phone })));
      },
    );

    expect(removed.map((r) => r.phone).sort()).toEqual(phones.slice(1, -1));
    expect(await listed(phones)).toEqual([]);
  });
});
