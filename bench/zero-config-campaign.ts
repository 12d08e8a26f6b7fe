/*
 * The zero-config default as a newcomer runs it: `npm start`'s flags, no NODE_ENV, the embedded PGlite under
 * DATA_DIR and the in-process Plivo sandbox, in one process. Only the rate is raised (PLIVO_MPS and
 * SANDBOX_MPS 1,000; the default 5 would take hours). For each size a recipient list (phone + name, 1,000
 * distinct names) is uploaded and sent with a template over the name, then followed through GraphQL until
 * every recipient has its final status, with the service's RSS sampled every 200 ms.
 *
 * Here the sandbox's status callbacks (three a message) wait in the service's own memory until the service
 * has taken them, so a campaign faster than the embedded database's report intake grows that queue:
 * a 100,000-recipient campaign once ran the service out of its 256 MB heap. The floor for the time to
 * complete is the sending time alone (recipients / MPS).
 *
 *   npm run bench -- zero-config
 *   node dist/bench/zero-config-campaign.js [sizes, comma-separated]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { graphql } from './bench-graphql';
import { gbMobileNumbers } from './bench-sandbox';
import { BenchResult, roundTo, withFloor } from './bench-result';
import { cpuSeconds, rssMb } from './process-usage';
import { memorySplitLines, serviceMemorySplit } from './service-memory';
import { START_MALLOC_ENV, START_NODE_OPTIONS, freePort, runService } from '../test/utils/service-process';

const API_KEY = 'sk_benchmark_key_0000000000000004';
const MPS = 1_000;
const DISTINCT_NAMES = 1_000;
const TEMPLATE = 'Hi {{ name }}, your order is ready for collection. Reply STOP to opt out.';
const SIZES = [20_000, 100_000];

interface Progress {
  total: number;
  pending: number;
  submitted: number;
  queued: number;
  sent: number;
}

export async function runZeroConfigCampaignBenchmark(sizes = SIZES): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const size of sizes) {
    results.push(...(await campaign(size)));
  }
  return results;
}

async function campaign(size: number): Promise<BenchResult[]> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-bench-zero-config-'));
  const service = runService(
    {
      PORT: String(port),
      DATA_DIR: dataDir,
      API_KEY,
      LOG_LEVEL: 'warn',
      // `npm start`'s own flags (package.json).
      NODE_OPTIONS: START_NODE_OPTIONS,
      ...START_MALLOC_ENV,
      PLIVO_MPS: String(MPS),
      SANDBOX_MPS: String(MPS),
    },
    require.resolve('../src/main.js'),
  );
  const base = `http://127.0.0.1:${port}`;
  const label = `${size.toLocaleString('en-US')}-recipient personalized campaign`;
  const rssSamplesMb: number[] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    await service.waitFor(/Bulk SMS service ready/, 120_000);
    const pid = service.child.pid!;
    const rssIdle = rssMb(pid);
    const phones = gbMobileNumbers(size, 7_000_000);
    const csv = ['phone,name', ...phones.map((phone, i) => `${phone},Guest ${i % DISTINCT_NAMES}`)].join('\n') + '\n';
    const upload = await fetch(`${base}/api/recipient-lists`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'x-api-key': API_KEY },
      body: csv,
    });
    const list = (await upload.json()) as { id: string; recipients: number };
    if (upload.status !== 201 || list.recipients !== size) {
      throw new Error(`upload failed: ${upload.status} ${JSON.stringify(list).slice(0, 500)}`);
    }
    sampler = setInterval(() => rssSamplesMb.push(rssMb(pid)), 200);
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    const { sendBulk } = await graphql<{ sendBulk: { id: string } }>(
      base,
      API_KEY,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipientListId: list.id, recipients: [], text: TEMPLATE } },
    );
    const deadline = Date.now() + 600_000 + size * 10;
    for (;;) {
      const { campaign } = await graphql<{ campaign: { status: string; progress: Progress } }>(
        base,
        API_KEY,
        'query($id: ID!) { campaign(id: $id) { status progress { total pending submitted queued sent } } }',
        { id: sendBulk.id },
      );
      const { total, pending, submitted, queued, sent } = campaign.progress;
      // `sent` is a final status only where no receipt comes; these GB numbers all get one.
      if (campaign.status === 'COMPLETED' && total === size && pending + submitted + queued + sent === 0) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`campaign not complete: ${JSON.stringify(campaign)}\n${service.output().slice(-2_000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuBefore;
    clearInterval(sampler);
    const split = await serviceMemorySplit(pid, base);
    const sorted = [...rssSamplesMb].sort((a, b) => a - b);
    return [
      withFloor(
        {
          name: `zero-config default (npm start: PGlite, in-process sandbox), ${label} at ${MPS} MPS: every recipient final, after sendBulk; floor: sending alone (recipients / MPS)`,
          value: roundTo(seconds, 1),
          unit: 's',
          target: '-',
        },
        size / MPS,
      ),
      {
        name: `zero-config default, service steady-state RSS (median, sampled every 200 ms) during the ${label} (idle before: ${Math.round(rssIdle)} MB)`,
        value: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
        unit: 'MB',
        target: size <= 20_000 ? '< 300 MB' : '< 512 MB',
      },
      {
        name: `zero-config default, service peak RSS during the ${label}`,
        value: Math.round(sorted[sorted.length - 1] ?? 0),
        unit: 'MB',
        target: '< 512 MB',
      },
      ...memorySplitLines(split, `after the ${label}, zero-config default`),
      {
        name: `zero-config default, service CPU seconds for the ${label} (the sandbox and PGlite included)`,
        value: roundTo(cpu, 1),
        unit: 's',
        target: '-',
      },
    ];
  } catch (error) {
    throw new Error(`${label}: ${(error as Error).message}\n${service.output().slice(-3_000)}`);
  } finally {
    clearInterval(sampler);
    service.child.kill('SIGTERM');
    await service.exited.catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const sizes = process.argv[2] ? process.argv[2].split(',').map(Number) : SIZES;
  void runZeroConfigCampaignBenchmark(sizes).then(
    (results) => {
      console.table(results);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
