/*
 * `npm run bench`: every benchmark in turn, on this machine, printed as two tables (PostgreSQL and what needs no
 * database; then the embedded default, PGlite) and written to bench/results/latest.md (the tables the README
 * shows). Needs PostgreSQL on 127.0.0.1:5432.
 *
 *   npm run bench                          every suite
 *   npm run bench -- delivery-reports      only the suites whose name contains one of the words
 *   npm run bench -- --list                the suite names
 *
 * Each suite measures its floor in the same run, alternating with ours (BENCH_ROUNDS, default 2), and
 * prints both beside their ratio: on a shared or slower machine only the ratios travel.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { BenchResult } from './bench-result';
import { runDeliveryReportStatementBenchmark } from './delivery-report-statement';
import { runDeliveryReportBenchmark } from './delivery-reports';
import { runDispatchControlBenchmark } from './dispatch-control';
import { runExportBenchmark } from './export';
import { runMessagePartitionsBenchmark } from './message-partitions';
import { runMultiInstanceBenchmark } from './multi-instance';
import { runPersonalizedDrainBenchmark } from './personalized-drain';
import { runQuoteBenchmark } from './quote';
import { runRecipientListCampaignBenchmark } from './recipient-list-campaign';
import { runSendBulkBenchmark } from './send-bulk';
import { runSmallRequestsBenchmark } from './small-requests';
import { runZeroConfigCampaignBenchmark } from './zero-config-campaign';

const SUITES: Array<[string, () => Promise<BenchResult[]>]> = [
  ['quote', runQuoteBenchmark],
  ['send-bulk-postgres', () => runSendBulkBenchmark('postgres')],
  ['send-bulk-pglite', () => runSendBulkBenchmark('pglite')],
  ['small-requests', runSmallRequestsBenchmark],
  ['delivery-reports-postgres', () => runDeliveryReportBenchmark('postgres')],
  ['delivery-reports-pglite', () => runDeliveryReportBenchmark('pglite')],
  ['dispatch-control', () => runDispatchControlBenchmark('postgres')],
  ['personalized-drain', () => runPersonalizedDrainBenchmark()],
  ['pglite-memory', () => runDispatchControlBenchmark('pglite')],
  ['zero-config-campaign', () => runZeroConfigCampaignBenchmark()],
  ['export', runExportBenchmark],
  // A large campaign through the streamed path: the list uploaded, then sent by recipientListId
  // (BENCH_RECIPIENT_LIST_ROWS rows, default 1,000,000).
  ['recipient-list-campaign', () => runRecipientListCampaignBenchmark(RECIPIENT_LIST_ROWS || 1_000_000)],
  // Optional too (1, 2 and 4 service processes on one database): `npm run bench -- multi-instance`.
  ['multi-instance', runMultiInstanceBenchmark],
  // Optional too (fills a database to 10,000,000 messages with COPY; BENCH_PARTITION_MESSAGES scales it):
  // `npm run bench -- message-partitions`.
  ['message-partitions', runMessagePartitionsBenchmark],
  // Optional too (PostgreSQL's CPU per report by intake statement size, beside a plain INSERT):
  // `npm run bench -- delivery-report-statement`.
  ['delivery-report-statement', () => runDeliveryReportStatementBenchmark()],
];
const RECIPIENT_LIST_ROWS = Number(process.env.BENCH_RECIPIENT_LIST_ROWS ?? 0);
/** The suites of the embedded default (no DATABASE_URL): their rows make a table of their own. */
const EMBEDDED_SUITES = new Set([
  'send-bulk-pglite',
  'delivery-reports-pglite',
  'pglite-memory',
  'zero-config-campaign',
]);
const EMBEDDED_HEADING = 'The embedded default (PGlite, as `npm start` runs without DATABASE_URL):';
const OPTIONAL_SUITES = new Set(['multi-instance', 'message-partitions', 'delivery-report-statement']);

function tableOf(results: BenchResult[]): string[] {
  return [
    '| benchmark | ours | floor (same run) | ratio | goal |',
    '| --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${format(r.value, r.unit)} | ${format(r.floor, r.floor === undefined ? '' : r.unit)} | ` +
        `${r.ratio === undefined ? '-' : `${format(r.ratio)}×`} | ${r.target} |`,
    ),
    '',
  ];
}

function format(value: number | undefined, unit = ''): string {
  if (value === undefined) {
    return '-';
  }
  return Number.isNaN(value) ? 'failed' : `${value.toLocaleString('en-US')}${unit ? ` ${unit}` : ''}`;
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  if (filters.includes('--list')) {
    console.log(SUITES.map(([name]) => name).join('\n'));
    return;
  }
  const selected = SUITES.filter(([name]) =>
    filters.length === 0 ? !OPTIONAL_SUITES.has(name) : filters.some((word) => name.includes(word)),
  );
  if (selected.length === 0) {
    throw new Error(`no suite matches ${filters.join(', ')}; suites: ${SUITES.map(([name]) => name).join(', ')}`);
  }
  const results: BenchResult[] = [];
  const embeddedResults: BenchResult[] = [];
  for (const [name, run] of selected) {
    const into = EMBEDDED_SUITES.has(name) ? embeddedResults : results;
    process.stderr.write(`running ${name}...\n`);
    const started = performance.now();
    try {
      into.push(...(await run()));
    } catch (error) {
      process.stderr.write(
        `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      into.push({ name: `${name} (failed)`, value: Number.NaN, unit: '', target: '' });
    }
    process.stderr.write(`${name} took ${Math.round((performance.now() - started) / 1000)} s\n`);
  }
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ` +
      `PostgreSQL on the same machine${filters.length > 0 ? ` (suites: ${selected.map(([name]) => name).join(', ')})` : ''}.`,
    '',
    ...(results.length > 0 ? tableOf(results) : []),
    ...(embeddedResults.length > 0 ? [EMBEDDED_HEADING, '', ...tableOf(embeddedResults)] : []),
  ].join('\n');
  console.log(table);
  const dir = path.resolve(__dirname, '../../bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, filters.length === 0 ? 'latest.md' : `partial-${filters.join('-')}.md`), table);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
