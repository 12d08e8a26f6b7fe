import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { trackOpen, untrackOpen } from './open-resources';
import { scaledTimeout } from './time-factor';

export const MAIN_JS = path.resolve(__dirname, '../../dist/src/main.js');
/** The V8 flags `npm start` (package.json) and the Dockerfile run the service with. */
export const START_NODE_OPTIONS = '--max-old-space-size=256 --max-semi-space-size=2';
/**
 * The environment `npm start` and the Dockerfile set for glibc's malloc: two arenas, not one per thread; and
 * the top of each heap given back to the system whenever it is free, not only past 128 KB (RSS after
 * start-up's and a campaign's peaks; docs/benchmark-history.md, "glibc's trim threshold").
 */
export const START_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '0' } as const;

/**
 * A port no one listens on, for a server that starts later (its URL is needed first). Taken below
 * the kernel's ephemeral range: a port from listen(0) comes from that range, where any outgoing
 * connection (the app's own database pool, while it starts) may take it as its local port before
 * the server listens (EADDRINUSE, seen in CI). Probed by binding; random, so that Jest workers
 * starting apps at once do not try the same ports in the same order. A port the Fetch standard
 * blocks is skipped: fetch() refuses it ("bad port"), which failed a CI run that drew 10080.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = Math.max(low + 1_000, ephemeralPortsFrom() - 1);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (!FETCH_BLOCKED_PORTS.has(port) && (await canListen(port))) {
      return port;
    }
  }
  throw new Error(`no free port found in ${low}-${high}`);
}

/** The Fetch standard's "bad ports" at or above 10,000 (https://fetch.spec.whatwg.org/#bad-port). */
const FETCH_BLOCKED_PORTS = new Set([10080]);

/** The first port of the kernel's ephemeral range. */
function ephemeralPortsFrom(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32768; // Linux's default
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
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
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'warn',
      ...START_MALLOC_ENV,
      ...env,
    },
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
