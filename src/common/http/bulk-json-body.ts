import type { IncomingMessage } from 'node:http';
import type { Worker } from 'node:worker_threads';
import { IdleWorkerPool, WorkerSource } from '../async/idle-worker-pool';
import { startSourceWorker } from '../async/source-worker';
import type { BulkJsonBodyRequest, BulkJsonBodyResult } from './bulk-json-body-split';

// The parsing worker, compiled, or from TypeScript sources in tests (startSourceWorker), kept for 30 s after
// use: the next large body is parsed without waiting ~50 ms for a thread to start.
// A worker that parsed a larger body is terminated instead: its heap would be held through the rest of the
// request (a 16 MB body leaves tens of MB), for a start that is a few % of such a request's time.
const KEEP_WORKER_UP_TO_BYTES = 4 * 1024 * 1024;

// A body of this many recipients is parsed by a new worker kept ready (~0.3 MB), off any request's path.
const WARM_UP_RECIPIENTS = 20_000;

export const bulkJsonWorkers = new IdleWorkerPool(() => startSourceWorker(__dirname, 'bulk-json-body.worker'), {
  maxIdle: 1,
  idleMs: 30_000,
});

/** An error as body-parser (raw-body) makes it: `type` is what answerBodyError reads, `status` what Express does. */
function bodyError(message: string, type: string, status: number): Error {
  return Object.assign(new Error(message), { type, status, statusCode: status, expose: true });
}

/**
 * A JSON request body that may be large (an authenticated sendBulk or quote), parsed on a worker
 * thread: JSON.parse of a million recipients, GraphQL's coercion of them and the garbage of both
 * held the event loop for most of a second (docs/sending.md). This is a plain JSON body in
 * UTF-8 only; anything else goes through body-parser as before (`isSplittableJson`).
 */
export async function parseBulkJsonBody(
  req: IncomingMessage,
  limitBytes: number,
  maxRecipients: number,
  workers: WorkerSource = bulkJsonWorkers,
): Promise<BulkJsonBodyResult> {
  // Taken first: a thread that has to start does so while the body arrives.
  const worker = workers.take();
  let bytes: Uint8Array;
  try {
    bytes = await readBody(req, limitBytes);
  } catch (error) {
    workers.giveBack(worker);
    throw error;
  }
  const keep = bytes.byteLength <= KEEP_WORKER_UP_TO_BYTES;
  let answered = false;
  try {
    const result = await splitOnWorker(worker, bytes, maxRecipients);
    answered = true;
    return result;
  } finally {
    if (answered && keep) {
      workers.giveBack(worker);
    } else {
      void workers.discard(worker);
    }
  }
}

/** The worker's answer to one body; its listeners are removed once it answers or fails. */
function splitOnWorker(worker: Worker, bytes: Uint8Array, maxRecipients: number): Promise<BulkJsonBodyResult> {
  let onMessage: (result: BulkJsonBodyResult) => void = () => undefined;
  let onError: (error: Error) => void = () => undefined;
  let onExit: (code: number) => void = () => undefined;
  return new Promise<BulkJsonBodyResult>((resolve, reject) => {
    onMessage = resolve;
    onError = reject;
    onExit = (code) => reject(new Error(`body parsing worker exited with code ${code}`));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    const request: BulkJsonBodyRequest = { bytes, maxRecipients };
    worker.postMessage(request, [bytes.buffer as ArrayBuffer]);
  }).finally(() => {
    worker.off('message', onMessage).off('error', onError).off('exit', onExit);
  });
}

/**
 * Keeps a body-parsing worker started and warm from now until the service stops (WORKER_THREADS_READY):
 * the first large body does not wait for a thread, nor run on code the JIT has not compiled yet.
 */
export function keepBulkJsonWorkerReady(): Promise<void> {
  return bulkJsonWorkers.keepReady({
    count: 1,
    warmUp: async (worker) => {
      const recipients = Array.from({ length: WARM_UP_RECIPIENTS }, (_, i) => `+1415${2000000 + i}`);
      const body = JSON.stringify({
        query: 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
        variables: { input: { recipients, text: 'warm-up' } },
      });
      await splitOnWorker(worker, new TextEncoder().encode(body), WARM_UP_RECIPIENTS);
    },
  });
}

/** A JSON body with no content encoding, in UTF-8 (the only charset JSON has, and body-parser's default). */
export function isSplittableJson(req: IncomingMessage): boolean {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const [type, ...parameters] = (req.headers['content-type'] ?? '').toLowerCase().split(';');
  const charset = parameters.map((p) => p.trim()).find((p) => p.startsWith('charset='));
  return (
    encoding === 'identity' &&
    type.trim() === 'application/json' &&
    (charset === undefined || charset === 'charset=utf-8' || charset === 'charset="utf-8"')
  );
}

/**
 * The body's bytes, copied into one buffer of its own as they arrive (a buffer of the declared length,
 * so nothing is copied twice); refused like body-parser refuses it: over the limit (413), shorter or
 * longer than declared (400), broken off (400).
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'] === undefined ? NaN : Number(req.headers['content-length']);
    const tooLarge = () => bodyError('request entity too large', 'entity.too.large', 413);
    if (declared > limitBytes) {
      reject(tooLarge());
      return;
    }
    let buffer = new Uint8Array(Number.isFinite(declared) ? declared : 64 * 1024);
    let length = 0;
    const finish = (error: Error | null) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error) {
        // The rest of the upload is not wanted; drain it so the connection can answer.
        req.resume();
        reject(error);
      } else {
        resolve(buffer.subarray(0, length));
      }
    };
    const onData = (chunk: Buffer) => {
      if (length + chunk.length > limitBytes) {
        finish(tooLarge());
        return;
      }
      if (length + chunk.length > buffer.length) {
        const grown = new Uint8Array(Math.min(limitBytes, Math.max(buffer.length * 2, length + chunk.length)));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(chunk, length);
      length += chunk.length;
    };
    const onEnd = () =>
      finish(
        Number.isFinite(declared) && length !== declared
          ? bodyError('request size did not match content length', 'request.size.invalid', 400)
          : null,
      );
    // A request broken off mid-body emits 'error' (ECONNRESET "aborted") before 'close'.
    const onError = (error: Error) =>
      finish(req.complete ? error : bodyError('request aborted', 'request.aborted', 400));
    const onClose = () => {
      if (!req.complete) {
        finish(bodyError('request aborted', 'request.aborted', 400));
      }
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
