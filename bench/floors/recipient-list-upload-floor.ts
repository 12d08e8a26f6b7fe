/*
 * Floor for a recipient-list upload: the work no implementation can skip, each part done the plain way, one
 * after the other, in the bench process with no HTTP:
 *   - parse + validate on two cores: the CSV (already in memory) cut in two at a line break, each half
 *     parsed by csv-parse and validated by libphonenumber-js (the service's own parser) on a worker thread;
 *   - bulk write: duplicates dropped, then the service's multi-row INSERT statement, 2,000 entries at a time.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import type { FloorPartRequest, FloorPartResult } from './recipient-list-floor-worker';

const WORKERS = 2;
const INSERT_BATCH = 2_000;

export interface RecipientListUploadFloor {
  parseMs: number;
  writeMs: number;
  /** parseMs + writeMs */
  floorMs: number;
}

/** `csv` has a header row, one record per line and the phone in the first column. */
export async function measureRecipientListUploadFloor(
  csv: Buffer,
  databaseUrl: string,
): Promise<RecipientListUploadFloor> {
  let started = performance.now();
  const headerEnd = csv.indexOf(0x0a) + 1;
  const parts: FloorPartRequest[] = [];
  let from = headerEnd;
  let firstRow = 2;
  for (let i = 1; i <= WORKERS; i++) {
    const to =
      i === WORKERS
        ? csv.length
        : csv.indexOf(0x0a, headerEnd + Math.floor(((csv.length - headerEnd) * i) / WORKERS)) + 1;
    const bytes = csv.subarray(from, to);
    parts.push({ bytes, firstRow });
    firstRow += countLines(bytes);
    from = to;
  }
  const results = await Promise.all(parts.map(parsePart));
  const parseMs = performance.now() - started;

  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    started = performance.now();
    const listId = randomUUID();
    const {
      rows: [account],
    } = await client.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'floor') RETURNING id`,
    );
    await client.query(
      `INSERT INTO "RecipientList" (id, "accountId", state, format, "phoneColumn", fields, "expiresAt")
       VALUES ($1, $2, 'UPLOADING', 'csv', 'phone', '{name,code}', now() + interval '1 hour')`,
      [listId, account.id],
    );
    const seen = new Set<string>();
    let batch = { rows: [] as number[], phones: [] as string[], countries: [] as string[], values: [] as string[] };
    let position = 0;
    // The statement the service uses: comma-free columns joined into one text each, the values as one JSON text.
    const write = async (): Promise<void> => {
      await client.query(
        `INSERT INTO "RecipientListEntry" ("listId", position, "row", phone, country, "values")
         SELECT $1::uuid, $2::int + t.ord - 1, t.r::int, t.phone, t.country, v.value
         FROM unnest(string_to_array($3, ','), string_to_array($4, ','), string_to_array($5, ','))
           WITH ORDINALITY AS t(r, phone, country, ord)
         JOIN jsonb_array_elements($6::jsonb) WITH ORDINALITY AS v(value, ord) ON v.ord = t.ord`,
        [
          listId,
          position - batch.phones.length,
          batch.rows.join(','),
          batch.phones.join(','),
          batch.countries.join(','),
          `[${batch.values.join(',')}]`,
        ],
      );
      batch = { rows: [], phones: [], countries: [], values: [] };
    };
    for (const result of results) {
      for (let i = 0; i < result.phones.length; i++) {
        if (seen.has(result.phones[i])) {
          continue;
        }
        seen.add(result.phones[i]);
        position++;
        batch.rows.push(result.rows[i]);
        batch.phones.push(result.phones[i]);
        batch.countries.push(result.countries[i]);
        batch.values.push(result.values[i]);
        if (batch.phones.length >= INSERT_BATCH) {
          await write();
        }
      }
    }
    if (batch.phones.length > 0) {
      await write();
    }
    const writeMs = performance.now() - started;
    return { parseMs, writeMs, floorMs: parseMs + writeMs };
  } finally {
    await client.end();
  }
}

function parsePart(part: FloorPartRequest): Promise<FloorPartResult> {
  const worker = new Worker(join(__dirname, 'recipient-list-floor-worker.js'));
  return new Promise<FloorPartResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(part);
  }).finally(() => void worker.terminate());
}

function countLines(bytes: Buffer): number {
  let lines = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) {
    lines++;
  }
  return lines;
}
