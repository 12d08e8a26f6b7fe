import { spawn } from 'node:child_process';
import path from 'node:path';

export interface PgliteProcess {
  url: string;
  pid: number;
  /** Writes the database's data directory to `file` (a tar another server can start from). */
  dumpDataDir(file: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A throw-away PGlite server in a child process (see pglite-server.js for why): a new database, or a copy
 * of the one dumped to `dataDirDump` (the migrated template of global-setup.ts).
 */
export async function startPgliteProcess(maxConnections = 100, dataDirDump?: string): Promise<PgliteProcess> {
  const args = [path.join(__dirname, 'pglite-server.js'), String(maxConnections), ...(dataDirDump ? [dataDirDump] : [])];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  // The server's stdout, line by line: its URL first, then one answer per dump.
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (let end = output.indexOf('\n'); end !== -1; end = output.indexOf('\n')) {
      const line = output.slice(0, end).trim();
      output = output.slice(end + 1);
      const next = waiting.shift();
      if (next) {
        next(line);
      } else {
        lines.push(line);
      }
    }
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`PGlite server exited with ${code}`)));
  });
  exited.catch(() => undefined); // awaited only beside a line
  const nextLine = (): Promise<string> =>
    Promise.race([
      new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : waiting.push(resolve))),
      exited,
    ]);
  const url = await nextLine();
  return {
    url,
    pid: child.pid!,
    async dumpDataDir(file) {
      child.stdin.write(`dump ${file}\n`);
      const answer = await nextLine();
      if (answer !== 'dumped') {
        throw new Error(`PGlite server ${child.pid} could not dump its data directory: ${answer}`);
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
