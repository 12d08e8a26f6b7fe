import { execFile } from 'node:child_process';
import { Logger } from '@nestjs/common';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { DataDirLock } from './data-dir-lock';
import type { EmbeddedServerOptions, EmbeddedWorkerMessage } from './embedded-postgres.worker';

/** The file name libpq and node-postgres look for in a socket directory (port 5432). */
const SOCKET_FILE = '.s.PGSQL.5432';
/** Unix socket paths are limited to 107 bytes on Linux (104 on macOS). */
const MAX_SOCKET_PATH = 100;
/**
 * PostgreSQL's default is 128MB, which PGlite allocates (and touches) inside its wasm memory at start with
 * the rest of its shared memory: 145 MB of RSS before the first query, 24 MB with 16MB. The data files
 * sit in the OS page cache anyway, so a smaller buffer pool costs little for a single-process service
 * (bench/dispatch-control.ts, PGlite: 32MB → 16MB took 18 MB off at the same drain rate).
 */
const SHARED_BUFFERS = '16MB';
/**
 * V8 compiles wasm with a baseline compiler (Liftoff) and recompiles hot functions with its optimizing
 * one (TurboFan) on background threads, as traffic reaches them. For PGlite's 9 MB module, glibc keeps
 * what those compiler threads allocated in their own arenas: ~70 MB of RSS by the end of a
 * 20,000-recipient campaign (bench/dispatch-control.ts, PGlite). Compiled once, optimized, on first use,
 * the start takes about a second longer and nothing after it was measured slower (the same drain CPU,
 * delivery reports as fast). Applies to the wasm this process compiles from now on (PGlite's, Prisma's
 * query compiler), and only when the embedded database is used.
 */
const WASM_COMPILER_FLAGS = '--no-liftoff';
/**
 * PGlite runs each statement synchronously on the thread that holds it. On the event loop's thread a
 * 50,000-row insert left /health unanswered for 600-800 ms, and every delivery report's statement ran
 * between the requests it was answering. On a thread of its own the service's loop only parses and
 * answers, and the database uses the second core. A worker loads compiled JavaScript only: the service
 * (`npm start`, `nest start`) and the benchmarks run from dist; the tests use PGlite servers of their own.
 */
const WORKER_SCRIPT = path.join(__dirname, 'embedded-postgres.worker.js');

/** Stops the embedded database's thread. */
interface EmbeddedServer {
  stop(): Promise<void>;
}
/** Runs initdb for a new data directory in a short-lived process (see initialize()). */
const INITDB_SCRIPT = `require(process.argv[1]).PGlite.create(process.argv[2]).then((db) => db.close())`;

/**
 * The zero-configuration database: PGlite under DATA_DIR, served over the PostgreSQL wire
 * protocol so the application uses the same pg driver path as with a real server. PGlite accepts
 * any user and password, so it is served on a Unix socket in a directory only this user may
 * enter (DATA_DIR/run, mode 0700), never on a TCP port another local user could reach.
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger('Database');
  private server?: EmbeddedServer;
  private socketDir?: string;
  private socketIsTemporary = false;
  private lock?: DataDirLock;

  async start(dataDir: string, maxConnections: number): Promise<string> {
    mkdirSync(dataDir, { recursive: true }); // PGlite does not create parent folders
    // Before anything in the directory is touched, the socket of a running instance included.
    this.lock = DataDirLock.acquire(dataDir, (reason) => this.lost(reason));
    try {
      const pgData = path.join(dataDir, 'pglite');
      await this.initialize(pgData);
      setFlagsFromString(WASM_COMPILER_FLAGS);
      this.socketDir = this.privateSocketDir(dataDir);
      const socketPath = path.join(this.socketDir, SOCKET_FILE);
      rmSync(socketPath, { force: true }); // left behind by a process that was killed
      const options: EmbeddedServerOptions = { pgData, socketPath, maxConnections, sharedBuffers: SHARED_BUFFERS };
      this.server = await this.serveInWorker(options);
    } catch (error) {
      this.lock.release();
      this.lock = undefined;
      throw error;
    }
    return `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(this.socketDir)}`;
  }

  /**
   * The data directory is no longer this process's (deleted under it, or another process holds it): PGlite
   * opens files by path, so going on, or even closing it (a checkpoint), would write into whatever is there
   * now. The process stops at once, as PostgreSQL's postmaster does when its lock file is gone.
   */
  private lost(reason: string): void {
    this.logger.error(`Stopping at once: ${reason}; the embedded database must not write there any more`);
    process.exit(1);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.lock?.release();
    this.lock = undefined;
    if (this.socketDir) {
      rmSync(this.socketIsTemporary ? this.socketDir : path.join(this.socketDir, SOCKET_FILE), {
        force: true,
        recursive: this.socketIsTemporary,
      });
    }
    this.server = undefined;
  }

  /**
   * Serves the database from a worker thread. A worker that fails or exits while serving takes the
   * process down, as PGlite failing on this thread would: the service cannot go on without its database.
   */
  private serveInWorker(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
    if (!existsSync(WORKER_SCRIPT)) {
      throw new Error(
        `The embedded database runs from the compiled service: ${WORKER_SCRIPT} is missing (npm run build)`,
      );
    }
    // A young generation of 4 MB instead of V8's 16+: the thread holds ~12 MB of objects (PGlite's code
    // and protocol buffers), its memory is PGlite's wasm memory, outside the heap.
    const worker = new Worker(WORKER_SCRIPT, { workerData: options, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    let stopping = false;
    const stopped = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: EmbeddedWorkerMessage) => {
        if (message.type === 'stopped') {
          resolve();
        } else if (message.type === 'failed' && stopping) {
          reject(new Error(`The embedded database did not close cleanly: ${message.message}`));
        }
      });
      worker.once('exit', () => resolve());
    });
    return new Promise<EmbeddedServer>((resolve, reject) => {
      const failStart = (error: Error): void => reject(error);
      worker.once('error', failStart);
      worker.once('exit', (code) => reject(new Error(`The embedded database's thread exited with code ${code}`)));
      worker.on('message', (message: EmbeddedWorkerMessage) => {
        if (message.type === 'failed' && !stopping) {
          reject(new Error(`Could not open the embedded database in ${options.pgData}: ${message.message}`));
        }
        if (message.type !== 'ready') {
          return;
        }
        worker.off('error', failStart);
        const crash = (error: unknown): void => {
          if (!stopping) {
            // Thrown outside any promise: an uncaught exception, as if PGlite had failed on this thread.
            setImmediate(() => {
              throw error instanceof Error ? error : new Error(String(error));
            });
          }
        };
        worker.on('error', crash);
        worker.on('exit', (code) => crash(new Error(`The embedded database's thread exited with code ${code}`)));
        resolve({
          async stop() {
            stopping = true;
            worker.postMessage('stop');
            await stopped;
          },
        });
      });
    });
  }

  /**
   * A new data directory is created (initdb) by a child process: PGlite runs initdb in a second wasm
   * instance and keeps the data-directory dump around, so a process that did it itself holds ~730 MB
   * of RSS afterwards against ~300 MB for one that opens an existing directory (measured; the memory
   * is not given back to the OS after close()). The result on disk is the same.
   */
  private async initialize(pgData: string): Promise<void> {
    if (existsSync(path.join(pgData, 'PG_VERSION'))) {
      return;
    }
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        ['-e', INITDB_SCRIPT, require.resolve('@electric-sql/pglite'), pgData],
        (error, _stdout, stderr) =>
          error
            ? reject(new Error(`Could not create the embedded database in ${pgData}: ${stderr || error.message}`))
            : resolve(),
      );
    });
    this.logger.log(`Embedded database created in ${Date.now() - started} ms`);
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
