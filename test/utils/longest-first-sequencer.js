// Orders the integration files longest first, also on a fresh clone (CI), where Jest has no timings
// of its own and orders by file size: a 35 s drill of 2.7 KB then started among the last files and
// kept one worker busy alone at the end. Jest's own timings, once it has them, come first.
const TestSequencer = require('@jest/test-sequencer').default;
const path = require('node:path');

// Seconds each took in a full run with a CPU hog (2026-12-05, 2 AMD EPYC cores, three workers);
// only their order matters. Files not listed come after these, by size as before.
/** @type {Record<string, number | undefined>} */
const TYPICAL_SECONDS = {
  'test/e2e/console.e2e-spec.ts': 84,
  'test/e2e/campaign-control.e2e-spec.ts': 57,
  'test/integration/messaging/dispatcher-faults.int-spec.ts': 53,
  'test/e2e/crash-recovery.e2e-spec.ts': 52,
  'test/e2e/service-process.e2e-spec.ts': 46,
  'test/e2e/campaign-stall.e2e-spec.ts': 35,
  'test/e2e/results-out.e2e-spec.ts': 31,
  'test/e2e/send-bulk.e2e-spec.ts': 31,
  'test/e2e/webhook-saturation.e2e-spec.ts': 27,
  'test/integration/messaging/subaccount-recovery.int-spec.ts': 22,
  'test/e2e/cli.e2e-spec.ts': 19,
  'test/e2e/recipient-lists.e2e-spec.ts': 17,
  'test/e2e/redis-progress.e2e-spec.ts': 17,
  'test/integration/delivery-reports/overdue-report-poller.int-spec.ts': 17,
};

class LongestFirstSequencer extends TestSequencer {
  /**
   * @param {import('@jest/test-result').Test} test
   * @returns {number}
   */
  time(test) {
    /** @type {number | undefined} */
    const measured = super.time(test);
    if (measured !== undefined) {
      return measured;
    }
    const typical = TYPICAL_SECONDS[path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/')];
    if (typical !== undefined) {
      return typical * 1000;
    }
    // Jest runs files without a time before those with one, so every file gets one: its size in
    // kilobytes as milliseconds, below every listed file's and in the order of Jest's own fallback.
    return (test.context.hasteFS.getSize(test.path) ?? 0) / 1000;
  }
}

module.exports = LongestFirstSequencer;
