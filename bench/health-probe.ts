import { Worker } from 'node:worker_threads';

export interface HealthProbeResult {
  /** The slowest answer of GET /health, from the request to the end of its body. */
  slowestMs: number;
  probes: number;
  /** Probes that got no answer (counted, not fatal: the work's own error says more). */
  failed: number;
}

export interface HealthProbe {
  stop(): Promise<HealthProbeResult>;
}

// Runs on the probe's own thread: one request at a time, `intervalMs` apart, until told to stop. The
// first request, which loads fetch's HTTP client and opens the connection (50-60 ms against an idle bare
// server), is not counted: the thread says 'ready' after it.
const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let probing = true;
let slowestMs = 0;
let probes = 0;
let failed = 0;
const done = (async () => {
  try {
    await (await fetch(workerData.url)).arrayBuffer();
  } catch {
    // counted below, if it goes on failing
  }
  parentPort.postMessage('ready');
  while (probing) {
    const sent = performance.now();
    try {
      const response = await fetch(workerData.url);
      await response.arrayBuffer();
      slowestMs = Math.max(slowestMs, performance.now() - sent);
      probes++;
    } catch {
      failed++;
    }
    await new Promise((resolve) => setTimeout(resolve, workerData.intervalMs));
  }
})();
parentPort.once('message', async () => {
  probing = false;
  await done;
  parentPort.postMessage({ slowestMs, probes, failed });
});
`;

/**
 * Probes a service's /health every `intervalMs` from a worker thread of its own, so that what the
 * bench's main thread does meanwhile (serializing a million recipients, reading an export) cannot hold
 * a probe back and be counted as the service's stall. Resolves once the probe's thread has made its first
 * request (not counted): start the work to measure after it.
 */
export async function startHealthProbe(baseUrl: string, intervalMs: number): Promise<HealthProbe> {
  const worker = new Worker(PROBE_SOURCE, { eval: true, workerData: { url: `${baseUrl}/health`, intervalMs } });
  let resolveResult: (result: HealthProbeResult) => void = () => undefined;
  const result = new Promise<HealthProbeResult>((resolve, reject) => {
    resolveResult = resolve;
    worker.once('error', reject);
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: 'ready' | HealthProbeResult) => {
      if (message === 'ready') {
        resolve();
      } else {
        resolveResult(message);
      }
    });
  });
  let stopped: Promise<HealthProbeResult> | undefined;
  return {
    // Once: a second call gets the same result.
    stop() {
      stopped ??= (async () => {
        worker.postMessage('stop');
        try {
          return await result;
        } finally {
          await worker.terminate();
        }
      })();
      return stopped;
    },
  };
}
