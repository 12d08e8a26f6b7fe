#!/usr/bin/env node
// `npm test`: the unit stage, then the integration stage (run even when units fail, so one run
// shows everything), each timed; exits non-zero if either failed. Closes with one summary line.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const jest = require.resolve('jest/bin/jest');
// TEST_WORKERS sets both stages' workers; TEST_WORKERS=1 runs the files one by one.
/** @param {number} byDefault */
const workers = (byDefault) => Math.max(1, Number(process.env.TEST_WORKERS) || byDefault);
const stages = [
  // Jest's default on 2 cores is one worker; units are CPU-bound and finish sooner on two.
  { name: 'unit', args: ['--config', 'jest.config.js', `--maxWorkers=${workers(2)}`] },
  // Three test files at a time by default (each Jest worker has its own databases): much of an
  // integration test is waiting on timers, sockets and other processes, so on two cores a third
  // file fills the waits (README, Tests).
  {
    name: 'integration',
    args: ['--config', 'test/jest-integration.config.js', `--maxWorkers=${workers(3)}`, '--forceExit'],
  },
];
// `node scripts/run-tests.js integration test/e2e/x` runs one stage, with jest arguments after it.
const [only, ...extra] = process.argv.slice(2);
const results = [];
const outDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-tests-'));

for (const stage of stages.filter((s) => !only || s.name === only)) {
  const outputFile = path.join(outDir, `${stage.name}.json`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [jest, ...stage.args, ...extra, '--json', `--outputFile=${outputFile}`], {
    stdio: 'inherit',
    cwd: path.resolve(__dirname, '..'),
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  let passed = 0;
  let failed = 0;
  try {
    const report = JSON.parse(readFileSync(outputFile, 'utf8'));
    passed = report.numPassedTests;
    failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
    printSlowestFiles(report);
  } catch {
    failed = 1; // no report: the stage did not run
  }
  const ok = run.status === 0;
  results.push({ name: stage.name, seconds, passed, failed, ok });
  console.log(`\n== ${stage.name} stage: ${ok ? 'passed' : 'FAILED'} in ${seconds} s (${passed} passed, ${failed} failed)\n`);
}
/** The ten longest test files of a stage, so a slow suite shows where its time goes. */
function printSlowestFiles(report) {
  const root = path.resolve(__dirname, '..') + path.sep;
  const files = report.testResults
    .map((r) => ({ file: r.name.replace(root, ''), seconds: (r.endTime - r.startTime) / 1000 }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 10);
  if (files.length > 0) {
    console.log('slowest files:');
    for (const f of files) {
      console.log(`  ${f.seconds.toFixed(1).padStart(7)} s  ${f.file}`);
    }
  }
}

rmSync(outDir, { recursive: true, force: true });

for (const r of results) {
  console.log(`${r.name.padEnd(12)} ${String(r.seconds).padStart(5)} s  ${r.passed} passed, ${r.failed} failed`);
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
