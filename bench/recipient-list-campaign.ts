/*
 * Large campaigns through the streamed path: the built service (dist/src/main.js) runs as its own process on
 * a fresh PostgreSQL database; a CSV of N rows (phone + 2 fields, mixed formats) is streamed to
 * POST /api/recipient-lists, then sent with sendBulk(recipientListId), while /health is probed every 50 ms
 * (from a thread of its own, bench/health-probe.ts).
 * Each round (BENCH_ROUNDS) is followed by two floors measured in the bench process:
 *   - the upload's: the same rows parsed + validated on two cores, then the same multi-row INSERTs
 *     (bench/floors/recipient-list-upload-floor.ts);
 *   - the whole campaign's (upload + sendBulk): the sendBulk floor on the same numbers, the slower of
 *     libphonenumber-js on every core and the multi-row INSERT of campaign, batches and messages
 *     (bench/floors/send-bulk-floor.ts), into a database of its own. It gets the numbers as an array:
 *     no CSV, no list stored, so it is the stricter of the two.
 * A third line puts the campaign beside the two steps' floors in turn (the upload's, then the sendBulk
 * floor's INSERT). A fourth sends the same CSV in one request (POST /api/campaigns: the rows stored as
 * messages as they are parsed, written once), beside the sendBulk floor; odd rounds send it before the two
 * steps, even rounds after, so neither always meets the larger database. A fifth times the first page of the
 * list campaign's messages with its totalCount, right after acceptance (its messages are made as a page needs
 * them), beside the same page of the campaign sent in one request (every message written at acceptance).
 * Printed with the service's peak RSS and its slowest /health answer during each step.
 *
 *   npm run bench -- recipient-list                    (1,000,000 rows, or BENCH_RECIPIENT_LIST_ROWS)
 *   node dist/bench/recipient-list-campaign.js [rows]    (alone; default 1,000,000)
 *   SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' ...   (profile the service; NODE_OPTIONS refuses --cpu-prof)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { START_NODE_OPTIONS, freePort, runService } from '../test/utils/service-process';
import { BENCH_ROUNDS, BenchResult, roundTo, withFloor } from './bench-result';
import { migratedDatabase } from './bench-sql';
import { startHealthProbe } from './health-probe';
import { peakRssMb } from './process-usage';
import { measureRecipientListUploadFloor } from './floors/recipient-list-upload-floor';
import { measureSendBulkFloor } from './floors/send-bulk-floor';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const API_KEY = 'sk_benchmark_key_0000000000000001';
const PROBE_EVERY_MS = 50;
const TEXT = 'Benchmark: your parcel arrives tomorrow between 9 and 12.';

/** Row i's phone as the CSV holds it: E.164, national-with-punctuation and spaced formats over four countries. */
function phoneAt(i: number): string {
  switch (i % 4) {
    case 0:
      return `+1415${2000000 + i}`;
    case 1:
      return `+1 (212) ${String(2000000 + i).slice(0, 3)}-${String(2000000 + i).slice(3)}`;
    case 2:
      return `+44 74${String(10000000 + i).slice(0, 8)}`;
    default:
      return `+4915${String(100000000 + i).slice(0, 9)}`;
  }
}

/** phone + 2 fields. */
function csvOf(rows: number): Buffer {
  const lines = ['phone,name,code'];
  for (let i = 0; i < rows; i++) {
    const phone = phoneAt(i);
    lines.push(`${phone.includes(',') || phone.includes('(') ? `"${phone}"` : phone},Name ${i % 1000},${i % 97}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

function freshDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  return migratedDatabase(ADMIN_URL, name);
}

export async function runRecipientListCampaignBenchmark(rows = 1_000_000): Promise<BenchResult[]> {
  const serviceDb = await freshDatabase(`bulk_sms_bench_lists_${process.pid}`);
  const campaignFloorDb = await freshDatabase(`bulk_sms_bench_lists_${process.pid}_floor`);
  const csv = csvOf(rows);
  const phones = Array.from({ length: rows }, (_, i) => phoneAt(i));
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-bench-'));
  const service = runService(
    {
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: serviceDb.url,
      API_KEY,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: process.env.SERVICE_NODE_OPTIONS ?? START_NODE_OPTIONS,
    },
    require.resolve('../src/main.js'),
    (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  try {
    await service.waitFor(/Bulk SMS service ready/, 60_000);
    const base = `http://127.0.0.1:${port}`;
    // Warm-up: the JIT and the prices of every country, on both sides.
    await sendList(base, (await upload(base, csvOf(200))).id);
    await measureSendBulkFloor(campaignFloorDb.url, phones.slice(0, 400));
    const label = rows.toLocaleString('en-US');
    const results: BenchResult[] = [];
    let peakUploadHealthMs = 0;
    let peakSendHealthMs = 0;
    let peakOneStepHealthMs = 0;
    for (let round = 1; round <= BENCH_ROUNDS; round++) {
      const oneStepFirst = round % 2 === 1;
      let oneStep = oneStepFirst ? await whileProbing(base, () => uploadCampaign(base, csv)) : undefined;
      const uploaded = await whileProbing(base, () => upload(base, csv));
      if (uploaded.result.recipients !== rows) {
        throw new Error(`expected ${rows} recipients, got ${JSON.stringify(uploaded.result).slice(0, 500)}`);
      }
      const sent = await whileProbing(base, () => sendList(base, uploaded.result.id));
      if (sent.result.total !== rows) {
        throw new Error(`expected a campaign of ${rows} recipients, got ${JSON.stringify(sent.result)}`);
      }
      oneStep ??= await whileProbing(base, () => uploadCampaign(base, csv));
      if (oneStep.result.upload.recipients !== rows) {
        throw new Error(
          `expected a campaign of ${rows} recipients, got ${JSON.stringify(oneStep.result).slice(0, 500)}`,
        );
      }
      // The first page of each campaign's messages: the list's are made as the page needs them, the other
      // campaign's were all written at acceptance (its page is the floor).
      const listPage = await firstMessagesPage(base, sent.result.id, rows);
      const oneStepPage = await firstMessagesPage(base, oneStep.result.id, rows);
      const uploadFloor = await measureRecipientListUploadFloor(csv, serviceDb.url);
      const campaignFloor = await measureSendBulkFloor(campaignFloorDb.url, phones);
      const load = loadAverage();
      const campaignSeconds = uploaded.seconds + sent.seconds;
      console.error(
        `round ${round}: upload ${round2(uploaded.seconds)} s, sendBulk by list ${round2(sent.seconds)} s; ` +
          `upload floor ${round2(uploadFloor.floorMs / 1000)} s (parse + validate ${round2(uploadFloor.parseMs / 1000)} s, ` +
          `write ${round2(uploadFloor.writeMs / 1000)} s); campaign floor ${round2(campaignFloor.floorMs / 1000)} s ` +
          `(validation ${round2(campaignFloor.validationMs / 1000)} s, insert ${round2(campaignFloor.insertMs / 1000)} s); ` +
          `one request (POST /api/campaigns, ${oneStepFirst ? 'first' : 'last'}) ${round2(oneStep.seconds)} s; ` +
          `slowest /health ${Math.round(uploaded.worstHealthMs)} / ${Math.round(sent.worstHealthMs)} / ` +
          `${Math.round(oneStep.worstHealthMs)} ms; load ${load}`,
      );
      results.push(
        withFloor(
          {
            name:
              `recipient list upload, ${label} CSV rows (phone + 2 fields), PostgreSQL, run ${round} (load ${load}); ` +
              'floor: parse + validate on two cores, then the same multi-row INSERTs',
            value: round2(uploaded.seconds),
            unit: 's',
            target: 'ratio <= 1.5',
          },
          uploadFloor.floorMs / 1000,
        ),
        withFloor(
          {
            name:
              `campaign of ${label} recipients accepted through the streamed path (the upload above, then sendBulk ` +
              `by recipientListId: ${round2(sent.seconds)} s), PostgreSQL, run ${round}; floor: the sendBulk floor on ` +
              'the same numbers (slower of validation on all cores and multi-row INSERT)',
            value: round2(campaignSeconds),
            unit: 's',
            target: 'ratio <= 1.5',
          },
          campaignFloor.floorMs / 1000,
        ),
        // The same two steps each at its floor: the path writes every recipient twice (the list, then
        // the campaign's messages), which the sendBulk floor above does once.
        withFloor(
          {
            name:
              `the same campaign, run ${round}; floor: the two steps' floors in turn (the upload's, then the ` +
              `sendBulk floor's INSERT: ${round2(campaignFloor.insertMs / 1000)} s)`,
            value: round2(campaignSeconds),
            unit: 's',
            target: '-',
          },
          (uploadFloor.floorMs + campaignFloor.insertMs) / 1000,
        ),
        withFloor(
          {
            name:
              `campaign of ${label} recipients accepted in one request (POST /api/campaigns with the same CSV, ` +
              `sent ${oneStepFirst ? 'before' : 'after'} the two steps), PostgreSQL, run ${round}; floor: the sendBulk ` +
              'floor on the same numbers (slower of validation on all cores and multi-row INSERT)',
            value: round2(oneStep.seconds),
            unit: 's',
            target: 'ratio <= 1.5',
          },
          campaignFloor.floorMs / 1000,
        ),
        withFloor(
          {
            name:
              `first page of the streamed path's campaign's messages (${MESSAGES_PAGE}, with totalCount) right after ` +
              `acceptance, its messages made as the page needs them, run ${round}; floor: the same page of the ` +
              'campaign accepted in one request (every message written at acceptance)',
            value: roundTo(listPage * 1000, 1),
            unit: 'ms',
            target: '-',
          },
          oneStepPage * 1000,
        ),
      );
      peakOneStepHealthMs = Math.max(peakOneStepHealthMs, oneStep.worstHealthMs);
      peakUploadHealthMs = Math.max(peakUploadHealthMs, uploaded.worstHealthMs);
      peakSendHealthMs = Math.max(peakSendHealthMs, sent.worstHealthMs);
      const failedProbes = uploaded.failedProbes + sent.failedProbes + oneStep.failedProbes;
      if (failedProbes > 0) {
        results.push({
          name: `/health probes that failed, run ${round}`,
          value: failedProbes,
          unit: '',
          target: '0',
        });
      }
    }
    results.push(
      {
        name: `slowest /health answer during the ${label}-row uploads (probed every ${PROBE_EVERY_MS} ms)`,
        value: Math.round(peakUploadHealthMs),
        unit: 'ms',
        target: '< 100 ms',
      },
      {
        name: `slowest /health answer during sendBulk of the ${label}-recipient lists (probed every ${PROBE_EVERY_MS} ms)`,
        value: Math.round(peakSendHealthMs),
        unit: 'ms',
        target: '< 100 ms',
      },
      {
        name: `slowest /health answer during the ${label}-row campaigns in one request (probed every ${PROBE_EVERY_MS} ms)`,
        value: Math.round(peakOneStepHealthMs),
        unit: 'ms',
        target: '< 100 ms',
      },
      {
        name: `service peak RSS over the ${label}-row uploads and campaigns`,
        value: Math.round(peakRssMb(service.child.pid!)),
        unit: 'MB',
        target: '< 512 MB',
      },
    );
    return results;
  } finally {
    service.child.kill('SIGTERM');
    await service.exited;
    await serviceDb.drop();
    await campaignFloorDb.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `work` while /health is probed every PROBE_EVERY_MS. */
async function whileProbing<T>(
  base: string,
  work: () => Promise<T>,
): Promise<{ result: T; seconds: number; worstHealthMs: number; failedProbes: number }> {
  const probe = await startHealthProbe(base, PROBE_EVERY_MS);
  const started = performance.now();
  const outcome = await work().then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const seconds = (performance.now() - started) / 1000;
  const { slowestMs, failed } = await probe.stop();
  if (!outcome.ok) {
    throw outcome.error;
  }
  return { result: outcome.result, seconds, worstHealthMs: slowestMs, failedProbes: failed };
}

/** sendBulk of an uploaded list, scheduled an hour ahead: acceptance alone is measured. */
async function sendList(base: string, recipientListId: string): Promise<{ id: string; total: number }> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify({
      query: 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id progress { total } } }',
      variables: {
        input: {
          recipients: [],
          recipientListId,
          text: TEXT,
          scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      },
    }),
  });
  const json = (await response.json()) as {
    data?: { sendBulk: { id: string; progress: { total: number } } };
    errors?: unknown;
  };
  if (!json.data) {
    throw new Error(`sendBulk by list failed: ${JSON.stringify(json.errors)}`);
  }
  return { id: json.data.sendBulk.id, total: json.data.sendBulk.progress.total };
}

/**
 * The first page of a campaign's messages with its totalCount, as the console's campaign page asks for it;
 * returns the seconds it took.
 */
async function firstMessagesPage(base: string, campaignId: string, recipients: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify({
      query: `query($id: ID!) { campaign(id: $id) { messages(first: ${MESSAGES_PAGE}) {
        totalCount edges { node { to status } } pageInfo { hasNextPage } } } }`,
      variables: { id: campaignId },
    }),
  });
  const json = (await response.json()) as {
    data?: { campaign: { messages: { totalCount: number; edges: unknown[] } } };
    errors?: unknown;
  };
  const seconds = (performance.now() - started) / 1000;
  const messages = json.data?.campaign.messages;
  if (messages?.totalCount !== recipients || messages.edges.length !== MESSAGES_PAGE) {
    throw new Error(`unexpected first page of messages: ${JSON.stringify(json).slice(0, 500)}`);
  }
  return seconds;
}

const MESSAGES_PAGE = 50;

function loadAverage(): string {
  return loadavg()[0].toFixed(1);
}

async function upload(base: string, csv: Buffer): Promise<{ id: string; recipients: number }> {
  const response = await fetch(`${base}/api/recipient-lists`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', 'x-api-key': API_KEY },
    body: Readable.toWeb(Readable.from(chunks(csv))) as ReadableStream,
    duplex: 'half',
  });
  const json = (await response.json()) as { id: string; recipients: number };
  if (response.status !== 201) {
    throw new Error(`upload failed: ${response.status} ${JSON.stringify(json)}`);
  }
  return json;
}

/** The CSV and the campaign in one request, scheduled an hour ahead: acceptance alone is measured. */
async function uploadCampaign(base: string, csv: Buffer): Promise<{ id: string; upload: { recipients: number } }> {
  const query = new URLSearchParams({ text: TEXT, scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
  const response = await fetch(`${base}/api/campaigns?${query.toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', 'x-api-key': API_KEY },
    body: Readable.toWeb(Readable.from(chunks(csv))) as ReadableStream,
    duplex: 'half',
  });
  const json = (await response.json()) as { id: string; upload: { recipients: number } };
  if (response.status !== 201) {
    throw new Error(`campaign upload failed: ${response.status} ${JSON.stringify(json)}`);
  }
  return json;
}

function* chunks(buffer: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let start = 0; start < buffer.length; start += size) {
    yield buffer.subarray(start, start + size);
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

if (require.main === module) {
  runRecipientListCampaignBenchmark(Number(process.argv[2] ?? 1_000_000)).then(
    (results) => console.table(results),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
