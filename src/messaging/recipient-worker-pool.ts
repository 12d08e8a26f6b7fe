import { Worker } from 'node:worker_threads';
import type { CountryCode } from 'libphonenumber-js/core';
import { startSourceWorker } from '../common/async/source-worker';
import { ParseChunkRequest, ParseChunkResponse, SAME_AS_INPUT } from './recipient-validation-messages';

export type WorkerFactory = () => Worker;

export interface ParallelParseOptions {
  workers: number;
  chunkSize: number;
  createWorker: WorkerFactory;
}

// The validation worker, compiled, or from TypeScript sources in tests (startSourceWorker).
export const defaultWorkerFactory: WorkerFactory = () => startSourceWorker(__dirname, 'recipient-validation-worker');

const IN_FLIGHT_PER_WORKER = 2;

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
  const workers = Array.from({ length: Math.min(options.workers, chunks) }, () => options.createWorker());
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
        setImmediate(deliverNext);
      };
      for (const worker of workers) {
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (nextToDeliver < chunks) {
            fail(new Error(`recipient validation worker exited with code ${code}`));
          }
        });
        worker.on('message', (response: ParseChunkResponse) => {
          pending.set(response.chunk, { response, from: worker });
          if (!delivering) {
            delivering = true;
            deliverNext();
          }
        });
        for (let i = 0; i < IN_FLIGHT_PER_WORKER; i++) {
          send(worker);
        }
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
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
