/*
 * Quote benchmark: 100,000 realistic recipients (10 countries, mixed formats, ~1% invalid, ~1% duplicate)
 * quoted through PricingService, with prices fetched through the real Plivo SDK from an in-process sandbox
 * (cold: nothing cached) and then answered from the cache (warm). The price table is kept in memory so the
 * figure is the service's own work; the database adds one indexed lookup per quote. Then the cost growth
 * (BENCH_QUOTE_SIZES, best of BENCH_ROUNDS) and the personalized quote against the plain one
 * (bench/personalized-quote.ts, BENCH_PERSONALIZED_QUOTE_SIZE, default 1,000,000).
 *
 *   npm run bench -- quote
 *
 *   npx tsc -p tsconfig.build.json --outDir /tmp/bench-out
 *   NODE_PATH=/work/main/node_modules node /tmp/bench-out/bench/quote.js
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { PriceRepository, StoredPrice } from '../src/persistence/price.repository';
import { PriceCatalogService } from '../src/pricing/price-catalog.service';
import { PricingService } from '../src/pricing/pricing.service';
import { Clock } from '../src/common/time/clock';
import { RecipientListRepository } from '../src/persistence/recipient-list.repository';
import { PersonalizedRecipientsService } from '../src/recipient-lists/personalized-recipients';
import { PlivoSandbox } from '../src/sandbox/sandbox';
import { PlivoSmsGateway } from '../src/sms-gateway/plivo-sms.gateway';
import { ProviderAccount } from '../src/sms-gateway/provider-account';
import { generateNumbers } from './recipient-validation';
import { BENCH_ROUNDS, BenchResult, growthLines } from './bench-result';
import { runPersonalizedQuoteBenchmark } from './personalized-quote';

export type { BenchResult };

const RECIPIENTS = 100_000;
const TARGET_MS = 2_000;
const TEXT = 'Flash sale: 20% off everything until midnight! Show this text in store. Reply STOP to opt out.';

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

    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    let started = performance.now();
    const cold = await pricing.quote(input);
    const coldMs = performance.now() - started;
    started = performance.now();
    const warm = await pricing.quote(input);
    const warmMs = performance.now() - started;
    histogram.disable();

    if (warm.totalCost.amount !== cold.totalCost.amount || warm.recipients < RECIPIENTS * 0.97) {
      throw new Error(
        `unexpected quote: ${JSON.stringify({ ...warm, rejectedRecipients: warm.rejectedRecipients.length })}`,
      );
    }
    console.error(
      `quote of ${RECIPIENTS.toLocaleString('en-US')}: ${warm.recipients} valid, ${warm.rejectedRecipients.length} rejected, ` +
        `${warm.perCountry.length} countries, ${warm.segments} segment(s), total ${warm.totalCost.amount} ${warm.totalCost.currency}`,
    );
    // Cost growth, prices cached: the best of BENCH_ROUNDS quotes at each size, in wall-clock time and in CPU
    // time (this process, every thread): on a shared machine the wall clock also counts the waits for a core,
    // which grow with the load, not with the quote.
    const growth: Array<{ size: number; value: number }> = [];
    const cpuGrowth: Array<{ size: number; value: number }> = [];
    for (const size of (process.env.BENCH_QUOTE_SIZES ?? '1000,10000,100000,1000000').split(',').map(Number)) {
      const numbers = generateNumbers(size);
      let best = Number.POSITIVE_INFINITY;
      let bestCpu = Number.POSITIVE_INFINITY;
      for (let round = 0; round < BENCH_ROUNDS; round++) {
        const cpuBefore = process.cpuUsage();
        started = performance.now();
        await pricing.quote({ ...input, recipients: numbers });
        best = Math.min(best, performance.now() - started);
        const cpu = process.cpuUsage(cpuBefore);
        bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
      }
      growth.push({ size, value: Math.round(best * 10) / 10 });
      cpuGrowth.push({ size, value: Math.round(bestCpu * 10) / 10 });
      console.error(
        `quote growth: ${size.toLocaleString('en-US')} recipients, best ${Math.round(best)} ms, ` +
          `CPU ${Math.round(bestCpu)} ms; load ${loadavg()[0].toFixed(1)}`,
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
    return [
      { name: 'quote 100k recipients (prices cached)', value: Math.round(warmMs), unit: 'ms', target },
      {
        name: 'quote 100k recipients (prices fetched from the sandbox)',
        value: Math.round(coldMs),
        unit: 'ms',
        target,
      },
      {
        name: 'quote 100k recipients: max event-loop delay',
        value: +(histogram.max / 1e6).toFixed(1),
        unit: 'ms',
        target: '< 50 ms',
      },
      ...growthLines('cost growth: quote (prices cached, best run), wall clock', 'ms', growth),
      ...growthLines('cost growth: quote (prices cached, best run), CPU time', 'ms', cpuGrowth),
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
