import { createHash, randomBytes } from 'node:crypto';
import {
  createServer,
  request,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { IdleWorkerPool, closeIdleWorkerPools } from '../async/idle-worker-pool';
import { startSourceWorker } from '../async/source-worker';
import {
  bulkJsonWorkers,
  isSplittableJson,
  keepBulkJsonWorkerReady,
  parseBulkJsonBody,
  readBody,
} from './bulk-json-body';
import { BulkJsonBodyResult, unpackRecipients } from './bulk-json-body-split';

const LIMIT = 200_000;

/** What the server's handler made of a request: the body's length and hash, or the error's status and type. */
interface Outcome {
  status: number;
  length?: number;
  sha256?: string;
  type?: string;
}

interface Answer {
  status: number;
  body: Outcome;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** One promise per request path, settled by whichever side comes second (the handler or the test). */
class Signals<T> {
  private readonly entries = new Map<string, { promise: Promise<T>; resolve: (value: T) => void }>();

  of(path: string) {
    let entry = this.entries.get(path);
    if (!entry) {
      let resolve: (value: T) => void = () => undefined;
      const promise = new Promise<T>((r) => (resolve = r));
      entry = { promise, resolve };
      this.entries.set(path, entry);
    }
    return entry;
  }
}

function answerOf(req: ClientRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Outcome }));
    });
    req.on('error', reject);
  });
}

describe('readBody', () => {
  let server: Server;
  let port: number;
  const arrived = new Signals<IncomingHttpHeaders>();
  const outcomes = new Signals<Outcome>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url!;
      arrived.of(path).resolve(req.headers);
      const answer = (outcome: Outcome) => {
        outcomes.of(path).resolve(outcome);
        if (outcome.status === 413) {
          // As answerBodyError: the rest of the upload is not read, and without this a 413 sent
          // while the client still uploads does not reliably reach it.
          res.setHeader('Connection', 'close');
        }
        res.writeHead(outcome.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(outcome));
      };
      readBody(req, LIMIT).then(
        (bytes) => answer({ status: 200, length: bytes.length, sha256: sha256(bytes) }),
        (error: { status?: number; type?: string; code?: string }) =>
          answer({ status: error.status ?? 500, type: error.type ?? error.code }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (path: string, headers: Record<string, string | number> = {}) =>
    request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers });

  /** Posts `body` with its length declared and expects it read whole. */
  async function expectReadWhole(path: string, body: Uint8Array): Promise<void> {
    const req = post(path, { 'Content-Length': body.length });
    const answer = answerOf(req);
    req.end(body);
    expect(await answer).toEqual({ status: 200, body: { status: 200, length: body.length, sha256: sha256(body) } });
  }

  it('should read a body of declared length whole', async () => {
    await expectReadWhole('/declared', randomBytes(120_000));
  });

  it('should read a chunked body larger than its first 64 KiB buffer whole', async () => {
    const body = randomBytes(150_000);
    const req = post('/chunked');
    const answer = answerOf(req);
    for (let offset = 0; offset < body.length; offset += 7_001) {
      req.write(body.subarray(offset, offset + 7_001));
    }
    req.end();
    expect(await answer).toEqual({ status: 200, body: { status: 200, length: body.length, sha256: sha256(body) } });
    const headers = await arrived.of('/chunked').promise;
    expect(headers['transfer-encoding']).toBe('chunked');
    expect(headers['content-length']).toBeUndefined();
  });

  it('should refuse a declared length over the limit with 413 before the body is sent', async () => {
    const req = post('/declared-too-large', { 'Content-Length': LIMIT + 1 });
    const answer = answerOf(req);
    // Headers only: the answer comes without a byte of the body.
    req.flushHeaders();
    try {
      expect(await answer).toEqual({ status: 413, body: { status: 413, type: 'entity.too.large' } });
    } finally {
      req.destroy();
    }
  });

  it('should refuse a chunked body that goes past the limit with 413', async () => {
    const req = post('/chunked-too-large');
    let answered = false;
    const answer = answerOf(req).finally(() => (answered = true));
    // Once answered, the server closes the connection: writes after that fail (EPIPE, ECONNRESET),
    // which is expected; the assertion is on the answer.
    answer.catch(() => undefined);
    req.on('error', () => undefined);
    const chunk = randomBytes(16 * 1024);
    let sent = 0;
    const writeNext = () => {
      if (answered || req.destroyed || sent > 4 * LIMIT) {
        return;
      }
      sent += chunk.length;
      // setImmediate: let the event loop read the answer between writes.
      req.write(chunk, (error) => (error ? undefined : setImmediate(writeNext)));
    };
    writeNext();
    try {
      expect(await answer).toEqual({ status: 413, body: { status: 413, type: 'entity.too.large' } });
      expect(sent).toBeGreaterThan(LIMIT);
    } finally {
      req.destroy();
    }
  });

  /** Declares 100 000 bytes, sends 10 000 and destroys its socket once the handler reads; the handler's outcome. */
  async function breakOff(path: string): Promise<Outcome> {
    const req = post(path, { 'Content-Length': 100_000 });
    req.on('error', () => undefined);
    req.write(randomBytes(10_000));
    await arrived.of(path).promise;
    req.destroy();
    return outcomes.of(path).promise;
  }

  it('should answer the next request after a client breaks off its upload', async () => {
    expect((await breakOff('/aborted-then-next')).status).not.toBe(200);
    await expectReadWhole('/after-aborted', randomBytes(1_000));
  });

  // Node emits 'error' (ECONNRESET "aborted") on a broken-off request before 'close': readBody must
  // still answer body-parser's 400 request.aborted, not a bare error that would end as a 500.
  it('should see a client that breaks off its upload as a 400 request.aborted', async () => {
    expect(await breakOff('/aborted')).toEqual({ status: 400, type: 'request.aborted' });
  });

  it('should refuse a body shorter than its declared length with 400', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.resume();
    socket.write('POST /short HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\nConnection: close\r\n\r\n');
    socket.write(randomBytes(10));
    // Half-close: the body ends 90 bytes early.
    socket.end();
    try {
      const outcome = await outcomes.of('/short').promise;
      expect(outcome.status).toBe(400);
      expect(['request.aborted', 'request.size.invalid']).toContain(outcome.type);
    } finally {
      socket.destroy();
    }
  });
});

describe('isSplittableJson', () => {
  const splittable = (headers: Record<string, string>) => isSplittableJson({ headers } as unknown as IncomingMessage);

  it('should accept JSON with no charset or in UTF-8, however spelled', () => {
    expect(splittable({ 'content-type': 'application/json' })).toBe(true);
    expect(splittable({ 'content-type': 'application/json; charset=utf-8' })).toBe(true);
    expect(splittable({ 'content-type': 'application/json; charset="utf-8"' })).toBe(true);
    expect(splittable({ 'content-type': 'application/json; charset=UTF-8' })).toBe(true);
  });

  it('should accept JSON with the identity content encoding', () => {
    expect(splittable({ 'content-type': 'application/json', 'content-encoding': 'identity' })).toBe(true);
  });

  it('should refuse another charset, a content encoding, another type or none', () => {
    expect(splittable({ 'content-type': 'application/json; charset=latin1' })).toBe(false);
    expect(splittable({ 'content-type': 'application/json', 'content-encoding': 'gzip' })).toBe(false);
    expect(splittable({ 'content-type': 'text/plain' })).toBe(false);
    expect(splittable({})).toBe(false);
  });
});

describe('parseBulkJsonBody', () => {
  let server: Server;
  let port: number;
  let started: Worker[];
  let pool: IdleWorkerPool;
  const results = new Signals<BulkJsonBodyResult | { error: string }>();

  beforeAll(async () => {
    started = [];
    pool = new IdleWorkerPool(
      () => {
        const worker = startSourceWorker(__dirname, 'bulk-json-body.worker');
        started.push(worker);
        return worker;
      },
      { maxIdle: 1, idleMs: 60_000 },
    );
    server = createServer((req, res) => {
      // Answered once the body is parsed or refused, so that no upload is cut short.
      const settle = (result: BulkJsonBodyResult | { error: string }) => {
        results.of(req.url!).resolve(result);
        res.setHeader('Connection', 'close');
        res.end();
      };
      parseBulkJsonBody(req, LIMIT, 100, pool).then(settle, (error: Error & { type?: string }) =>
        settle({ error: error.type ?? error.message }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool.close();
    await Promise.all(started.map((worker) => worker.terminate()));
  });

  const send = (path: string, body: string) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false });
    req.on('error', () => undefined);
    req.end(body);
    return results.of(path).promise;
  };
  const bulkBody = (recipients: string[]) =>
    JSON.stringify({ query: 'mutation', variables: { input: { recipients, text: 'hi' } } });

  it('should parse body after body on the same worker thread, kept between them', async () => {
    const first = await send('/first', bulkBody(['+12015550100', '+12015550101']));
    const second = await send('/second', bulkBody(['+447400123456']));
    const notAList = await send('/not-a-list', '{"query":"{ campaigns { id } }"}');

    expect(await recipientsOf(first)).toEqual(['+12015550100', '+12015550101']);
    expect(await recipientsOf(second)).toEqual(['+447400123456']);
    expect(notAList).toMatchObject({ kind: 'fallback' });
    expect(started).toHaveLength(1);
    expect(pool.idleCount).toBe(1);
  });

  it('should keep the worker for the next body when this one could not be read', async () => {
    const tooLarge = await send('/too-large', bulkBody([`+1${'2'.repeat(LIMIT)}`]));
    const next = await send('/after-too-large', bulkBody(['+12015550102']));

    expect(tooLarge).toEqual({ error: 'entity.too.large' });
    expect(await recipientsOf(next)).toEqual(['+12015550102']);
    expect(started).toHaveLength(1);
  });
});

/** The recipients of a body the worker split (moved across threads as Latin-1 bytes), or why there are none. */
async function recipientsOf(result: BulkJsonBodyResult | { error: string }): Promise<string[] | string> {
  if ('error' in result) {
    return result.error;
  }
  if (result.kind !== 'split') {
    return result.kind;
  }
  expect(result.recipients.text).toBeInstanceOf(Uint8Array);
  return unpackRecipients(result.recipients);
}

describe('keepBulkJsonWorkerReady', () => {
  afterEach(() => closeIdleWorkerPools());

  it('should keep one body-parsing thread started, warmed up on a sample body, for the next body', async () => {
    await keepBulkJsonWorkerReady();

    expect(bulkJsonWorkers.idleCount).toBe(1);
    const worker = bulkJsonWorkers.take();
    bulkJsonWorkers.giveBack(worker);
    // The ready thread parses a body as any other.
    const server = createServer((req, res) => {
      parseBulkJsonBody(req, LIMIT, 10).then(
        async (result) => res.end(JSON.stringify(await recipientsOf(result))),
        (error: Error) => res.end(error.message),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: JSON.stringify({ query: 'mutation', variables: { input: { recipients: ['+12015550100'], text: 'hi' } } }),
    });
    expect(await answer.json()).toEqual(['+12015550100']);
    expect(bulkJsonWorkers.idleCount).toBe(1);
    expect(bulkJsonWorkers.take()).toBe(worker);
    bulkJsonWorkers.giveBack(worker);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
