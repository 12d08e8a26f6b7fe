/*
 * Recipient validation benchmark: throughput, event-loop blocking and peak RSS for 100k and 1M numbers.
 * Each size and mode (2 worker threads, or in-thread time slices) runs in its own child process so RSS
 * figures do not mix. Needs compiled JavaScript (the workers load the compiled worker module):
 *
 *   npx tsc -p tsconfig.build.json --outDir /tmp/bench-out && node /tmp/bench-out/bench/recipient-validation.js
 *   node /tmp/bench-out/bench/recipient-validation.js 250000 in-thread   # one run
 */
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { validateRecipients } from '../src/messaging/recipient-validator';

// Example mobile numbers (libphonenumber's examples) whose last digits we vary.
const COUNTRIES: Array<{ country: string; callingCode: string; example: string }> = [
  { country: 'US', callingCode: '1', example: '2015550123' },
  { country: 'GB', callingCode: '44', example: '7400123456' },
  { country: 'DE', callingCode: '49', example: '15123456789' },
  { country: 'FR', callingCode: '33', example: '612345678' },
  { country: 'IN', callingCode: '91', example: '8123456789' },
  { country: 'BR', callingCode: '55', example: '11961234567' },
  { country: 'MX', callingCode: '52', example: '2221234567' },
  { country: 'NG', callingCode: '234', example: '8021234567' },
  { country: 'AU', callingCode: '61', example: '412345678' },
  { country: 'CA', callingCode: '1', example: '5062345678' },
];
const VARIED_DIGITS = 5;
const VARIATIONS = 10 ** VARIED_DIGITS;

/** Deterministic realistic inputs: E.164, spaced international and US national formats, ~1% invalid, ~1% duplicate. */
export function generateNumbers(count: number): string[] {
  const numbers: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 100 === 37) {
      numbers.push(invalidNumber(i));
      continue;
    }
    if (i % 100 === 71 && i > 1_000) {
      // The same number as an earlier input, in another format.
      numbers.push(format(i - 997, (i >> 3) % 3));
      continue;
    }
    numbers.push(format(i, (i * 7) % 10 < 6 ? 0 : (i * 7) % 10 < 8 ? 1 : 2));
  }
  return numbers;
}

function nationalNumber(i: number): { country: string; callingCode: string; national: string } {
  const { country, callingCode, example } = COUNTRIES[i % COUNTRIES.length];
  // Multiplying by a number coprime with 10^k permutes the suffixes: unique for the first 10^k per country.
  const suffix = String((Math.floor(i / COUNTRIES.length) * 7_919) % VARIATIONS).padStart(VARIED_DIGITS, '0');
  return { country, callingCode, national: example.slice(0, -VARIED_DIGITS) + suffix };
}

function format(i: number, style: number): string {
  const { country, callingCode, national } = nationalNumber(i);
  if (style === 2 && country === 'US') {
    return `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`;
  }
  if (style >= 1) {
    return `+${callingCode} ${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`;
  }
  return `+${callingCode}${national}`;
}

function invalidNumber(i: number): string {
  const kinds = ['+1 555 0100', '+4412', 'call me', '', '+999123456789', '+14155550101234567', '07400 123456'];
  return kinds[Math.floor(i / 100) % kinds.length];
}

type Mode = 'workers' | 'in-thread';

async function measure(size: number, mode: Mode): Promise<void> {
  const inputs = generateNumbers(size);
  global.gc?.();
  const rssBefore = process.memoryUsage.rss();
  let peakRss = rssBefore;
  let maxGap = 0;
  let ticks = 0;
  let last = performance.now();
  // Stands in for the health-check endpoint: how late does a 5 ms timer fire while validating?
  const heartbeat = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last - 5);
    last = now;
    ticks++;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 5);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();

  const started = performance.now();
  const result = await validateRecipients(inputs, {
    defaultCountry: 'US',
    parallelFrom: mode === 'workers' ? 0 : Infinity,
  });
  const wallMs = performance.now() - started;

  histogram.disable();
  clearInterval(heartbeat);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const reasons = new Map<string, number>();
  for (const { reason } of result.rejected) {
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }

  console.log(
    JSON.stringify({
      size,
      mode,
      wallMs: Math.round(wallMs),
      perSecond: Math.round((size / wallMs) * 1000),
      usPerNumber: +((wallMs * 1000) / size).toFixed(2),
      valid: result.valid.phones.length,
      rejected: Object.fromEntries(reasons),
      countries: result.perCountry.size,
      eventLoopDelayMaxMs: +(histogram.max / 1e6).toFixed(1),
      eventLoopDelayP99Ms: +(histogram.percentile(99) / 1e6).toFixed(1),
      heartbeatMaxLateMs: +maxGap.toFixed(1),
      heartbeats: ticks,
      rssBeforeMb: Math.round(rssBefore / 2 ** 20),
      peakRssMb: Math.round(peakRss / 2 ** 20),
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

async function main(): Promise<void> {
  const size = Number(process.argv[2]);
  if (size > 0) {
    await measure(size, process.argv[3] === 'in-thread' ? 'in-thread' : 'workers');
    return;
  }
  for (const each of [100_000, 1_000_000]) {
    for (const mode of ['workers', 'in-thread']) {
      await new Promise<void>((resolve, reject) => {
        fork(__filename, [String(each), mode], { stdio: 'inherit' }).on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`${each} ${mode} exited with ${code}`)),
        );
      });
    }
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
