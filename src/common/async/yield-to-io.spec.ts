import { readFile } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import { yieldToIo } from './yield-to-io';

/**
 * Calls `step` from an I/O callback (the poll phase, where a database answer's work runs): resolves to
 * whether the loop began a new iteration before `step` ended, seen by a timer that is due by then. An
 * iteration runs its due timers, then polls for I/O, then its immediates.
 */
function newIterationDuring(step: () => Promise<void>): Promise<boolean> {
  return new Promise((resolve, reject) => {
    readFile(__filename, () => {
      let timerRan = false;
      setTimeout(() => (timerRan = true), 0);
      // Past the timer's 1 ms, so that the next iteration finds it due.
      const start = performance.now();
      while (performance.now() - start < 3) {
        // busy, as long synchronous work is
      }
      step().then(() => resolve(timerRan), reject);
    });
  });
}

describe('yieldToIo', () => {
  it('should resume only after the loop went round (and polled for I/O), when called from an I/O callback', async () => {
    expect(await newIterationDuring(yieldToIo)).toBe(true);
  });

  it('is needed: one setImmediate from an I/O callback resumes in the same iteration, before any poll', async () => {
    expect(await newIterationDuring(() => setImmediate())).toBe(false);
  });
});
