import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { parentPort, workerData } from 'node:worker_threads';
import { orderMessagesPerExchange } from './pglite-socket-ordering';

/** Where and how PGlite is served: plain data, handed to the worker thread. */
export interface EmbeddedServerOptions {
  pgData: string;
  socketPath: string;
  maxConnections: number;
  sharedBuffers: string;
}

/** Messages from the embedded database's worker thread to the thread that started it. */
export type EmbeddedWorkerMessage = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'stopped' };

/**
 * The embedded database's thread (see EmbeddedPostgres): opens PGlite on `pgData`, serves it over the
 * PostgreSQL wire protocol on `socketPath` until told to stop, then flushes and closes it.
 */
async function run(): Promise<void> {
  const port = parentPort!;
  const options = workerData as EmbeddedServerOptions;
  const post = (message: EmbeddedWorkerMessage): void => port.postMessage(message);
  const fail = (error: unknown): void => {
    post({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    port.close();
  };
  let db: PGlite | undefined;
  let server: PGLiteSocketServer;
  try {
    db = await PGlite.create(options.pgData, {
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers}`],
    });
    server = new PGLiteSocketServer({ db, path: options.socketPath, maxConnections: options.maxConnections });
    orderMessagesPerExchange(server, db);
    await server.start();
  } catch (error) {
    // Opened but not served (the socket could not be listened on): flushed and closed all the same.
    await db?.close().catch(() => undefined);
    fail(error);
    return;
  }
  const opened = db;
  post({ type: 'ready' });
  port.once('message', () => {
    // Without close() PGlite is not flushed and its timers keep the thread alive.
    void server
      .stop()
      .then(() => opened.close())
      .then(() => {
        post({ type: 'stopped' });
        port.close();
      }, fail);
  });
}

void run();
