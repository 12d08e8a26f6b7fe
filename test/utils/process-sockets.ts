import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';

// What another process on this machine could reach of a service: its TCP ports, and its Unix sockets.

const NOBODY = 65534;
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** TCP ports the process listens on, from /proc (Linux). */
export function listeningTcpPorts(pid: number): number[] {
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
export function answersAsPostgres(port: number): Promise<boolean> {
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
export function connectAsAnotherUser(socketPath: string): string {
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
