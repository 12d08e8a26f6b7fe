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

// Runs on the probe's own thread: one request at a time, `intervalMs` apart, until told to stop.
const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let probing = true;
let slowestMs = 0;
let probes = 0;
let failed = 0;
const done = (async () => {
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
 * a probe back and be counted as the service's stall.
 */
export function startHealthProbe(baseUrl: string, intervalMs: number): HealthProbe {
  const worker = new Worker(PROBE_SOURCE, { eval: true, workerData: { url: `${baseUrl}/health`, intervalMs } });
  const result = new Promise<HealthProbeResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
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
