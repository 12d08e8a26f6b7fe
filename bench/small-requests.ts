/*
 * Small requests: what one GraphQL request of each everyday kind costs the service in CPU, one client
 * sending one request at a time to the built service (dist/src/main.js, as `npm start` runs it) on a fresh
 * PostgreSQL database. The floor is the cheapest authenticated request the service can answer,
 * `{ __typename }` (HTTP, auth, GraphQL parse and validation, no resolver): each kind runs beside it,
 * BENCH_ROUNDS times in turn, so the ratio says how much the kind's own work (its statements, its
 * resolvers) adds to the framework's. Prisma 6.19 compiles every model query again (docs: README,
 * Database), which is why these paths are raw SQL; a model query slipping back in shows here.
 *
 *   npm run bench -- small-requests
 *   BENCH_SMALL_REQUESTS=1000 node dist/bench/run.js small-requests
 *   SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' ...   (profile the service; NODE_OPTIONS refuses --cpu-prof)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { START_NODE_OPTIONS, freePort, runService } from '../test/utils/service-process';
import { BENCH_ROUNDS, BenchResult, alternate, roundTo, withFloor } from './bench-result';
import { migratedDatabase } from './bench-sql';
import { cpuSeconds } from './process-usage';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const API_KEY = 'sk_benchmark_key_0000000000000004';
const REQUESTS = Number(process.env.BENCH_SMALL_REQUESTS ?? 500);
const WARM_UP = 100;
const FLOOR = 'an authenticated `{ __typename }`';

type Send = (query: string, variables?: Record<string, unknown>) => Promise<Record<string, unknown>>;
type Request = (index: number) => Promise<unknown>;

interface Kind {
  name: string;
  /** Prepares what the requests need (a campaign to read); returns one request. */
  prepare(send: Send): Request | Promise<Request>;
}

const inTwentyDays = (): string => new Date(Date.now() + 20 * 86_400_000).toISOString();
const SEND_BULK = 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id status } }';

async function scheduledCampaign(send: Send, recipients: string[]): Promise<string> {
  const data = await send(SEND_BULK, { input: { text: 'hello', recipients, scheduledAt: inTwentyDays() } });
  return (data.sendBulk as { id: string }).id;
}

const KINDS: Kind[] = [
  {
    name: 'quote of 3 recipients',
    prepare: (send) => () =>
      send('query($input: QuoteInput!) { quote(input: $input) { recipients totalCost { amount } } }', {
        input: { text: 'hello', recipients: ['+14155550100', '+447400123456', '+61412345678'] },
      }),
  },
  {
    name: 'sendBulk of 1 recipient, scheduled',
    prepare: (send) => (index) =>
      send(SEND_BULK, {
        input: {
          text: 'hello',
          recipients: [`+1415555${String(index % 10_000).padStart(4, '0')}`],
          scheduledAt: inTwentyDays(),
        },
      }),
  },
  {
    name: 'campaign with its progress',
    prepare: async (send) => {
      const id = await scheduledCampaign(send, ['+14155550100', '+447400123456']);
      return () =>
        send(
          'query($id: ID!) { campaign(id: $id) { id status progress { status pending submitted delivered failed waitingForWindow heldByBrake } estimatedCost { amount } } }',
          { id },
        );
    },
  },
  {
    name: 'campaigns(first: 20)',
    prepare: async (send) => {
      for (let i = 0; i < 20; i++) {
        await scheduledCampaign(send, [`+1415555${String(1000 + i)}`]);
      }
      return () => send('query { campaigns(first: 20) { edges { node { id status } } pageInfo { hasNextPage } } }');
    },
  },
  {
    name: 'messages(first: 50, status) with totalCount',
    prepare: async (send) => {
      const recipients = Array.from({ length: 60 }, (_, i) => `+1415556${String(1000 + i)}`);
      const id = await scheduledCampaign(send, recipients);
      return () =>
        send(
          'query($id: ID!) { campaign(id: $id) { messages(first: 50, status: PENDING) { edges { node { to status text } } totalCount } } }',
          { id },
        );
    },
  },
];

/** Service CPU milliseconds per request, and requests a second, over `count` requests one at a time. */
async function measure(pid: number, request: Request, count: number, offset: number) {
  for (let i = 0; i < WARM_UP; i++) {
    await request(offset + i);
  }
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await request(offset + WARM_UP + i);
  }
  const seconds = (performance.now() - started) / 1000;
  return { cpuMs: ((cpuSeconds(pid) - cpuBefore) * 1000) / count, perSecond: count / seconds };
}

export async function runSmallRequestsBenchmark(): Promise<BenchResult[]> {
  const database = await migratedDatabase(ADMIN_URL, `bulk_sms_small_${process.pid}_${Date.now()}`);
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-small-'));
  const service = runService(
    {
      PORT: String(port),
      API_BASE_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: START_NODE_OPTIONS,
      API_KEY,
      // One client asks thousands of times a minute: the rate limit is not what is measured.
      GRAPHQL_RATE_LIMIT: '10000000',
    },
    require.resolve('../src/main.js'),
    (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  try {
    await service.waitFor(/Bulk SMS service ready/, 120_000);
    const send: Send = async (query, variables) => {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      if (body.errors) {
        throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      }
      return body.data!;
    };
    const pid = service.child.pid!;
    const floorRequest = () => send('query { __typename }');
    const results: BenchResult[] = [];
    let offset = 0;
    for (const kind of KINDS) {
      const request = await kind.prepare(send);
      const runs = await alternate(
        BENCH_ROUNDS,
        () => measure(pid, request, REQUESTS, (offset += REQUESTS + WARM_UP)),
        () => measure(pid, floorRequest, REQUESTS, 0),
      );
      runs.forEach(({ ours, floor }, index) => {
        const round = `run ${index + 1}`;
        results.push(
          withFloor(
            {
              name: `service CPU per request, ${kind.name}, ${round} (${roundTo(ours.perSecond, 0)}/s; floor ${roundTo(floor.perSecond, 0)}/s); floor: ${FLOOR}`,
              value: roundTo(ours.cpuMs, 2),
              unit: 'ms',
              target: '-',
            },
            floor.cpuMs,
          ),
        );
      });
    }
    return results;
  } finally {
    service.child.kill('SIGTERM');
    await service.exited;
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}

if (require.main === module) {
  runSmallRequestsBenchmark()
    .then((results) => results.forEach((r) => console.log(JSON.stringify(r))))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
