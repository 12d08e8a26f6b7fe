import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { waitFor } from '../../../test/utils/wait-for';
import { BACKGROUND_NICENESS } from './background-thread-priority';
import { startSourceWorker } from './source-worker';

/** This process's threads by id, each with its niceness (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceness(): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The command name, in parentheses, may hold spaces: the fields are counted after it.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(Number(tid), Number(fields[16]));
    } catch {
      // the thread ended while being read
    }
  }
  return threads;
}

const src = join(__dirname, '..', '..');
// The worker threads that parse large lists, each lowering its own priority as it loads.
const BACKGROUND_WORKERS: Array<[string, string]> = [
  ['the validation worker', join(src, 'messaging', 'recipient-validation-worker')],
  ['the upload parsing worker', join(src, 'recipient-lists', 'upload-parse-worker')],
  ['the request body parsing worker', join(src, 'common', 'http', 'bulk-json-body.worker')],
];

(process.platform === 'linux' ? describe : describe.skip)('lowerThisThreadsPriority (Linux)', () => {
  let worker: Worker | undefined;

  afterEach(async () => {
    await worker?.terminate();
    worker = undefined;
  });

  it.each(BACKGROUND_WORKERS)(
    'should make %s a thread of niceness BACKGROUND_NICENESS, leaving every other thread as it was',
    async (_name, path) => {
      const before = threadNiceness();
      worker = startSourceWorker(join(path, '..'), path.split('/').pop()!);

      const lowered = await waitFor(`a thread of niceness ${BACKGROUND_NICENESS}`, () => {
        const now = threadNiceness();
        const found = [...now].filter(([tid, niceness]) => !before.has(tid) && niceness === BACKGROUND_NICENESS);
        return Promise.resolve(found.length > 0 && found);
      });

      expect(lowered).toHaveLength(1);
      const after = threadNiceness();
      // The event loop's thread (its id is the process id) and the threads that were there keep theirs.
      expect(after.get(process.pid)).toBe(before.get(process.pid));
      for (const [tid, niceness] of before) {
        if (after.has(tid)) {
          expect(after.get(tid)).toBe(niceness);
        }
      }
    },
    // A worker compiles its TypeScript sources as it loads (startSourceWorker): slow on a busy machine.
    60_000,
  );
});
