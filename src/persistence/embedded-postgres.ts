import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { orderMessagesPerExchange } from './pglite-socket-ordering';

/**
 * The zero-configuration database: PGlite under DATA_DIR, served over the PostgreSQL wire
 * protocol on loopback, so the application uses the same pg driver path as with a real server.
 */
export class EmbeddedPostgres {
  private db?: PGlite;
  private server?: PGLiteSocketServer;

  async start(dataDir: string, maxConnections: number): Promise<string> {
    const dir = path.join(dataDir, 'pglite');
    mkdirSync(dataDir, { recursive: true }); // PGlite does not create parent folders
    this.db = await PGlite.create(dir);
    this.server = new PGLiteSocketServer({ db: this.db, host: '127.0.0.1', port: 0, maxConnections });
    orderMessagesPerExchange(this.server, this.db);
    await this.server.start();
    return `postgresql://postgres:postgres@${this.server.getServerConn()}/postgres`;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    // Without close() PGlite is not flushed and its timers keep the process alive.
    await this.db?.close();
    this.server = undefined;
    this.db = undefined;
  }
}
