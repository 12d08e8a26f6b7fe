import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { Db, InjectDb, inTransaction } from './db';
import { isUuid } from './campaign.repository';

export interface RecipientListRejectedRow {
  /** Line in the upload (CSV: the header is row 1; NDJSON: the first line is row 1). */
  row: number;
  /** The column the problem is in, or null for the whole row. */
  column: string | null;
  input: string;
  reason: string;
}

export interface RecipientListRecord {
  id: string;
  accountId: string;
  state: 'UPLOADING' | 'READY';
  format: string;
  phoneColumn: string;
  fields: string[];
  rowCount: number;
  validCount: number;
  duplicateCount: number;
  rejectedCount: number;
  rejectedRows: RecipientListRejectedRow[];
  countries: Record<string, number>;
  createdAt: Date;
  expiresAt: Date;
}

export interface RecipientListEntry {
  position: number;
  row: number;
  phone: string;
  country: string;
  values: string[];
}

/** A page of entries without their field values, column by column, in list order. */
export interface RecipientListEntryColumns {
  phones: string[];
  countries: string[];
  /** The entries' row numbers, comma-joined: read only when an entry is rejected. */
  rows: string;
  /** Their positions, comma-joined: read only when the page has gaps (an erased entry). */
  positions: string;
}

/**
 * Recipient lists and their entries. Entries are read in bulk, never one by one, and written by
 * RecipientListEntryRepository.
 */
@Injectable()
export class RecipientListRepository {
  constructor(@InjectDb() private readonly db: Db) {}

  async create(list: {
    id: string;
    accountId: string;
    format: string;
    phoneColumn: string;
    fields: string[];
    expiresAt: Date;
  }): Promise<void> {
    await this.db.recipientList.create({ data: { ...list, state: 'UPLOADING' } });
  }

  /** The upload is complete: the list becomes READY with its counts. */
  async markReady(
    id: string,
    summary: Pick<
      RecipientListRecord,
      'rowCount' | 'validCount' | 'duplicateCount' | 'rejectedCount' | 'rejectedRows' | 'countries'
    >,
  ): Promise<void> {
    await this.db.recipientList.update({
      where: { id },
      data: { ...summary, rejectedRows: summary.rejectedRows as unknown as Prisma.InputJsonArray, state: 'READY' },
    });
  }

  /** Scoped to the account; an expired or unfinished list is not found. */
  async findReady(accountId: string, id: string, now: Date): Promise<RecipientListRecord | null> {
    if (!isUuid(id)) {
      return null;
    }
    // Raw SQL: every quote and sendBulk of a list reads it, and a model query is compiled again each time.
    const [row] = await this.db.$queryRaw<RecipientListRecord[]>`
      SELECT * FROM "RecipientList"
      WHERE id = ${id}::uuid AND "accountId" = ${accountId}::uuid AND state = 'READY' AND "expiresAt" > ${now}::timestamptz`;
    return row ?? null;
  }

  /** Entries in list order, `limit` from `fromPosition` on (keyed on the primary key: no scan). */
  async entries(listId: string, fromPosition: number, limit: number): Promise<RecipientListEntry[]> {
    const rows = await this.db.$queryRaw<
      Array<{ position: number; row: number; phone: string; country: string; values: string[] }>
    >`
      SELECT position, "row", phone, country, "values" FROM "RecipientListEntry"
      WHERE "listId" = ${listId}::uuid AND position >= ${fromPosition}::int AND position < ${fromPosition + limit}::int
      ORDER BY position`;
    return rows;
  }

  /**
   * Like `entries`, without the field values, as one row of comma-joined texts (E.164 numbers, ISO codes
   * and row numbers hold no comma): a template that reads no field needs no more, and a million entries
   * then cost the event loop a hundred strings to split instead of a million rows to decode.
   */
  async entryColumns(listId: string, fromPosition: number, limit: number): Promise<RecipientListEntryColumns> {
    const [page] = await this.db.$queryRaw<
      Array<{ phones: string | null; countries: string | null; rows: string | null; positions: string | null }>
    >`
      SELECT string_agg(phone, ',' ORDER BY position) AS phones, string_agg(country, ',' ORDER BY position) AS countries,
        string_agg("row"::text, ',' ORDER BY position) AS rows, string_agg(position::text, ',' ORDER BY position) AS positions
      FROM "RecipientListEntry"
      WHERE "listId" = ${listId}::uuid AND position >= ${fromPosition}::int AND position < ${fromPosition + limit}::int`;
    return {
      phones: page.phones === null ? [] : page.phones.split(','),
      countries: page.countries === null ? [] : page.countries.split(','),
      rows: page.rows ?? '',
      positions: page.positions ?? '',
    };
  }

  /**
   * Deletes lists (and their entries) that expired, or uploads abandoned before that; returns how many. A list
   * a campaign still makes messages from is kept until it has made them all (the next sweep after).
   */
  async deleteExpired(now: Date, limit: number): Promise<number> {
    const rows = await this.db.$queryRaw<Array<{ id: string }>>`
      SELECT l.id FROM "RecipientList" l WHERE l."expiresAt" <= ${now} AND NOT ${IN_USE}
      ORDER BY l."expiresAt" LIMIT ${limit}::int`;
    if (rows.length === 0) {
      return 0;
    }
    return (await this.delete(rows.map((r) => r.id))).length;
  }

  /**
   * Deletes the lists no campaign still makes messages from; the others expire now instead, so that the sweep
   * deletes them once their campaigns made every message. Returns the ids deleted.
   */
  async delete(ids: string[]): Promise<string[]> {
    return inTransaction(this.db, async (tx) => {
      // Locked first (a campaign being accepted from one holds it until it commits), then read again: this
      // statement's snapshot sees that campaign's batches.
      await tx.$queryRaw`SELECT id FROM "RecipientList" WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
      await tx.$executeRaw`
        UPDATE "RecipientList" l SET "expiresAt" = least(l."expiresAt", now())
        WHERE l.id = ANY(${ids}::uuid[]) AND ${IN_USE}`;
      const deleted = await tx.$queryRaw<Array<{ id: string }>>`
        DELETE FROM "RecipientList" l WHERE l.id = ANY(${ids}::uuid[]) AND NOT ${IN_USE} RETURNING l.id::text AS id`;
      const deletedIds = deleted.map((r) => r.id);
      await tx.$executeRaw`DELETE FROM "RecipientListEntry" WHERE "listId" = ANY(${deletedIds}::uuid[])`;
      return deletedIds;
    });
  }
}

/** List `l` has a campaign with batches whose messages are still to be made from it. */
const IN_USE = Prisma.sql`EXISTS (SELECT 1 FROM "Campaign" c JOIN "Batch" b ON b."campaignId" = c.id
  WHERE c."recipientListId" = l.id AND cardinality(b."listPositions") > 0)`;
