// Serves a fresh in-memory PGlite over the wire protocol and prints its URL on stdout.
// PGlite loads its wasm with a dynamic import, which Jest's VM sandbox does not allow, so tests
// that need a PGlite of their own run it in this child process; so does each Jest worker's PGlite
// (global-setup.ts), off the Jest parent's one thread. Stops on SIGTERM or stdin EOF; prints its queue's
// state to stderr on SIGUSR2. A line `dump <file>` on stdin writes its data directory to that file (a tar)
// and answers `dumped` on stdout.
// argv[2]: how many connections it serves (default 100); argv[3]: a data directory dump to start from
// (a new database runs initdb instead: about 4 s and 6 s of CPU, where loading a dump takes 2 s and 2.6 s).
const { Blob, Buffer } = require('node:buffer');
const { readFileSync, writeFileSync } = require('node:fs');
const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
// Built by `npm test`'s pretest: several pooled connections need the service's message ordering.
const { orderMessagesPerExchange } = require('../../dist/src/persistence/pglite-socket-ordering');

async function main() {
  const dump = process.argv[3];
  const db = await PGlite.create('memory://', dump ? { loadDataDir: new Blob([readFileSync(dump)]) } : {});
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: Number(process.argv[2] ?? 100),
  });
  const queueState = orderMessagesPerExchange(server, db);
  await server.start();
  // A test app whose close hangs asks what this server is waiting for (test-app.ts).
  process.on('SIGUSR2', () => {
    process.stderr.write(
      `PGlite server ${process.pid}: ${JSON.stringify({ ...server.getStats(), ...queueState() })}\n`,
    );
  });
  process.stdout.write(`postgresql://postgres:postgres@${server.getServerConn()}/postgres\n`);
  const stop = async () => {
    await server.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  let input = '';
  process.stdin.on('data', (chunk) => {
    input += chunk.toString();
    for (let end = input.indexOf('\n'); end !== -1; end = input.indexOf('\n')) {
      const line = input.slice(0, end);
      input = input.slice(end + 1);
      if (line.startsWith('dump ')) {
        void dumpTo(db, line.slice('dump '.length));
      }
    }
  });
  process.stdin.resume();
}

/**
 * @param {import('@electric-sql/pglite').PGlite} db
 * @param {string} file
 */
async function dumpTo(db, file) {
  try {
    const tar = await db.dumpDataDir('none');
    writeFileSync(file, Buffer.from(await tar.arrayBuffer()));
    process.stdout.write('dumped\n');
  } catch (error) {
    process.stdout.write(`dump failed: ${String(error)}\n`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
