import { Client } from 'pg';
import { MessageExportService } from '../../../src/export/message-export.service';
import { MessageExportRepository } from '../../../src/persistence/message-export.repository';
import { MessageRepository } from '../../../src/persistence/message.repository';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { TestDatabaseKind, testDatabaseUrl } from '../../utils/test-databases';

export interface CampaignOptions {
  encoding?: 'GSM7' | 'UCS2';
  segmentsPerMessage?: number;
  /** The quote's price per segment by country (the export's estimated cost). */
  pricesPerSegment?: Record<string, string>;
  currency?: string;
  recipientListId?: string;
}

/** The export service on one test database, a plain client to write its rows, and an account. */
export interface ExportTestContext {
  sql: Client;
  exports: MessageExportService;
  accountId: string;
  /** A COMPLETED campaign of the account, with no messages yet; returns its id. */
  completedCampaign(options?: CampaignOptions): Promise<string>;
  close(): Promise<void>;
}

export async function openExportTestContext(kind: TestDatabaseKind, accountName: string): Promise<ExportTestContext> {
  const sql = new Client({ connectionString: testDatabaseUrl(kind) });
  await sql.connect();
  const repository = new MessageExportRepository(testDatabaseUrl(kind));
  const prisma = new PrismaService(testDatabaseUrl(kind), 1);
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), $1) RETURNING id`,
    [accountName],
  );
  const accountId = rows[0].id;
  return {
    sql,
    exports: new MessageExportService(repository, new MessageRepository(prisma)),
    accountId,
    async completedCampaign(options: CampaignOptions = {}): Promise<string> {
      const prices = Object.entries(options.pricesPerSegment ?? { GB: '0.04' }).map(([country, pricePerSegment]) => ({
        country,
        recipients: 0,
        pricePerSegment,
        cost: '0',
      }));
      const { rows: created } = await sql.query<{ id: string }>(
        `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
           "estimatedCostByCountry", currency, "recipientListId", "updatedAt")
         VALUES ($1, 'COMPLETED', 'Hello', '+14155550100', $2::"Encoding", $3, 0, $4::jsonb, $5, $6::uuid, now())
         RETURNING id`,
        [
          accountId,
          options.encoding ?? 'GSM7',
          options.segmentsPerMessage ?? 1,
          JSON.stringify(prices),
          options.currency ?? 'USD',
          options.recipientListId ?? null,
        ],
      );
      return created[0].id;
    },
    async close() {
      await repository.beforeApplicationShutdown();
      await prisma.$disconnect();
      await sql.end();
    },
  };
}
