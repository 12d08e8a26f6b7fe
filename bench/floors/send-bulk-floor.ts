/*
 * Floor for sendBulk acceptance: the two pieces of work no implementation can skip, each done the
 * cheapest plain way, and the slower of the two (they could overlap, so their sum would be too kind
 * to us as a floor):
 *   - validation: libphonenumber-js (the service's own parser) spread over every core in use with
 *     worker threads;
 *   - storage: the same rows (campaign, batches of 1,000, one Message per recipient) written with
 *     multi-row INSERTs from arrays in one transaction, into the same schema (indexes, triggers).
 */
import { availableParallelism } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { defaultWorkerFactory, parseInWorkers } from '../../src/messaging/recipient-worker-pool';
import { cpuSeconds } from '../process-usage';

const CHUNK = 5_000;
const INSERT_CHUNK = 50_000;
const BATCH = 1_000;

export interface SendBulkFloor {
  validationMs: number;
  insertMs: number;
  /** max(validationMs, insertMs) */
  floorMs: number;
  /** CPU seconds of the database backend that ran the insert (PostgreSQL; 0 on PGlite, which is in-process). */
  insertBackendCpu: number;
}

export async function measureSendBulkFloor(databaseUrl: string, inputs: readonly string[]): Promise<SendBulkFloor> {
  const phones: string[] = [];
  const countries: string[] = [];
  let started = performance.now();
  await parseInWorkers(
    inputs,
    'US',
    (_start, e164, tags) => {
      for (let i = 0; i < e164.length; i++) {
        if (e164[i] !== '') {
          phones.push(e164[i]);
          countries.push(tags[i]);
        }
      }
    },
    { workers: availableParallelism(), chunkSize: CHUNK, source: defaultWorkerFactory },
  );
  const validationMs = performance.now() - started;

  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Read from /proc before the connection ends: a backend's CPU is gone with it.
    const backend = await embeddedOrBackendPid(client);
    const backendCpuBefore = backend === null ? 0 : cpuSeconds(backend);
    started = performance.now();
    await client.query('BEGIN');
    const {
      rows: [account],
    } = await client.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'floor') RETURNING id`,
    );
    const {
      rows: [campaign],
    } = await client.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost")
       VALUES ($1, 'SCHEDULED', 'floor', '+14155550100', 'GSM7', 1, 0) RETURNING id`,
      [account.id],
    );
    const batchIds = Array.from({ length: Math.ceil(phones.length / BATCH) }, () => randomUUID());
    await client.query(
      `INSERT INTO "Batch" (id, "campaignId", sequence, "recipientCount", "nextAttemptAt")
       SELECT t.id, $1, t.ord - 1, $3, now() + interval '1 hour' FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, ord)`,
      [campaign.id, batchIds, BATCH],
    );
    for (let start = 0; start < phones.length; start += INSERT_CHUNK) {
      const end = Math.min(start + INSERT_CHUNK, phones.length);
      const batchOf = Array.from({ length: end - start }, (_, i) => batchIds[Math.floor((start + i) / BATCH)]);
      await client.query(
        `INSERT INTO "Message" ("campaignId", "batchId", "to", country, status)
         SELECT $1, t.batch, t.phone, t.country, 'PENDING' FROM unnest($2::uuid[], $3::text[], $4::text[]) AS t(batch, phone, country)`,
        [campaign.id, batchOf, phones.slice(start, end), countries.slice(start, end)],
      );
    }
    await client.query('COMMIT');
    const insertMs = performance.now() - started;
    const insertBackendCpu = backend === null ? 0 : cpuSeconds(backend) - backendCpuBefore;
    return { validationMs, insertMs, floorMs: Math.max(validationMs, insertMs), insertBackendCpu };
  } finally {
    await client.end();
  }
}

/** The backend's pid on PostgreSQL; null on PGlite (one process: this one). */
async function embeddedOrBackendPid(client: Client): Promise<number | null> {
  const {
    rows: [row],
  } = await client.query<{ embedded: boolean; pid: number }>(
    `SELECT version() LIKE '%PGlite%' AS embedded, pg_backend_pid() AS pid`,
  );
  return row.embedded ? null : row.pid;
}
