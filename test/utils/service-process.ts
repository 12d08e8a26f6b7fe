import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { trackOpen, untrackOpen } from './open-resources';
import { scaledTimeout } from './time-factor';

export const MAIN_JS = path.resolve(__dirname, '../../dist/src/main.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/**
 * Runs the built service (`node dist/src/main.js`) with exactly the given environment; `nodeArgs` go before
 * the script (flags NODE_OPTIONS refuses, such as --cpu-prof).
 */
export function runService(
  env: Record<string, string>,
  script: string = MAIN_JS,
  nodeArgs: string[] = [],
): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  trackOpen(child, `service process ${child.pid ?? '?'} (${path.basename(script)})`, async () => {
    child.kill('SIGKILL');
    await exited;
  });
  void exited.then(() => untrackOpen(child));
  return {
    child,
    output: () => output,
    exited,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + scaledTimeout(timeoutMs);
      while (Date.now() < deadline) {
        const match = output.match(pattern);
        if (match) {
          return match;
        }
        if (child.exitCode !== null) {
          throw new Error(`service exited with ${child.exitCode} before ${pattern}:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting for ${pattern}:\n${output}`);
    },
  };
}
