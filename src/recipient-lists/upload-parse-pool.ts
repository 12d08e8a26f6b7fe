import { Worker } from 'node:worker_threads';
import { startSourceWorker } from '../common/async/source-worker';
import type { ParsedUploadSegment, UploadSegmentRequest } from './upload-segment';

export type UploadWorkerFactory = () => Worker;

/** The upload parse worker (compiled, or from TypeScript sources in tests: startSourceWorker). */
export const uploadWorkerFactory: UploadWorkerFactory = () => startSourceWorker(__dirname, 'upload-parse-worker');

/**
 * Worker threads that parse and validate an upload's segments in parallel, handing the results back in
 * segment order. `submit` waits while `maxInFlight` segments are out, so the body is read only as fast as
 * the workers keep up (back-pressure), and at most that many segments are held.
 */
export class UploadParsePool {
  private readonly workers: Worker[];
  private readonly busy: number[];
  private readonly waiting = new Map<
    number,
    { resolve: (r: ParsedUploadSegment) => void; reject: (e: Error) => void }
  >();
  /** Results not yet taken, in segment order. */
  private readonly results: Array<Promise<ParsedUploadSegment>> = [];
  private nextSegment = 0;
  private failure: Error | null = null;
  private closing = false;

  constructor(
    workers: number,
    private readonly maxInFlight: number,
    createWorker: UploadWorkerFactory = uploadWorkerFactory,
  ) {
    this.workers = Array.from({ length: workers }, () => createWorker());
    this.busy = this.workers.map(() => 0);
    this.workers.forEach((worker, index) => {
      worker.on('message', (result: ParsedUploadSegment) => {
        this.busy[index]--;
        const waiter = this.waiting.get(result.segment);
        this.waiting.delete(result.segment);
        waiter?.resolve(result);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closing) {
          this.fail(new Error(`recipient list upload worker exited with code ${code}`));
        }
      });
    });
  }

  get inFlight(): number {
    return this.results.length;
  }

  /** Sends a segment to the least busy worker (numbered here, in the order of the calls). */
  send(request: Omit<UploadSegmentRequest, 'segment'>): void {
    if (this.failure) {
      throw this.failure;
    }
    const segment = this.nextSegment++;
    const index = this.busy.indexOf(Math.min(...this.busy));
    this.busy[index]++;
    const result = new Promise<ParsedUploadSegment>((resolve, reject) =>
      this.waiting.set(segment, { resolve, reject }),
    );
    // Taken later by next(); until then a failure must not count as an unhandled rejection.
    result.catch(() => undefined);
    this.results.push(result);
    // Exactly these bytes, moved to the worker: the splitter's segments own their buffer; a view of a larger
    // one (the header record) is copied first, as moving it would clone the whole underlying buffer.
    const owned = request.bytes.byteOffset === 0 && request.bytes.byteLength === request.bytes.buffer.byteLength;
    const bytes = owned ? (request.bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(request.bytes);
    this.workers[index].postMessage({ ...request, bytes, segment } satisfies UploadSegmentRequest, [bytes.buffer]);
  }

  /** True when another segment may be sent without waiting for a result. */
  get hasRoom(): boolean {
    return this.results.length < this.maxInFlight;
  }

  /** The oldest result not yet taken (results come in the order the segments were sent). */
  async next(): Promise<ParsedUploadSegment> {
    const result = this.results.shift();
    if (!result) {
      throw new Error('no segment in flight');
    }
    return result;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) {
      waiter.reject(error);
    }
    this.waiting.clear();
  }
}
