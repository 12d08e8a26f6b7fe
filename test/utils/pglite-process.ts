import { spawn } from 'node:child_process';
import path from 'node:path';

/** A throw-away PGlite server in a child process (see pglite-server.js for why). */
export async function startPgliteProcess(
  maxConnections = 100,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'pglite-server.js'), String(maxConnections)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) {
        resolve(output.trim());
      }
    });
    child.once('exit', (code) => reject(new Error(`PGlite server exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
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
