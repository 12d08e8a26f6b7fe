/*
 * `npm run bench`: every benchmark in turn, on this machine, printed as one table and written to
 * bench/results/latest.md (the table the README shows). Needs PostgreSQL on 127.0.0.1:5432.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { BenchResult } from './bench-result';
import { runDeliveryReportBenchmark } from './delivery-reports';
import { runDispatchControlBenchmark } from './dispatch-control';
import { runQuoteBenchmark } from './quote';
import { runSendBulkBenchmark } from './send-bulk';

async function main(): Promise<void> {
  const results: BenchResult[] = [];
  const suites: Array<[string, () => Promise<BenchResult[]>]> = [
    ['quote', runQuoteBenchmark],
    ['sendBulk acceptance', runSendBulkBenchmark],
    ['delivery reports', () => runDeliveryReportBenchmark()],
    ['dispatch: drain rate and control latency', runDispatchControlBenchmark],
  ];
  for (const [name, run] of suites) {
    process.stderr.write(`running ${name}...\n`);
    try {
      results.push(...(await run()));
    } catch (error) {
      process.stderr.write(`${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      results.push({ name: `${name} (failed)`, value: Number.NaN, unit: '', target: '' });
    }
  }
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, PostgreSQL on the same machine.`,
    '',
    '| benchmark | result | target |',
    '| --- | --- | --- |',
    ...results.map((r) => `| ${r.name} | ${Number.isNaN(r.value) ? 'failed' : `${r.value} ${r.unit}`} | ${r.target} |`),
    '',
  ].join('\n');
  console.log(table);
  const dir = path.resolve(__dirname, '../../bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.md'), table);
  process.exit(0);
}

void main();
