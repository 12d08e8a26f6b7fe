/*
 * Message partitions benchmark (`npm run bench -- message-partitions`, optional: filling 10,000,000
 * rows takes minutes): does the work on messages stay as fast with a big "Message" table as with a
 * small one, now that it is partitioned by RANGE (id) (docs/scaling.md)?
 *
 * A fresh PostgreSQL database is filled with COPY, through the partitioned table and its triggers, to
 * 100,000 messages and then to BENCH_PARTITION_MESSAGES (default 10,000,000): finished campaigns of
 * 100,000 delivered messages each, with provider UUIDs. The service's partition step runs between the
 * COPYs, as it would every few minutes, with partitions of BENCH_PARTITION_SIZE ids (default
 * 1,000,000, so that 10,000,000 messages are ten partitions: more than the default size would make).
 *
 * At each size, BENCH_ROUNDS times (default 2), a new sending campaign of MEASURED_BATCHES batches of
 * RECIPIENTS_PER_BATCH goes through the real repository code:
 * - claims/s: BatchClaimer.claimNext (the dispatcher's claim transaction, recipients locked), then the
 *   statements that follow a provider's acceptance (messages SUBMITTED, batch ACCEPTED);
 * - reports applied/s, as the webhook's intake stores and applies them (DeliveryReportRepository.appendMany,
 *   REPORTS_PER_STATEMENT a statement): a first report per message (`sent`, found by batch and number, the
 *   message learning its UUID), then a second (`delivered`, found by UUID through "ProviderMessage");
 * - progress reads/s: the campaign with its counters, as campaign progress reads it;
 * - message pages/s: the first page of the campaign's messages (all, or delivered), as the GraphQL
 *   messages query reads it.
 * Each line at the large size has the same round at 100,000 as its floor: ratio 1 means no slower.
 * Then the same rows in EXTRA_PARTITIONS more partitions (empty ones ahead), with the large size as
 * the floor: what the number of partitions costs, apart from the number of rows.
 * Beside each rate, the PostgreSQL backends' CPU time per item (/proc), less sensitive to the other
 * work on a shared machine.
 *
 * Also: the migration converting a populated, unpartitioned "Message" table of
 * BENCH_PARTITION_CONVERT_ROWS (default 1,000,000) rows, timed.
 *
 * BENCH_PARTITION_LAYOUT=unpartitioned runs the same fills and rounds with "Message" as one plain table
 * (the same columns, indexes and triggers, made from the migrated partitioned one), the comparison the
 * partitioning is judged by: the 100,000 and 10,000,000 steps only (no partitions to add, no conversion).
 *
 * BENCH_POSTGRES_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Query } from 'pg';
import { AppConfig } from '../src/config/app-config.service';
import { InvalidEnvironmentError, validateEnvironment } from '../src/config/env.schema';
import { OPT_OUT_SUPPRESSION_REASON, applyUpdateOf } from '../src/delivery-reports/report-apply-plan';
import { PacingPlan } from '../src/messaging/pacing-plan';
import { BatchClaimer } from '../src/messaging/batch-claimer';
import { CampaignRepository } from '../src/persistence/campaign.repository';
import { DeliveryReportRepository, NewDeliveryReport } from '../src/persistence/delivery-report.repository';
import { DispatchRepository } from '../src/persistence/dispatch.repository';
import { MessagePartitionRepository } from '../src/persistence/message-partition.repository';
import { MessageRepository } from '../src/persistence/message.repository';
import { MessageStatus } from '../src/domain/message-status.enum';
import { applyMigrations } from '../src/persistence/migrator';
import { PrismaService } from '../src/persistence/prisma.service';
import { MIGRATIONS_DIR } from '../src/persistence/project-root';
import { Transactor } from '../src/persistence/transactor';
import { ProviderAccount } from '../src/sms-gateway/provider-account';
import { BENCH_ROUNDS, BenchResult, roundTo, withFloor } from './bench-result';
import { recordBatchIdRanges, sql } from './bench-sql';
import { cpuSeconds, cpuSpent } from './process-usage';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const LARGE = Number(process.env.BENCH_PARTITION_MESSAGES ?? 10_000_000);
const SMALL = Math.min(100_000, LARGE);
const PARTITION_SIZE = Number(process.env.BENCH_PARTITION_SIZE ?? 1_000_000);
const CONVERT_ROWS = Number(process.env.BENCH_PARTITION_CONVERT_ROWS ?? 1_000_000);
const UNPARTITIONED = process.env.BENCH_PARTITION_LAYOUT === 'unpartitioned';
// Above the migration's two first partitions (10,000,000 ids each), so every message is in one of PARTITION_SIZE.
const FIRST_ID = 20_000_000;
const FILL_CAMPAIGN_SIZE = 100_000;
const FILL_BATCH_SIZE = 1000;
const MEASURED_BATCHES = 100;
const RECIPIENTS_PER_BATCH = 200;
const PROGRESS_READS = 300;
const PAGE_READS = 20;
// About what the webhook's group commit gathers under load.
const REPORTS_PER_STATEMENT = 200;
const SENDER = '+14155550100';

/** COPY … FROM STDIN with the whole input in hand (pg has no COPY IN of its own; this is its protocol). */
class CopyIn extends Query {
  constructor(
    text: string,
    private readonly data: string,
  ) {
    super(text);
  }

  handleCopyInResponse(connection: { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void }): void {
    const bytes = Buffer.from(this.data);
    for (let offset = 0; offset < bytes.length; offset += 1 << 20) {
      connection.sendCopyFromChunk(bytes.subarray(offset, offset + (1 << 20)));
    }
    connection.endCopyFrom();
  }
}

function copyIn(client: Client, text: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const copy = new CopyIn(text, data);
    copy.once('end', () => resolve());
    copy.once('error', reject);
    client.query(copy);
  });
}

/** User + system CPU seconds of each backend of the database. */
async function backendCpuSeconds(client: Client, database: string): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [
    database,
  ]);
  const seconds = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      seconds.set(pid, cpuSeconds(pid));
    } catch {
      // A backend that ended meanwhile.
    }
  }
  return seconds;
}

interface Measured {
  perSecond: number;
  /** PostgreSQL CPU microseconds per item. */
  dbCpuMicros: number;
}

interface RoundResult {
  claims: Measured;
  firstReports: Measured;
  laterReports: Measured;
  progress: Measured;
  messagePages: Measured;
}

class PartitionBench {
  private readonly prisma: PrismaService;
  private readonly claimer: BatchClaimer;
  private readonly dispatch: DispatchRepository;
  private readonly reports: DeliveryReportRepository;
  private readonly campaigns: CampaignRepository;
  private readonly messages: MessageRepository;
  private readonly partitions: MessagePartitionRepository;
  private filled = 0;

  constructor(
    private readonly client: Client,
    private readonly database: string,
    url: string,
    private readonly accountId: string,
    private readonly partitioned: boolean,
  ) {
    const { env, errors } = validateEnvironment({
      NODE_ENV: 'production',
      DATABASE_URL: url,
      API_KEY: 'sk_benchmark_key_0000000000000001',
      // Pacing never makes a claim wait: the claim's own cost is measured.
      PLIVO_MPS: '1000000',
      PLIVO_API_REQUESTS_PER_5S: '1000000',
      PLIVO_API_CONCURRENCY: '1000000',
      DISPATCH_LEAD_SECONDS: '3600',
    });
    if (!env) {
      throw new InvalidEnvironmentError(errors);
    }
    const config = new AppConfig(env);
    this.prisma = new PrismaService(url, 4);
    const pacing = new PacingPlan(config, new ProviderAccount('sandbox', 'BENCHPARTITIONS', SENDER, []));
    this.claimer = new BatchClaimer(new Transactor(this.prisma), new DispatchRepository(this.prisma), pacing, config);
    this.dispatch = new DispatchRepository(this.prisma);
    this.reports = new DeliveryReportRepository(this.prisma, url);
    this.campaigns = new CampaignRepository(this.prisma);
    this.messages = new MessageRepository(this.prisma);
    this.partitions = new MessagePartitionRepository(this.prisma);
  }

  async close(): Promise<void> {
    await this.reports.beforeApplicationShutdown();
    await this.prisma.$disconnect();
  }

  /** `count` more (empty) partitions beyond those the partition step keeps ahead. */
  async addPartitionsAhead(count: number): Promise<void> {
    await this.partitions.ensureAhead(PARTITION_SIZE, 2 + count);
  }

  async start(): Promise<void> {
    await this.client.query(`SELECT setval('"Message_id_seq"', $1::bigint)`, [FIRST_ID - 1]);
    await this.partitionStep();
  }

  /** The service's partition step (two partitions ahead), as it runs every few minutes; none for a plain table. */
  private async partitionStep(): Promise<void> {
    if (this.partitioned) {
      await this.partitions.ensureAhead(PARTITION_SIZE, 2);
    }
  }

  /** Finished campaigns of delivered messages, by COPY, until the table holds `total` rows; rows/s. */
  async fillTo(total: number): Promise<number> {
    const started = performance.now();
    const before = this.filled;
    const sentAt = new Date(Date.now() - 41 * 86_400_000).toISOString();
    while (this.filled < total) {
      const size = Math.min(FILL_CAMPAIGN_SIZE, total - this.filled);
      // As the service's partition step would have done meanwhile.
      await this.partitionStep();
      const campaignId = await this.campaign('COMPLETED', 40);
      let batchId = randomUUID();
      const lines: string[] = [];
      for (let i = 0; i < size; i++) {
        if (i % FILL_BATCH_SIZE === 0) {
          batchId = randomUUID();
        }
        const to = `+4477${String(this.filled + i).padStart(8, '0')}`;
        lines.push(
          `${campaignId},${batchId},${to},GB,DELIVERED,${randomUUID()},1,0.04,${sentAt},${sentAt},${sentAt}\n`,
        );
      }
      await copyIn(
        this.client,
        `COPY "Message" ("campaignId", "batchId", "to", country, status, "providerMessageId", units, amount,
           "submittedAt", "sentAt", "deliveredAt") FROM STDIN (FORMAT csv)`,
        lines.join(''),
      );
      this.filled += size;
    }
    await this.client.query('ANALYZE "Message"');
    await this.client.query('ANALYZE "ProviderMessage"');
    return (this.filled - before) / ((performance.now() - started) / 1000);
  }

  async round(): Promise<RoundResult> {
    await this.partitionStep();
    const campaignId = await this.campaign('SENDING', null);
    const batches = Array.from({ length: MEASURED_BATCHES }, () => randomUUID());
    await this.client.query(
      `INSERT INTO "Batch" (id, "campaignId", sequence, "recipientCount", country)
       SELECT b.id, $2::uuid, b.n::int, $3::int, 'US' FROM unnest($1::uuid[]) WITH ORDINALITY AS b(id, n)`,
      [batches, campaignId, RECIPIENTS_PER_BATCH],
    );
    const recipients: Array<{ batchId: string; to: string }> = [];
    for (const [b, batchId] of batches.entries()) {
      for (let i = 0; i < RECIPIENTS_PER_BATCH; i++) {
        recipients.push({ batchId, to: `+1415${String(b * RECIPIENTS_PER_BATCH + i).padStart(7, '0')}` });
      }
    }
    await copyIn(
      this.client,
      `COPY "Message" ("campaignId", "batchId", "to", country) FROM STDIN (FORMAT csv)`,
      recipients.map((r) => `${campaignId},${r.batchId},${r.to},US\n`).join(''),
    );
    await recordBatchIdRanges(this.client, campaignId);

    const claims = await this.measure(MEASURED_BATCHES, () => this.claimAll());
    const uuids = recipients.map(() => randomUUID());
    const firstReports = await this.measure(recipients.length, () =>
      this.appendAndApply(recipients.map((r, i) => report(uuids[i], r.batchId, r.to, 'sent', 1))),
    );
    const laterReports = await this.measure(recipients.length, () =>
      this.appendAndApply(recipients.map((r, i) => report(uuids[i], null, null, 'delivered', 2))),
    );
    const progress = await this.measure(PROGRESS_READS, () => this.readProgress(campaignId));
    const messagePages = await this.measure(PAGE_READS, () => this.readMessagePages(campaignId));

    const { rows } = await this.client.query<{ delivered: number; total: number }>(
      `SELECT delivered, total FROM "Campaign" WHERE id = $1::uuid`,
      [campaignId],
    );
    if (rows[0].delivered !== recipients.length || rows[0].total !== recipients.length) {
      throw new Error(`round invalid: ${JSON.stringify(rows[0])}, expected ${recipients.length} delivered`);
    }
    // Finished, as the fill's campaigns: the next round's claims find only their own batches.
    await this.client.query(`UPDATE "Campaign" SET status = 'COMPLETED', "completedAt" = now() WHERE id = $1::uuid`, [
      campaignId,
    ]);
    return { claims, firstReports, laterReports, progress, messagePages };
  }

  private async measure(items: number, work: () => Promise<void>): Promise<Measured> {
    const cpuBefore = await backendCpuSeconds(this.client, this.database);
    const started = performance.now();
    await work();
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSpent(cpuBefore, await backendCpuSeconds(this.client, this.database));
    return { perSecond: roundTo(items / seconds, 0), dbCpuMicros: roundTo((cpu * 1e6) / items, 0) };
  }

  /** Claims until idle; each claimed batch then accepted, as the submitter records it. */
  private async claimAll(): Promise<void> {
    let claimed = 0;
    for (;;) {
      const claim = await this.claimer.claimNext('bench-partitions');
      if (claim.kind === 'idle') {
        break;
      }
      if (claim.kind === 'wait') {
        // The pacing's token bucket starts empty: refilled at a million requests per 5 s, a moment.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, claim.untilMs - Date.now())));
        continue;
      }
      if (claim.kind !== 'submit') {
        throw new Error(`unexpected claim: ${claim.kind}`);
      }
      // A claim may take several of a campaign's small batches at once (batches smaller than the lane's).
      for (const { batch } of claim.batches) {
        await this.dispatch.submitWaitingMessages(batch, [], null);
        await this.dispatch.markAccepted(batch.id, `api-${batch.id}`, []);
        claimed++;
      }
    }
    if (claimed !== MEASURED_BATCHES) {
      throw new Error(`claimed ${claimed} batches, expected ${MEASURED_BATCHES}`);
    }
  }

  /** The intake's statements: each appends its reports and applies them to their messages. */
  private async appendAndApply(reports: NewDeliveryReport[]): Promise<void> {
    for (let i = 0; i < reports.length; i += REPORTS_PER_STATEMENT) {
      const requests = reports
        .slice(i, i + REPORTS_PER_STATEMENT)
        .map((r) => ({ report: r, nonce: null, apply: applyUpdateOf(r) }));
      const result = await this.reports.appendMany(requests, 0, OPT_OUT_SUPPRESSION_REASON);
      if (result.applied !== requests.length) {
        throw new Error(`applied ${result.applied} of ${requests.length} reports`);
      }
    }
  }

  /** The campaign with its counters, as campaign progress (query and subscription) reads it. */
  private async readProgress(campaignId: string): Promise<void> {
    for (let i = 0; i < PROGRESS_READS; i++) {
      const campaign = await this.campaigns.findForAccount(this.accountId, campaignId);
      if (campaign?.id !== campaignId) {
        throw new Error('progress read found nothing');
      }
    }
  }

  /** The first page of the campaign's messages and of its delivered ones, as the messages query reads them. */
  private async readMessagePages(campaignId: string): Promise<void> {
    for (let i = 0; i < PAGE_READS; i++) {
      const page = await this.messages.listForCampaign(campaignId, i % 2 ? MessageStatus.DELIVERED : null, 50);
      if (page.items.length !== 50) {
        throw new Error('message page read found nothing');
      }
    }
  }

  private async campaign(status: 'COMPLETED' | 'SENDING', completedDaysAgo: number | null): Promise<string> {
    const { rows } = await this.client.query<{ id: string }>(
      `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
         "estimatedCostByCountry", "startedAt", "completedAt", "updatedAt")
       VALUES ($1, $2::"CampaignStatus", 'Your parcel arrives tomorrow', $3, 'GSM7', 1, 0, '[]', now(),
         now() - make_interval(days => $4::int), now())
       RETURNING id`,
      [this.accountId, status, SENDER, completedDaysAgo],
    );
    return rows[0].id;
  }
}

function report(
  uuid: string,
  batchId: string | null,
  to: string | null,
  status: 'sent' | 'delivered',
  sequence: number,
): NewDeliveryReport {
  return {
    dedupeKey: `${uuid}:${status}`,
    messageUuid: uuid,
    batchId,
    to,
    status,
    sequence,
    errorCode: null,
    units: 1,
    totalAmount: '0.00790',
    totalRate: '0.00790',
    payload: { MessageUUID: uuid, Status: status },
  };
}

async function withDatabase<T>(label: string, work: (url: string, name: string) => Promise<T>): Promise<T> {
  const name = `bulk_sms_bench_${label}_${process.pid}`;
  await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  try {
    return await work(ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), name);
  } finally {
    await sql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/** Seconds the partitioning migration takes over an unpartitioned table of `rows` messages. */
async function measureConversion(rows: number): Promise<number> {
  return withDatabase('convert', async (url) => {
    const before = mkdtempSync(path.join(tmpdir(), 'migrations-before-partitions-'));
    try {
      cpSync(MIGRATIONS_DIR, before, { recursive: true });
      for (const name of readdirSync(before).filter((n) => n.endsWith('_message_partitions'))) {
        rmSync(path.join(before, name), { recursive: true });
      }
      await applyMigrations(url, before);
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'convert')`);
        await client.query(
          `INSERT INTO "Campaign" ("accountId", status, text, "senderId", encoding, "segmentsPerMessage", "estimatedCost",
             "estimatedCostByCountry", "updatedAt")
           SELECT id, 'COMPLETED', 'x', '${SENDER}', 'GSM7', 1, 0, '[]', now() FROM "Account"`,
        );
        await client.query(
          `INSERT INTO "Message" ("campaignId", "batchId", "to", country, status, "providerMessageId", amount)
           SELECT (SELECT id FROM "Campaign"), gen_random_uuid(), '+4477' || lpad(i::text, 8, '0'), 'GB', 'DELIVERED',
             gen_random_uuid()::text, 0.04
           FROM generate_series(1, $1::int) AS i`,
          [rows],
        );
        await client.query('VACUUM ANALYZE "Message"');
        const started = performance.now();
        const result = await applyMigrations(url);
        const seconds = (performance.now() - started) / 1000;
        const { rows: check } = await client.query<{ n: string; lookups: string }>(
          `SELECT (SELECT count(*) FROM "Message")::text AS n, (SELECT count(*) FROM "ProviderMessage")::text AS lookups`,
        );
        if (result.applied.length !== 1 || Number(check[0].n) !== rows || Number(check[0].lookups) !== rows) {
          throw new Error(`conversion invalid: ${JSON.stringify({ applied: result.applied, ...check[0] })}`);
        }
        return seconds;
      } finally {
        await client.end();
      }
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
  });
}

function lines(label: string, results: RoundResult[], floors: RoundResult[] | null, floorLabel: string): BenchResult[] {
  const metrics: Array<[keyof RoundResult, string, string]> = [
    ['claims', 'claims/s', `batch claims of ${RECIPIENTS_PER_BATCH}`],
    ['firstReports', 'reports/s', 'first reports applied (found by batch and number)'],
    ['laterReports', 'reports/s', 'later reports applied (found by UUID)'],
    ['progress', 'reads/s', 'progress reads (the campaign and its counters)'],
    ['messagePages', 'pages/s', "first pages of a campaign's messages (all, delivered)"],
  ];
  return metrics.flatMap(([key, unit, what]) =>
    results.map((result, i) => {
      const line = {
        name: `${what}, ${label}, round ${i + 1} (PostgreSQL CPU ${result[key].dbCpuMicros} µs each)`,
        value: result[key].perSecond,
        unit,
        target: floors ? `ratio >= 0.8 of the same round, ${floorLabel}` : '-',
      };
      return floors ? withFloor(line, floors[i][key].perSecond) : line;
    }),
  );
}

/** One state of the table to measure in, reached from the previous one. */
interface Step {
  messages: number;
  prepare: (bench: PartitionBench, results: BenchResult[]) => Promise<void>;
  /** The step whose rounds are this one's floors. */
  floorStep: number | null;
}

const EXTRA_PARTITIONS = 30;

const STEPS: Step[] = [
  { messages: SMALL, prepare: (bench, results) => fill(bench, results, SMALL), floorStep: null },
  { messages: LARGE, prepare: (bench, results) => fill(bench, results, LARGE), floorStep: 0 },
  // The same rows in more partitions: what the number of partitions costs, apart from the rows.
  { messages: LARGE, prepare: (bench) => bench.addPartitionsAhead(EXTRA_PARTITIONS), floorStep: 1 },
];

/**
 * "Message" as one plain table: the migrated partitioned table's columns, defaults (its id sequence),
 * indexes and statement triggers on a new table that takes its name; the partitioned one is dropped.
 */
async function unpartitionMessages(client: Client): Promise<void> {
  await client.query('BEGIN');
  const { rows } = await client.query<{ def: string }>(
    `SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = '"Message"'::regclass AND NOT tgisinternal`,
  );
  await client.query(`CREATE TABLE "Message_unpartitioned" (LIKE "Message" INCLUDING ALL)`);
  await client.query(`ALTER TABLE "Message" RENAME TO "Message_partitioned"`);
  await client.query(`ALTER TABLE "Message_unpartitioned" RENAME TO "Message"`);
  for (const { def } of rows) {
    await client.query(def);
  }
  await client.query(`ALTER SEQUENCE "Message_id_seq" OWNED BY "Message".id`);
  await client.query(`DROP TABLE "Message_partitioned"`);
  await client.query('COMMIT');
}

async function fill(bench: PartitionBench, results: BenchResult[], size: number): Promise<void> {
  const fillRate = await bench.fillTo(size);
  results.push({
    name: `fill by COPY to ${size.toLocaleString('en-US')} messages (load average ${roundTo(loadavg()[0], 1)})`,
    value: roundTo(fillRate, 0),
    unit: 'rows/s',
    target: '-',
  });
}

export async function runMessagePartitionsBenchmark(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (!UNPARTITIONED) {
    const conversionSeconds = await measureConversion(CONVERT_ROWS);
    results.push({
      name: `migration to partitions of a populated Message table, ${CONVERT_ROWS.toLocaleString('en-US')} rows`,
      value: roundTo(conversionSeconds, 1),
      unit: 's',
      target: '-',
    });
  }
  await withDatabase('partitions', async (url, name) => {
    await applyMigrations(url);
    const client = new Client({ connectionString: url });
    await client.connect();
    if (UNPARTITIONED) {
      await unpartitionMessages(client);
    }
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "Account" (id, name) VALUES (gen_random_uuid(), 'partitions') RETURNING id`,
    );
    const bench = new PartitionBench(client, name, url, rows[0].id, !UNPARTITIONED);
    try {
      await bench.start();
      // Connections, prepared plans and the JIT of this process warmed up; not reported.
      await bench.round();
      const measured: Array<{ label: string; rounds: RoundResult[] }> = [];
      for (const step of UNPARTITIONED ? STEPS.slice(0, 2) : STEPS) {
        await step.prepare(bench, results);
        const { rows: parts } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = '"Message"'::regclass`,
        );
        const layout = UNPARTITIONED ? 'unpartitioned' : `in ${parts[0].n} partitions`;
        const label = `${step.messages.toLocaleString('en-US')} messages ${layout}`;
        const rounds: RoundResult[] = [];
        for (let round = 0; round < BENCH_ROUNDS; round++) {
          rounds.push(await bench.round());
        }
        const floor = step.floorStep === null ? null : measured[step.floorStep];
        results.push(...lines(label, rounds, floor?.rounds ?? null, floor?.label ?? ''));
        measured.push({ label, rounds });
        process.stderr.write(
          `message-partitions: ${label}, load average ${loadavg()
            .map((l) => roundTo(l, 1))
            .join(' ')}\n`,
        );
      }
    } finally {
      await bench.close();
      await client.end();
    }
  });
  return results;
}
