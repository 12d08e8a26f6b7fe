import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { toDeliveryReport } from '../../../src/delivery-reports/plivo-callback';
import { DeliveryReportRepository } from '../../../src/persistence/delivery-report.repository';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { freshDatabase } from '../../utils/fresh-database';
import { TEST_DATABASES } from '../../utils/test-databases';

/**
 * The webhook's hot statements (append, claim, apply) from two repositories, each with its own
 * connections, twice over: named and prepared once per connection; on PGlite, which serves every
 * connection from one session, each connection has names of its own (a shared name would collide:
 * "prepared statement ... already exists", and every report after it would fail).
 */
describe.each(TEST_DATABASES)('Delivery report statements from several connections (%s)', (kind) => {
  let database: { url: string; drop(): Promise<void> };
  let prisma: PrismaService;
  let repositories: DeliveryReportRepository[];

  beforeAll(async () => {
    database = await freshDatabase(kind);
    prisma = new PrismaService(database.url, 2);
    repositories = [
      new DeliveryReportRepository(prisma, database.url),
      new DeliveryReportRepository(prisma, database.url),
    ];
  });

  afterAll(async () => {
    await Promise.all((repositories ?? []).map((repository) => repository.beforeApplicationShutdown()));
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('should append, claim and apply through every connection, again and again', async () => {
    for (let round = 0; round < 2; round++) {
      for (const repository of repositories) {
        // A report for no known message: stored unapplied, then claimed and marked by an apply pass.
        const report = toDeliveryReport({ MessageUUID: randomUUID(), Status: 'delivered', Sequence: '3' }, undefined);
        const appended = await repository.appendMany([{ report, nonce: randomUUID(), apply: null }], 600_000, 'x');
        expect(appended).toMatchObject({ outcomes: ['stored'], unappliedReports: 1, appliedReports: 0 });

        const claimed = await repository.inApplyTransaction(async (tx) => {
          const reports = await tx.claimUnapplied(10, []);
          await tx.applyPlan(
            [],
            reports.map((r) => ({ id: r.id, messageUuid: r.messageUuid, force: true })),
            'x',
          );
          return reports.map((r) => r.messageUuid);
        });
        expect(claimed).toEqual([report.messageUuid]);
      }
    }
    await expect(repositories[0].countUnapplied()).resolves.toBe(0);
  });

  it('should leave none of its prepared statements behind once shut down', async () => {
    const closing = repositories.splice(0);
    await Promise.all(closing.map((repository) => repository.beforeApplicationShutdown()));
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'delivery-report-%'`,
      );
      // PGlite's one session outlives the pools (a test worker's PGlite serves many apps in turn);
      // on PostgreSQL a statement dies with its connection.
      expect(rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });
});
