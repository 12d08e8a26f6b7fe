import { randomUUID } from 'node:crypto';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { RecipientListRepository } from '../../../src/persistence/recipient-list.repository';
import { TEST_DATABASES, testDatabaseUrl } from '../../utils/test-databases';

/** findReady is raw SQL (every quote and sendBulk of a list reads it): it must read what Prisma's model reads. */
describe.each(TEST_DATABASES)('RecipientListRepository.findReady (%s)', (kind) => {
  let prisma: PrismaService;
  let lists: RecipientListRepository;
  let accountId: string;

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl(kind), 2);
    lists = new RecipientListRepository(prisma);
    accountId = (await prisma.account.create({ data: { name: 'recipient list find' } })).id;
  });

  afterAll(async () => {
    // Other files on this worker share the database, and some count unfinished lists.
    await prisma?.recipientList.deleteMany({ where: { accountId } });
    await prisma?.$disconnect();
  });

  async function readyList(expiresAt: Date): Promise<string> {
    const id = randomUUID();
    await lists.create({ id, accountId, format: 'csv', phoneColumn: 'phone', fields: ['name', 'code'], expiresAt });
    await lists.markReady(id, {
      rowCount: 5,
      validCount: 3,
      duplicateCount: 1,
      rejectedCount: 1,
      rejectedRows: [{ row: 4, column: 'phone', input: 'x', reason: 'invalid number' }],
      countries: { US: 2, GB: 1 },
    });
    return id;
  }

  it("should read a ready list exactly as Prisma's model query reads it", async () => {
    const id = await readyList(new Date(Date.now() + 3_600_000));
    const raw = await lists.findReady(accountId, id, new Date());
    const model = await prisma.recipientList.findFirstOrThrow({ where: { id } });
    expect(raw).toEqual(model);
    expect(raw).toMatchObject({ state: 'READY', fields: ['name', 'code'], countries: { US: 2, GB: 1 } });
  });

  it("should not find another account's, an expired or an unfinished list", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const id = await readyList(expiresAt);
    expect(await lists.findReady(randomUUID(), id, new Date())).toBeNull();
    expect(await lists.findReady(accountId, id, expiresAt)).toBeNull();
    const uploading = randomUUID();
    await lists.create({ id: uploading, accountId, format: 'csv', phoneColumn: 'phone', fields: [], expiresAt });
    expect(await lists.findReady(accountId, uploading, new Date())).toBeNull();
    expect(await lists.findReady(accountId, 'not-a-uuid', new Date())).toBeNull();
  });
});
