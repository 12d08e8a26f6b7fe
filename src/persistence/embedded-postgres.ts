import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Logger } from '@nestjs/common';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { orderMessagesPerExchange } from './pglite-socket-ordering';

/** The file name libpq and node-postgres look for in a socket directory (port 5432). */
const SOCKET_FILE = '.s.PGSQL.5432';
/** Unix socket paths are limited to 107 bytes on Linux (104 on macOS). */
const MAX_SOCKET_PATH = 100;

/**
 * The zero-configuration database: PGlite under DATA_DIR, served over the PostgreSQL wire
 * protocol so the application uses the same pg driver path as with a real server. PGlite accepts
 * any user and password, so it is served on a Unix socket in a directory only this user may
 * enter (DATA_DIR/run, mode 0700), never on a TCP port another local user could reach.
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger('Database');
  private db?: PGlite;
  private server?: PGLiteSocketServer;
  private socketDir?: string;
  private socketIsTemporary = false;

  async start(dataDir: string, maxConnections: number): Promise<string> {
    mkdirSync(dataDir, { recursive: true }); // PGlite does not create parent folders
    this.db = await PGlite.create(path.join(dataDir, 'pglite'));
    this.socketDir = this.privateSocketDir(dataDir);
    const socketPath = path.join(this.socketDir, SOCKET_FILE);
    rmSync(socketPath, { force: true }); // left behind by a process that was killed
    this.server = new PGLiteSocketServer({ db: this.db, path: socketPath, maxConnections });
    orderMessagesPerExchange(this.server, this.db);
    await this.server.start();
    return `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(this.socketDir)}`;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    // Without close() PGlite is not flushed and its timers keep the process alive.
    await this.db?.close();
    if (this.socketDir) {
      rmSync(this.socketIsTemporary ? this.socketDir : path.join(this.socketDir, SOCKET_FILE), {
        force: true,
        recursive: this.socketIsTemporary,
      });
    }
    this.server = undefined;
    this.db = undefined;
  }

  private privateSocketDir(dataDir: string): string {
    let dir = path.join(dataDir, 'run');
    if (path.join(dir, SOCKET_FILE).length > MAX_SOCKET_PATH) {
      // DATA_DIR is too deep for a socket path: a private directory in the system's temp folder.
      dir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-db-'));
      this.socketIsTemporary = true;
      this.logger.log(`DATA_DIR is too long for a Unix socket path; the database socket is in ${dir}`);
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700); // also when it existed with wider permissions, or the umask changed them
    return dir;
  }
}
