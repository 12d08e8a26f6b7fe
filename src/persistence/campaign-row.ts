import { Prisma } from '../generated/prisma/client';
import type { Campaign as CampaignRow } from '../generated/prisma/client';
import type { NewCampaign, StreamedCampaignEnd } from './campaign.repository';
import type { Db } from './db';

/*
 * A campaign's row in raw SQL. Prisma 6.19 compiles every model query again, on the event loop: a
 * Campaign read took 2.2–2.4 ms of CPU that way against 0.6–0.75 ms raw, and every sendBulk creates one
 * campaign and reads it back. The campaign-insert integration test holds these statements to what
 * Prisma's model queries store and read, field by field.
 */

/** The columns a new campaign sets, as stored (the others take their defaults). */
export type CampaignColumns = ReturnType<typeof toCampaignColumns>;

/** The totals a streamed campaign knows only at its end (see createStreamed). */
export type CampaignTotals = Omit<StreamedCampaignEnd['campaign'], 'rejectedRecipients'>;

// Each column's SQL type: parameters arrive as text, JSON as its text.
const COLUMN_TYPES = {
  accountId: 'uuid',
  name: 'text',
  status: '"CampaignStatus"',
  text: 'text',
  senderId: 'text',
  encoding: '"Encoding"',
  segmentsPerMessage: 'int',
  idempotencyKey: 'text',
  estimatedCost: 'numeric',
  maxCost: 'numeric',
  rejectedCount: 'int',
  requestHash: 'text',
  scheduledAt: 'timestamptz',
  smartEncoding: 'boolean',
  estimatedCostByCountry: 'jsonb',
  priority: 'int',
  sendWindow: 'jsonb',
  assumedZoneRecipients: 'int',
  recipientListId: 'uuid',
} as const satisfies Record<keyof CampaignColumns, string>;

type Column = keyof typeof COLUMN_TYPES;

export function toCampaignColumns({ rejectedRecipients, ...campaign }: NewCampaign) {
  return {
    ...campaign,
    estimatedCost: campaign.estimatedCost.toFixed(5),
    maxCost: campaign.maxCost?.toFixed(5) ?? null,
    rejectedCount: campaign.rejectedCount ?? rejectedRecipients?.length ?? 0,
    estimatedCostByCountry: campaign.estimatedCostByCountry ?? [],
  };
}

/**
 * Inserts a campaign's row; returns its id. A duplicate idempotency key fails as a unique violation
 * (isUniqueViolation).
 */
export async function insertCampaignRow(db: Db, campaign: NewCampaign): Promise<string> {
  const [row] = await db.$queryRaw<Array<{ id: string }>>`${insertSql(campaign)} RETURNING id`;
  return row.id;
}

/**
 * insertCampaignRow, returning also the id the next message will get (or a larger one's lower bound: the
 * sequence only grows), read in the same statement: a round trip fewer for a campaign whose messages follow.
 */
export async function insertCampaignRowBeforeMessages(
  db: Db,
  campaign: NewCampaign,
): Promise<{ id: string; nextMessageId: bigint }> {
  const [row] = await db.$queryRaw<Array<{ id: string; nextMessageId: bigint }>>`${insertSql(campaign)}
    RETURNING id, (SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::bigint
                   FROM "Message_id_seq") AS "nextMessageId"`;
  return row;
}

function insertSql(campaign: NewCampaign): Prisma.Sql {
  const columns = setColumns(toCampaignColumns(campaign));
  return Prisma.sql`
    INSERT INTO "Campaign" (${Prisma.join(columns.map(({ name }) => Prisma.raw(`"${name}"`)))})
    VALUES (${Prisma.join(columns.map(({ value }) => value))})`;
}

/** Sets the totals a streamed campaign knows once every recipient is stored. */
export async function updateCampaignTotals(db: Db, id: string, totals: CampaignTotals): Promise<void> {
  const columns = setColumns({
    ...totals,
    estimatedCost: totals.estimatedCost.toFixed(5),
    maxCost: totals.maxCost?.toFixed(5) ?? null,
  });
  await db.$executeRaw`
    UPDATE "Campaign"
    SET ${Prisma.join(columns.map(({ name, value }) => Prisma.sql`${Prisma.raw(`"${name}"`)} = ${value}`))},
      "updatedAt" = now()
    WHERE id = ${id}::uuid`;
}

/**
 * A campaign's row as Prisma's model reads it: `SELECT *` gives the same fields with the same types. With
 * `accountId`, another account's campaign is not found.
 */
export async function findCampaignRow(db: Db, id: string, accountId?: string): Promise<CampaignRow | null> {
  const [row] = await db.$queryRaw<CampaignRow[]>`
    SELECT * FROM "Campaign" WHERE id = ${id}::uuid
    ${accountId === undefined ? Prisma.empty : Prisma.sql`AND "accountId" = ${accountId}::uuid`}`;
  return row ?? null;
}

/** An account's campaigns, newest first (createdAt, then id), those before `before` when given. */
export function listCampaignRows(
  db: Db,
  accountId: string,
  limit: number,
  before?: { createdAt: Date; id: string },
): Promise<CampaignRow[]> {
  return db.$queryRaw<CampaignRow[]>`
    SELECT * FROM "Campaign" WHERE "accountId" = ${accountId}::uuid
    ${before ? Prisma.sql`AND ("createdAt", id) < (${before.createdAt}::timestamptz, ${before.id}::uuid)` : Prisma.empty}
    ORDER BY "createdAt" DESC, id DESC
    LIMIT ${limit}`;
}

/** The account's campaign stored under this idempotency key. */
export async function findCampaignRowByIdempotencyKey(
  db: Db,
  accountId: string,
  idempotencyKey: string,
): Promise<CampaignRow | null> {
  const [row] = await db.$queryRaw<CampaignRow[]>`
    SELECT * FROM "Campaign" WHERE "accountId" = ${accountId}::uuid AND "idempotencyKey" = ${idempotencyKey}`;
  return row ?? null;
}

export async function getCampaignRow(db: Db, id: string): Promise<CampaignRow> {
  const row = await findCampaignRow(db, id);
  if (!row) {
    throw new Error(`campaign ${id} not found in its own transaction`);
  }
  return row;
}

/** The columns given a value (undefined ones keep their default), each as a typed parameter. */
function setColumns(values: Partial<Record<Column, unknown>>): Array<{ name: Column; value: Prisma.Sql }> {
  return (Object.keys(COLUMN_TYPES) as Column[])
    .filter((name) => values[name] !== undefined)
    .map((name) => {
      const type = COLUMN_TYPES[name];
      const value = values[name];
      const parameter = type === 'jsonb' && value !== null ? JSON.stringify(value) : value;
      return { name, value: Prisma.sql`${parameter}::${Prisma.raw(type)}` };
    });
}
