/*
 * Quote benchmark: 100,000 realistic recipients (10 countries, mixed formats, ~1% invalid, ~1% duplicate)
 * quoted through PricingService, with prices fetched through the real Plivo SDK from an in-process sandbox
 * (cold: nothing cached) and then answered from the cache (warm), BENCH_ROUNDS times, each beside its floor
 * (bench/floors/quote-floor.ts: libphonenumber's parse of the same numbers in one loop, nothing kept). The price
 * table is kept in memory so the figure is the service's own work; the database adds one indexed lookup per
 * quote. Then the cost growth (BENCH_QUOTE_SIZES, best of BENCH_QUOTE_GROWTH_ROUNDS, default 3 or BENCH_ROUNDS if
 * more, the sizes in turn within each round and ours and the floor in turn at each size, in CPU time as well as
 * wall clock; a size under 100,000 is the mean of as many quotes as cover 100,000 recipients) and the
 * personalized quote against the plain one (bench/personalized-quote.ts, BENCH_PERSONALIZED_QUOTE_SIZE, default
 * 1,000,000). Each figure carries the load average (`uptime`) it was taken at: the machine is shared.
 *
 *   npm run bench -- quote
 *
 *   npx tsc -p tsconfig.build.json --outDir /tmp/bench-out
 *   NODE_PATH=/work/main/node_modules node /tmp/bench-out/bench/quote.js
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { PriceRepository, StoredPrice } from '../src/persistence/price.repository';
import { PriceCatalogService } from '../src/pricing/price-catalog.service';
import type { Quote } from '../src/pricing/models/quote.model';
import { PricingService } from '../src/pricing/pricing.service';
import { Clock } from '../src/common/time/clock';
import { RecipientListRepository } from '../src/persistence/recipient-list.repository';
import { PersonalizedRecipientsService } from '../src/recipient-lists/personalized-recipients';
import { PlivoSandbox } from '../src/sandbox/sandbox';
import { PlivoSmsGateway } from '../src/sms-gateway/plivo-sms.gateway';
import { ProviderAccount } from '../src/sms-gateway/provider-account';
import { generateNumbers } from './recipient-validation';
import { BENCH_ROUNDS, BenchResult, growthLines, roundTo, withFloor } from './bench-result';
import { parseEveryNumber } from './floors/quote-floor';
import { runPersonalizedQuoteBenchmark } from './personalized-quote';

export type { BenchResult };

const RECIPIENTS = 100_000;
const GROWTH_MIN_RECIPIENTS = 100_000;
// The growth's rounds: more than BENCH_ROUNDS' default, since a round of all four sizes takes ~10 s.
const GROWTH_ROUNDS = Number(process.env.BENCH_QUOTE_GROWTH_ROUNDS ?? Math.max(3, BENCH_ROUNDS));
const TARGET_MS = 2_000;
const TEXT = 'Flash sale: 20% off everything until midnight! Show this text in store. Reply STOP to opt out.';
const FLOOR = 'libphonenumber-js parse of the same numbers in one thread, nothing kept';

interface Measured<T> {
  result: T;
  wallMs: number;
  /** This process's CPU time, every thread (the garbage collector's helpers included). */
  cpuMs: number;
}

async function measure<T>(work: () => T | Promise<T>): Promise<Measured<T>> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { result, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function load(): string {
  return `load ${loadavg()[0].toFixed(1)}`;
}

/**
 * Milliseconds this thread has spent runnable but waiting for a core (Linux: /proc/thread-self/schedstat), or
 * undefined elsewhere: on a shared machine it is what stretches the event-loop delay beyond the service's own
 * time slices.
 */
function waitedForCoreMs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return undefined;
  }
}

/** Stands in for the Price table: same contract, kept in memory. */
function inMemoryPrices(): PriceRepository {
  const table = new Map<string, StoredPrice>();
  const repository: Pick<PriceRepository, 'findMany' | 'upsertMany' | 'findExpiringBefore'> = {
    findMany: (countries) =>
      Promise.resolve(new Map(countries.filter((c) => table.has(c)).map((c) => [c, table.get(c)!]))),
    upsertMany: (prices) => {
      prices.forEach((price) => table.set(price.country, price));
      return Promise.resolve();
    },
    findExpiringBefore: (date) => Promise.resolve([...table.values()].filter((price) => price.expiresAt < date)),
  };
  return repository as PriceRepository;
}

export async function runQuoteBenchmark(): Promise<BenchResult[]> {
  if (!Number.isInteger(GROWTH_ROUNDS) || GROWTH_ROUNDS < 1) {
    throw new Error(`BENCH_QUOTE_GROWTH_ROUNDS must be a whole number of rounds, at least 1 (got ${GROWTH_ROUNDS})`);
  }
  const sandbox = await new PlivoSandbox({ seed: 42 }).start(0);
  try {
    const gateway = new PlivoSmsGateway({
      authId: sandbox.authId,
      authToken: sandbox.authToken,
      apiUrl: sandbox.apiUrl,
      timeoutMs: 10_000,
    });
    const account = new ProviderAccount('sandbox', sandbox.authId, '+14155550100', []);
    const catalog = new PriceCatalogService(inMemoryPrices(), gateway, account, { now: () => new Date() });
    const pricing = new PricingService(catalog);
    const recipients = generateNumbers(RECIPIENTS);
    const input = { text: TEXT, recipients, defaultCountry: 'US', smartEncoding: true };

    // The event-loop delay and the waits for a core are taken over our quotes only: the floor blocks the loop
    // on purpose. One histogram per quote: a histogram enabled again counts the time it was off as one delay.
    let maxDelayMs = 0;
    let waitedMs: number | undefined = 0;
    const quoteWatched = async (): Promise<Measured<Quote>> => {
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      const waitedBefore = waitedForCoreMs();
      histogram.enable();
      const measured = await measure(() => pricing.quote(input));
      histogram.disable();
      const waitedAfter = waitedForCoreMs();
      maxDelayMs = Math.max(maxDelayMs, histogram.max / 1e6);
      waitedMs =
        waitedMs === undefined || waitedBefore === undefined || waitedAfter === undefined
          ? undefined
          : waitedMs + waitedAfter - waitedBefore;
      return measured;
    };
    const cold = await quoteWatched();
    const coldLoad = load();
    const runs: Array<{ warm: Measured<Quote>; floor: Measured<number>; load: string }> = [];
    for (let round = 1; round <= BENCH_ROUNDS; round++) {
      const warm = await quoteWatched();
      const floor = await measure(() => parseEveryNumber(recipients, 'US'));
      runs.push({ warm, floor, load: load() });
      if (warm.result.totalCost.amount !== cold.result.totalCost.amount || warm.result.recipients < RECIPIENTS * 0.97) {
        throw new Error(
          `unexpected quote: ${JSON.stringify({ ...warm.result, rejectedRecipients: warm.result.rejectedRecipients.length })}`,
        );
      }
    }
    const quoted = runs[0].warm.result;
    console.error(
      `quote of ${RECIPIENTS.toLocaleString('en-US')}: ${quoted.recipients} valid, ${quoted.rejectedRecipients.length} rejected, ` +
        `${quoted.perCountry.length} countries, ${quoted.segments} segment(s), total ${quoted.totalCost.amount} ${quoted.totalCost.currency}`,
    );
    // Cost growth, prices cached: the best of BENCH_ROUNDS measurements at each size, in wall-clock time and in CPU
    // time (this process, every thread): on a shared machine the wall clock also counts the waits for a core,
    // which grow with the load, not with the quote. The floor's own steps, measured in turn with ours, show
    // how much of a step is the machine's (caches, memory, other engineers' load) rather than the quote's.
    // The sizes are measured in turn within each round (1,000, 10,000, 100,000, 1,000,000, then again), not
    // one size's rounds after another's: a slower minute of this shared machine then falls on every size of a
    // round alike instead of on one step. On 2026-12-06, one size after another, two runs of this suite gave
    // the step to 1,000,000 as ×16.9 and ×8.9 with nothing else running.
    const sizes = (process.env.BENCH_QUOTE_SIZES ?? '1000,10000,100000,1000000').split(',').map(Number);
    const points = sizes.map((size) => ({
      size,
      numbers: generateNumbers(size),
      best: Number.POSITIVE_INFINITY,
      bestCpu: Number.POSITIVE_INFINITY,
      bestFloorCpu: Number.POSITIVE_INFINITY,
      loads: [] as string[],
    }));
    for (let round = 0; round < GROWTH_ROUNDS; round++) {
      for (const point of points) {
        // Smaller quotes are repeated until a measurement covers GROWTH_MIN_RECIPIENTS, and the figure is the mean
        // per quote: a quote of 1,000 fits between two young-generation collections, so the best of two single
        // runs is one that paid for none, while larger quotes pay their share.
        const repeats = Math.max(1, Math.ceil(GROWTH_MIN_RECIPIENTS / point.size));
        const ours = await measure(async () => {
          for (let i = 0; i < repeats; i++) {
            await pricing.quote({ ...input, recipients: point.numbers });
          }
        });
        point.best = Math.min(point.best, ours.wallMs / repeats);
        point.bestCpu = Math.min(point.bestCpu, ours.cpuMs / repeats);
        const floor = await measure(() => {
          for (let i = 0; i < repeats; i++) {
            parseEveryNumber(point.numbers, 'US');
          }
        });
        point.bestFloorCpu = Math.min(point.bestFloorCpu, floor.cpuMs / repeats);
        point.loads.push(loadavg()[0].toFixed(1));
      }
    }
    const growth: Array<{ size: number; value: number; note: string }> = [];
    const cpuGrowth: Array<{ size: number; value: number; note: string }> = [];
    const floorCpuGrowth: Array<{ size: number; value: number; note: string }> = [];
    for (const point of points) {
      const note = `load ${point.loads.join(', ')}`;
      growth.push({ size: point.size, value: roundTo(point.best, 1), note });
      cpuGrowth.push({ size: point.size, value: roundTo(point.bestCpu, 1), note });
      floorCpuGrowth.push({ size: point.size, value: roundTo(point.bestFloorCpu, 1), note });
      console.error(
        `quote growth: ${point.size.toLocaleString('en-US')} recipients, best of ${GROWTH_ROUNDS} ${Math.round(point.best)} ms, ` +
          `CPU ${Math.round(point.bestCpu)} ms (floor ${Math.round(point.bestFloorCpu)} ms); ${note}`,
      );
    }
    // Personalized (a list and a template) against the plain quote of the same numbers.
    const personalizedSize = Number(process.env.BENCH_PERSONALIZED_QUOTE_SIZE ?? 1_000_000);
    const personalized = await runPersonalizedQuoteBenchmark(
      (prisma) =>
        new PricingService(
          catalog,
          new PersonalizedRecipientsService(new RecipientListRepository(prisma), new Clock()),
        ),
      personalizedSize,
      TEXT,
    );
    const target = `< ${TARGET_MS} ms`;
    const waited =
      waitedMs === undefined ? '' : `; the event loop's thread waited ${Math.round(waitedMs)} ms in all for a core`;
    return [
      ...runs.map(({ warm, floor, load: runLoad }, i) =>
        withFloor(
          {
            name: `quote 100k recipients (prices cached), run ${i + 1} (${runLoad}); floor: ${FLOOR}`,
            value: Math.round(warm.wallMs),
            unit: 'ms',
            target,
          },
          Math.round(floor.wallMs),
        ),
      ),
      {
        name: `quote 100k recipients, prices fetched from the sandbox (${coldLoad})`,
        value: Math.round(cold.wallMs),
        unit: 'ms',
        target,
      },
      {
        name: `quote 100k recipients: max event-loop delay over the ${runs.length + 1} quotes above (${coldLoad}${waited})`,
        value: roundTo(maxDelayMs, 1),
        unit: 'ms',
        target: '< 50 ms',
      },
      ...growthLines('cost growth: quote (prices cached, best run), wall clock', 'ms', growth),
      ...growthLines('cost growth: quote (prices cached, best run), CPU time', 'ms', cpuGrowth),
      ...growthLines(`cost growth: quote floor, ${FLOOR} (best run), CPU time`, 'ms', floorCpuGrowth),
      ...personalized,
    ];
  } finally {
    await sandbox.stop();
  }
}

if (require.main === module) {
  runQuoteBenchmark()
    .then((results) => {
      console.table(results);
      const slow = results.filter((r) => r.unit === 'ms' && r.target === `< ${TARGET_MS} ms` && r.value >= TARGET_MS);
      if (slow.length > 0) {
        console.error(`Over target: ${slow.map((r) => r.name).join(', ')}`);
        process.exitCode = 1;
      }
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
