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
 * Only a few chunks are in flight, so the main thread never clones or merges more than one chunk at a time.
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
      const pending = new Map<number, ParseChunkResponse>();
      let nextToSend = 0;
      let nextToDeliver = 0;
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
      for (const worker of workers) {
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (nextToDeliver < chunks) {
            reject(new Error(`recipient validation worker exited with code ${code}`));
          }
        });
        worker.on('message', (response: ParseChunkResponse) => {
          pending.set(response.chunk, response);
          try {
            for (let ready = pending.get(nextToDeliver); ready; ready = pending.get(nextToDeliver)) {
              pending.delete(nextToDeliver);
              const start = nextToDeliver++ * options.chunkSize;
              for (let i = 0; i < ready.e164.length; i++) {
                if (ready.e164[i] === SAME_AS_INPUT) {
                  ready.e164[i] = inputs[start + i];
                }
              }
              onChunk(start, ready.e164, ready.tags);
            }
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          if (nextToDeliver === chunks) {
            resolve();
          } else {
            send(worker);
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
