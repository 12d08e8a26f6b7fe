import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, MAIN_JS, runService } from '../utils/service-process';

// Issue 11, item 6: the embedded PGlite accepts any password, so it must not be reachable by
// other local users: it is served on a Unix socket in a 0700 directory under DATA_DIR, and on no
// TCP port. (PGlite cannot load inside Jest's VM, so the service runs as its own process.)

const NOBODY = 65534;
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** TCP ports the process listens on, from /proc (Linux). */
function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined;
        }
      })
      .filter((inode): inode is string => inode !== undefined),
  );
  const ports: number[] = [];
  for (const table of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns[3] === '0A' && inodes.has(columns[9])) {
        ports.push(parseInt(columns[1].split(':').pop() as string, 16));
      }
    }
  }
  return ports;
}

/** Whether a PostgreSQL server answers on the port (it answers an SSLRequest with one byte, 'N' or 'S'). */
function answersAsPostgres(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(SSL_REQUEST));
    socket.setTimeout(5_000, () => socket.destroy());
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.length === 1 && (data[0] === 0x4e || data[0] === 0x53));
    });
    socket.once('close', () => resolve(false));
    socket.once('error', () => resolve(false));
  });
}

/** Tries, as another local user, to open a connection to a Unix socket. */
function connectAsAnotherUser(socketPath: string): string {
  const script = `
    const socket = require('node:net').connect({ path: process.argv[1] });
    socket.on('connect', () => { process.stdout.write('connected'); socket.destroy(); });
    socket.on('error', (error) => process.stdout.write('refused:' + error.code));
  `;
  const result = spawnSync(process.execPath, ['-e', script, socketPath], {
    uid: NOBODY,
    gid: NOBODY,
    encoding: 'utf8',
    cwd: '/',
  });
  return result.stdout || result.stderr;
}

describe('the embedded database (issue 11, item 6)', () => {
  beforeAll(() => {
    if (!existsSync(MAIN_JS)) {
      throw new Error(`${MAIN_JS} is missing: run npm run build (npm test does it)`);
    }
  });

  it('should be served on a Unix socket in a 0700 directory under DATA_DIR, on no TCP port', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-embedded-'));
    const port = await freePort();
    const service = runService({ PORT: String(port), DATA_DIR: dataDir });
    try {
      await service.waitFor(/ready on/, 90_000);
      const pid = service.child.pid as number;
      const ports = listeningTcpPorts(pid);
      expect(ports).toContain(port);
      for (const other of ports) {
        expect({ port: other, postgres: await answersAsPostgres(other) }).toEqual({ port: other, postgres: false });
      }

      const socketDir = path.join(dataDir, 'run');
      const socketPath = path.join(socketDir, '.s.PGSQL.5432');
      expect(statSync(socketDir).mode & 0o777).toBe(0o700);
      expect(statSync(socketPath).isSocket()).toBe(true);
      if (process.getuid?.() === 0) {
        expect(connectAsAnotherUser(socketPath)).toBe('refused:EACCES');
      }
      // The service's own user reaches it (this is the database, not a stray file).
      const client = new Client({ host: socketDir, user: 'postgres', database: 'postgres' });
      await client.connect();
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM "ApiKey"');
      await client.end();
      expect(Number(rows[0].n)).toBeGreaterThan(0);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
