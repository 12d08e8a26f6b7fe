import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { orderMessagesPerExchange, QueueState } from './pglite-socket-ordering';

/**
 * PGlite's one backend, reduced to what the queue asks of it: whether a transaction is open, and each
 * message run in turn. A message can be held mid-run, as a long statement is, while a connection
 * closes. The library's queue and server around it are the real ones.
 */
class FakeBackend {
  readonly ran: string[] = [];
  private inTransaction = false;
  private holding: { message: string; release: () => void } | undefined;
  private held: Promise<void> | undefined;

  isInTransaction(): boolean {
    return this.inTransaction;
  }

  runExclusive<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<void> {
    const text = readable(message);
    this.ran.push(text);
    if (this.holding?.message === text) {
      await this.held;
    }
    this.apply(text);
    options.onRawData(new Uint8Array([0x5a])); // ReadyForQuery's tag, enough for the byte count
  }

  exec(sql: string): Promise<void> {
    this.ran.push(`exec ${sql}`);
    this.apply(sql);
    return Promise.resolve();
  }

  /** The next run of `message` waits until the returned function is called. */
  hold(message: string): () => void {
    let release = (): void => undefined;
    this.held = new Promise<void>((resolve) => (release = resolve));
    this.holding = { message, release };
    return () => {
      this.holding = undefined;
      release();
    };
  }

  private apply(text: string): void {
    if (text === 'BEGIN') {
      this.inTransaction = true;
    } else if (text === 'COMMIT' || text === 'ROLLBACK') {
      this.inTransaction = false;
    }
  }
}

interface Queue {
  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number>;
  clearQueueForHandler(handlerId: number): void;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

/** A simple query ('Q'), an extended-protocol Parse ('P') or a Sync ('S'), as a client sends them. */
function query(sql: string): Uint8Array {
  return frame('Q', Buffer.from(`${sql}\0`));
}
function parse(sql: string): Uint8Array {
  return frame('P', Buffer.from(`\0${sql}\0\0\0`));
}
function sync(): Uint8Array {
  return frame('S', Buffer.alloc(0));
}
function frame(type: string, body: Buffer): Uint8Array {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(body.length + 4, 1);
  return new Uint8Array(Buffer.concat([header, body]));
}
function readable(message: Uint8Array): string {
  const type = String.fromCharCode(message[0]);
  const body = Buffer.from(message.subarray(5)).toString('utf8').replace(/\0/g, ' ').trim();
  return type === 'Q' ? body : `${type} ${body}`.trim();
}

function setUp(): { backend: FakeBackend; queue: Queue; state: () => QueueState } {
  const backend = new FakeBackend();
  const db = backend as unknown as PGlite;
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  const state = orderMessagesPerExchange(server, db);
  const queue = (server as unknown as { queryQueue: Queue }).queryQueue;
  return { backend, queue, state };
}

/** What pglite-socket does when a client's socket closes (PGLiteSocketHandler.detach). */
async function detach(queue: Queue, handlerId: number): Promise<void> {
  queue.clearQueueForHandler(handlerId);
  await queue.clearTransactionIfNeeded(handlerId);
}

const noData = (): void => undefined;

describe('orderMessagesPerExchange', () => {
  it("should run a connection's extended-protocol exchange whole, before another connection's message", async () => {
    const { backend, queue } = setUp();
    const release = backend.hold('P SELECT 1');
    const first = queue.enqueue(1, parse('SELECT 1'), noData);
    const other = queue.enqueue(2, query('SELECT 2'), noData);
    const rest = queue.enqueue(1, sync(), noData);
    release();
    await Promise.all([first, other, rest]);

    expect(backend.ran).toEqual(['P SELECT 1', 'S', 'SELECT 2']);
  });

  it("should run only the transaction owner's messages until it ends", async () => {
    const { backend, queue } = setUp();
    await queue.enqueue(1, query('BEGIN'), noData);
    const other = queue.enqueue(2, query('SELECT 2'), noData);
    await queue.enqueue(1, query('SELECT 1'), noData);
    expect(backend.ran).toEqual(['BEGIN', 'SELECT 1']);

    await queue.enqueue(1, query('COMMIT'), noData);
    await other;
    expect(backend.ran).toEqual(['BEGIN', 'SELECT 1', 'COMMIT', 'SELECT 2']);
  });

  /**
   * Connection 7's message is under way when its socket closes (detach finds no transaction yet: BEGIN
   * has not run), then connection 8 sends a query. Returns what the backend ran and the queue's state.
   */
  async function closedWhileRunning(held: string, message: Uint8Array): Promise<{ ran: string[]; after: QueueState }> {
    const { backend, queue, state } = setUp();
    const release = backend.hold(held);
    const running = queue.enqueue(7, message, noData);
    await detach(queue, 7);
    const other = queue.enqueue(8, query('SELECT 8'), noData);
    release();
    await running;
    await other;
    return { ran: backend.ran, after: state() };
  }

  it('should roll back the transaction of a connection that closed while its BEGIN ran, and serve the others', async () => {
    const { ran, after } = await closedWhileRunning('BEGIN', query('BEGIN'));

    expect(ran).toEqual(['BEGIN', 'exec ROLLBACK', 'SELECT 8']);
    expect(after).toMatchObject({ inTransaction: false, queued: [], pinned: null });
  });

  it("should not keep the turn for a connection that closed while its exchange's Parse ran", async () => {
    const { ran, after } = await closedWhileRunning('P SELECT 7', parse('SELECT 7'));

    expect(ran).toEqual(['P SELECT 7', 'SELECT 8']);
    expect(after).toMatchObject({ queued: [], pinned: null });
  });

  it('should serve the others when a connection closes between its Parse and its Sync', async () => {
    const { backend, queue, state } = setUp();
    await queue.enqueue(7, parse('SELECT 7'), noData);
    const other = queue.enqueue(8, query('SELECT 8'), noData); // waits: 7's exchange has the turn
    await detach(queue, 7);
    await other;

    expect(backend.ran).toEqual(['P SELECT 7', 'SELECT 8']);
    expect(state()).toMatchObject({ queued: [], pinned: null });
  });

  it('should leave the transaction of a connection that is still open when another one closes', async () => {
    const { backend, queue } = setUp();
    const release = backend.hold('BEGIN');
    const begin = queue.enqueue(1, query('BEGIN'), noData);
    await detach(queue, 2);
    release();
    await begin;
    await queue.enqueue(1, query('COMMIT'), noData);

    expect(backend.ran).toEqual(['BEGIN', 'COMMIT']);
  });
});
