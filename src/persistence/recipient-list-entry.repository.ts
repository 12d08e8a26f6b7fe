import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { DATABASE_URL } from './database.providers';
import { DedicatedPool } from './dedicated-pool';

/**
 * Entries to write, each column one text: row numbers, E.164 numbers and countries hold no comma and are
 * comma-joined; `values` is a JSON array of each entry's field values, in the list's field order. Four
 * strings cost the event loop nothing to pass on, where arrays of thousands of elements are walked and
 * escaped by the driver.
 */
export interface RecipientListEntryBatch {
  /** Position in the list of the first entry. */
  firstPosition: number;
  /** Added to each of `rows`. */
  rowBase: number;
  rows: string;
  phones: string;
  countries: string;
  values: string;
}

const INSERT_ENTRIES_SQL = `
  INSERT INTO "RecipientListEntry" ("listId", position, "row", phone, country, "values")
  SELECT $1::uuid, $2::int + t.ord - 1, $3::int + t.r::int, t.phone, t.country, v.value
  FROM unnest(string_to_array($4, ','), string_to_array($5, ','), string_to_array($6, ','))
    WITH ORDINALITY AS t(r, phone, country, ord)
  JOIN jsonb_array_elements($7::jsonb) WITH ORDINALITY AS v(value, ord) ON v.ord = t.ord`;

// One connection per upload running at once (RecipientListsController allows two).
const POOL_SIZE = 2;

/**
 * Writes an upload's entries, straight to the pg driver on a small pool of its own: Prisma's raw-query path
 * runs its query compiler on the event loop over every parameter, 20–30 ms for an INSERT of 6,000 entries,
 * the longest stall of an upload. The list itself is RecipientListRepository's.
 */
@Injectable()
export class RecipientListEntryRepository implements BeforeApplicationShutdown {
  private readonly pool: DedicatedPool;

  constructor(@Inject(DATABASE_URL) databaseUrl: string) {
    this.pool = new DedicatedPool(RecipientListEntryRepository.name, 'recipient-list', {
      connectionString: databaseUrl,
      max: POOL_SIZE,
      application_name: 'bulk-sms-list-upload',
    });
  }

  // After every onModuleDestroy hook, so uploads have finished their writes; before the embedded database stops.
  async beforeApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  /** One multi-row INSERT for the whole batch. */
  async insert(listId: string, batch: RecipientListEntryBatch): Promise<void> {
    if (batch.phones === '') {
      return;
    }
    await this.writePool.query(INSERT_ENTRIES_SQL, [
      listId,
      batch.firstPosition,
      batch.rowBase,
      batch.rows,
      batch.phones,
      batch.countries,
      batch.values,
    ]);
  }

  private get writePool(): Pool {
    return this.pool.get();
  }
}
