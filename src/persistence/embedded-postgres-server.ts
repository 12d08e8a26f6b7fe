import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { orderMessagesPerExchange } from './pglite-socket-ordering';

/** Where and how PGlite is served: plain data, so that it can be handed to a worker thread. */
export interface EmbeddedServerOptions {
  pgData: string;
  socketPath: string;
  maxConnections: number;
  sharedBuffers: string;
}

export interface EmbeddedServer {
  /** Stops serving, then flushes and closes PGlite. */
  stop(): Promise<void>;
}

/** Opens PGlite on `pgData` and serves it over the PostgreSQL wire protocol on `socketPath`. */
export async function serveEmbedded(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const db = await PGlite.create(options.pgData, {
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers}`],
  });
  const server = new PGLiteSocketServer({ db, path: options.socketPath, maxConnections: options.maxConnections });
  orderMessagesPerExchange(server, db);
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    async stop() {
      await server.stop();
      // Without close() PGlite is not flushed and its timers keep the thread alive.
      await db.close();
    },
  };
}
