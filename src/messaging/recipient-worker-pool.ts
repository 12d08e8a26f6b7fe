import { Worker } from 'node:worker_threads';
import type { CountryCode } from 'libphonenumber-js/core';
import { IdleWorkerPool, WorkerSource, singleUseWorkers } from '../common/async/idle-worker-pool';
import { startSourceWorker } from '../common/async/source-worker';
import { yieldToIo } from '../common/async/yield-to-io';
import { ParseChunkRequest, ParseChunkResponse, SAME_AS_INPUT } from './recipient-validation-messages';

export type WorkerFactory = () => Worker;

export interface ParallelParseOptions {
  workers: number;
  chunkSize: number;
  /** Where the workers come from and go back to; a factory's workers are terminated after use. */
  source: WorkerSource | WorkerFactory;
}

// The validation worker, compiled, or from TypeScript sources in tests (startSourceWorker).
export const defaultWorkerFactory: WorkerFactory = () => startSourceWorker(__dirname, 'recipient-validation-worker');

// Two: the validator's WORKERS. Kept for 30 s after use, so that a client sending campaigns one after
// another does not pay for starting and warming the threads each time (~100-300 ms of a 100,000 list).
export const validationWorkers = new IdleWorkerPool(defaultWorkerFactory, { maxIdle: 2, idleMs: 30_000 });

const IN_FLIGHT_PER_WORKER = 2;

// A new validation thread kept ready parses this many sample numbers before any request needs it:
// libphonenumber runs several times slower until the JIT has seen a few thousand numbers.
const WARM_UP_NUMBERS = 20_000;
// Mobile numbers in a dozen countries (E.164): their first digits, and how many follow; and inputs that
// are not numbers, so the rejection paths are compiled too.
const WARM_UP_PREFIXES: Array<[string, number]> = [
  ['+1415', 7],
  ['+1212', 7],
  ['+4474', 8],
  ['+49151', 8],
  ['+336', 8],
  ['+9198', 8],
  ['+55119', 8],
  ['+614', 8],
  ['+5255', 8],
  ['+346', 8],
  ['+393', 9],
  ['+8190', 8],
];
const WARM_UP_JUNK = ['12345', 'not a number', '+44 7400 12345 678'];

/**
 * Keeps the validation threads started and warm from now until the service stops (WORKER_THREADS_READY):
 * the first large list does not wait for threads, nor run on code the JIT has not compiled yet.
 */
export function keepValidationWorkersReady(): Promise<void> {
  return validationWorkers.keepReady({
    count: 2,
    warmUp: (worker) =>
      parseInWorkers(warmUpInputs(), undefined, () => undefined, {
        workers: 1,
        chunkSize: 5_000,
        source: { take: () => worker, giveBack: () => undefined, discard: () => Promise.resolve() },
      }),
  });
}

function warmUpInputs(): string[] {
  return Array.from({ length: WARM_UP_NUMBERS }, (_, i) => {
    if (i % 50 === 49) {
      return WARM_UP_JUNK[i % WARM_UP_JUNK.length];
    }
    const [prefix, digits] = WARM_UP_PREFIXES[i % WARM_UP_PREFIXES.length];
    return `${prefix}${String(2 * 10 ** (digits - 1) + i * 37)}`;
  });
}

/**
 * Parses `inputs` on worker threads in chunks and hands each chunk's results to `onChunk` in input order:
 * e164[i] is '' for a rejected input (tags[i] is the reason), else the E.164 number (tags[i] is the country).
 * Only a few chunks are in flight, and each chunk is merged in a turn of the event loop of its own: two
 * workers' chunks arriving together are not merged in one go, which held the loop for over 100 ms at 1,000,000.
 */
export async function parseInWorkers(
  inputs: readonly string[],
  defaultCountry: CountryCode | undefined,
  onChunk: (start: number, e164: string[], tags: string[]) => void,
  options: ParallelParseOptions,
): Promise<void> {
  const chunks = Math.ceil(inputs.length / options.chunkSize);
  const source = typeof options.source === 'function' ? singleUseWorkers(options.source) : options.source;
  const workers = Array.from({ length: Math.min(options.workers, chunks) }, () => source.take());
  const listening: Array<() => void> = [];
  let done = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const pending = new Map<number, { response: ParseChunkResponse; from: Worker }>();
      let nextToSend = 0;
      let nextToDeliver = 0;
      let delivering = false;
      let failed = false;
      const send = (worker: Worker): void => {
        if (nextToSend >= chunks) {
          return;
        }
        const start = nextToSend * options.chunkSize;
        const request: ParseChunkRequest = {
          chunk: nextToSend++,
          inputs: inputs.slice(start, start + options.chunkSize),
          defaultCountry,
        };
        worker.postMessage(request);
      };
      const fail = (error: unknown): void => {
        failed = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      // Merges the next chunk if it is here, then yields before the one after.
      const deliverNext = (): void => {
        const ready = pending.get(nextToDeliver);
        if (failed || !ready) {
          delivering = false;
          return;
        }
        pending.delete(nextToDeliver);
        const start = nextToDeliver++ * options.chunkSize;
        try {
          onChunk(start, ...chunkResults(ready.response, inputs, start));
        } catch (error) {
          fail(error);
          return;
        }
        if (nextToDeliver === chunks) {
          resolve();
          return;
        }
        // The worker that parsed it gets the next chunk: at most IN_FLIGHT_PER_WORKER chunks each are
        // parsed or waiting here, so a slow event loop never piles up results.
        send(ready.from);
        void yieldToIo().then(deliverNext);
      };
      for (const worker of workers) {
        const onExit = (code: number): void => {
          if (nextToDeliver < chunks) {
            fail(new Error(`recipient validation worker exited with code ${code}`));
          }
        };
        const onMessage = (response: ParseChunkResponse): void => {
          pending.set(response.chunk, { response, from: worker });
          if (!delivering) {
            delivering = true;
            deliverNext();
          }
        };
        worker.on('error', fail);
        worker.on('exit', onExit);
        worker.on('message', onMessage);
        listening.push(() => worker.off('error', fail).off('exit', onExit).off('message', onMessage));
        for (let i = 0; i < IN_FLIGHT_PER_WORKER; i++) {
          send(worker);
        }
      }
    });
    done = true;
  } finally {
    listening.forEach((stopListening) => stopListening());
    // Every chunk was answered: the workers are idle and may serve the next list. After a failure some
    // may still be parsing (or be dead): they go.
    if (done) {
      workers.forEach((worker) => source.giveBack(worker));
    } else {
      await Promise.all(workers.map((worker) => source.discard(worker)));
    }
  }
}

/** A chunk's results as onChunk takes them: the inputs' own strings where unchanged, the tags by name. */
function chunkResults(response: ParseChunkResponse, inputs: readonly string[], start: number): [string[], string[]] {
  const { e164, tagNames, tags } = response;
  const names = new Array<string>(tags.length);
  for (let i = 0; i < e164.length; i++) {
    if (e164[i] === SAME_AS_INPUT) {
      e164[i] = inputs[start + i];
    }
    names[i] = tagNames[tags[i]];
  }
  return [e164, names];
}
