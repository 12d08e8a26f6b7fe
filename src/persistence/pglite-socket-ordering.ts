import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(error: unknown): void;
  onData(data: Uint8Array): void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Who holds the single backend, for a hang's diagnosis. */
export interface QueueState {
  /** The handler of each queued message, in queue order. */
  queued: number[];
  /** The handler whose extended-protocol exchange is under way (its next message goes first). */
  pinned: number | null;
  /** The handler of the last message run: it owns the backend while a transaction is open. */
  lastHandler: number | null;
  inTransaction: boolean;
  processing: boolean;
}

const SYNC = 0x53; // 'S'
const SIMPLE_QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
const FIRST_MESSAGE_TYPE = 0x41; // startup and SSL requests start with a length, not a letter

/**
 * pglite-socket 0.2.17 multiplexes every client connection onto PGlite's single backend message
 * by message, keeping a connection's turn only inside a transaction. node-postgres sends an
 * extended query (Parse, Bind, Describe, Execute, Sync) as separate messages, so two connections
 * interleave them and fail with "unnamed prepared statement does not exist". This keeps a
 * connection's turn from its first extended-protocol message until its Sync (or a simple query),
 * and never lets one failed message stall the queue (the original loop returns while still
 * marked as processing). Written here because the library offers no hook; remove it when
 * pglite-socket orders messages per protocol exchange itself. Returns what the queue is waiting for.
 *
 * A connection that closes while its message runs is settled once that message ends: the library's
 * detach looks for a transaction before the message has opened it (a BEGIN under way) and names the
 * owner only after it, so the transaction, or the turn of an unfinished exchange, would belong to a
 * connection that sends nothing more, and every other connection would wait for it forever. One that
 * closes between the messages of its exchange gives the turn back, and the queue goes on.
 */
export function orderMessagesPerExchange(server: PGLiteSocketServer, db: PGlite): () => QueueState {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  let pinned: number | null = null;
  let running: number | null = null;
  let runningClosed = false;

  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    if (running === handlerId) {
      runningClosed = true;
    }
    clear(handlerId);
    if (pinned === handlerId) {
      pinned = null;
      // The queue stopped to wait for this connection's next message: the others' go on now (the
      // library restarts it only after rolling back a transaction).
      void queue.processQueue();
    }
  };

  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) {
      return;
    }
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = db.isInTransaction() && this.lastHandlerId !== null ? this.lastHandlerId : pinned;
        const index = owner === null ? 0 : this.queue.findIndex((item) => item.handlerId === owner);
        if (index === -1) {
          break; // the owner's next message has not arrived yet; its enqueue restarts the loop
        }
        const [item] = this.queue.splice(index, 1);
        let bytes = 0;
        running = item.handlerId;
        runningClosed = false;
        let failure: { error: unknown } | undefined;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          failure = { error };
        }
        running = null;
        if (runningClosed) {
          // Its connection closed while it ran: nothing it opened may keep the backend.
          await endOrphanedTransaction(db);
          this.lastHandlerId = null;
          pinned = null;
        } else if (failure) {
          pinned = null;
        } else {
          const type = item.message[0];
          this.lastHandlerId = item.handlerId;
          pinned =
            type < FIRST_MESSAGE_TYPE || type === SYNC || type === SIMPLE_QUERY || type === TERMINATE
              ? null
              : item.handlerId;
        }
        if (failure) {
          item.reject(failure.error);
        } else {
          item.resolve(bytes);
        }
      }
    } finally {
      this.processing = false;
    }
  };

  return () => ({
    queued: queue.queue.map((item) => item.handlerId),
    pinned,
    lastHandler: queue.lastHandlerId,
    inTransaction: db.isInTransaction(),
    processing: queue.processing,
  });
}

/** Rolls back what a closed connection's last message left open; a failure leaves the backend as it was. */
async function endOrphanedTransaction(db: PGlite): Promise<void> {
  if (db.isInTransaction()) {
    await db.exec('ROLLBACK').catch(() => undefined);
  }
}
